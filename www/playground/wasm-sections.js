// The section layout of a module's bytes (what the hex view labels) and its custom sections (where the
// `ugc_script` manifest lives). Tolerant: a malformed module yields the sections read before the damage.

export const SECTION_NAMES = [
  'custom',
  'type',
  'import',
  'function',
  'table',
  'memory',
  'global',
  'export',
  'start',
  'element',
  'code',
  'data',
  'data count',
  'tag',
];

/** An unsigned LEB128 at `at`: `[value, next]`, or null when it runs past `end` or is too long. */
function readU32(bytes, at, end) {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (at >= end) return null;
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return [value, at];
  }
  return null;
}

/**
 * `{ sections: [{ id, name, start, end }], customs: [{ name, start, end, payload }], error }`: `start` is the
 * offset of the section's id byte, `end` one past its last byte; a custom section's `name` is its own name.
 * `error` describes where parsing stopped early (null when the whole module was read).
 */
export function readSections(bytes) {
  const sections = [];
  const customs = [];
  const magic = [0x00, 0x61, 0x73, 0x6d];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) {
    return { sections, customs, error: 'no WebAssembly header' };
  }
  sections.push({ id: -1, name: 'header', start: 0, end: 8 });
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const size = readU32(bytes, at, bytes.length);
    if (!size || size[1] + size[0] > bytes.length) {
      return { sections, customs, error: `section at offset ${start} runs past the end` };
    }
    const [length, body] = size;
    const end = body + length;
    let name = SECTION_NAMES[id] ?? `unknown (${id})`;
    if (id === 0) {
      const nameLength = readU32(bytes, body, end);
      if (!nameLength || nameLength[1] + nameLength[0] > end) {
        return { sections, customs, error: `custom section at offset ${start} has a bad name` };
      }
      const customName = new TextDecoder().decode(
        bytes.subarray(nameLength[1], nameLength[1] + nameLength[0]),
      );
      customs.push({
        name: customName,
        start,
        end,
        payload: bytes.subarray(nameLength[1] + nameLength[0], end),
      });
      name = `custom “${customName}”`;
    }
    sections.push({ id, name, start, end });
    at = end;
  }
  return { sections, customs, error: null };
}

/** The section containing `offset`, or null. */
export function sectionAt(sections, offset) {
  return sections.find((s) => offset >= s.start && offset < s.end) ?? null;
}

/**
 * The script manifest (custom section `ugc_script`, UTF-8 JSON, docs/ABI.md): `{ manifest }`, `{ error }` when
 * it is not valid JSON, or null when the module has none.
 */
export function readManifest(customs) {
  const section = customs.find((c) => c.name === 'ugc_script');
  if (!section) return null;
  try {
    return { manifest: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(section.payload)) };
  } catch (error) {
    return { error: `the ugc_script section is not UTF-8 JSON: ${error.message}` };
  }
}
