// The part of a module the script hosts read: its `ugc_script` custom sections (the manifest, docs/ABI.md).
// The crate's hosts take module bytes and parse every section of them; handing them a module made of only
// those sections keeps a big module's bytes out of the crate (no 16 MB copy and scan per script).

const MANIFEST_SECTION = 'ugc_script';
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const decoder = new TextDecoder();

/** The unsigned LEB128 at `at`: `[value, next offset]`, or null past the end or beyond 32 bits. */
function leb(bytes, at) {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (at >= bytes.length) return null;
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
  }
  return null;
}

/**
 * A module holding the header and the `ugc_script` custom sections of `bytes`, in order (duplicates too: the
 * crate refuses them). Bytes that do not walk as a module come back unchanged, so the crate reports them.
 */
export function manifestModule(bytes) {
  if (bytes.length < 8 || HEADER.some((b, i) => bytes[i] !== b)) return bytes;
  const kept = [];
  let total = HEADER.length;
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const size = leb(bytes, at);
    if (size === null || size[1] + size[0] > bytes.length) return bytes;
    const [length, body] = size;
    at = body + length;
    if (id !== 0) continue;
    const name = leb(bytes, body);
    if (name === null || name[1] + name[0] > at) return bytes;
    if (decoder.decode(bytes.subarray(name[1], name[1] + name[0])) !== MANIFEST_SECTION) continue;
    kept.push(bytes.subarray(start, at));
    total += at - start;
  }
  const out = new Uint8Array(total);
  out.set(HEADER);
  let to = HEADER.length;
  for (const section of kept) {
    out.set(section, to);
    to += section.length;
  }
  return out;
}
