// Unsigned LEB128, the integer encoding of the wasm binary format: for the scripts that write module bytes by
// hand. No node imports, so pages can import it too (scripts/lib/big-module.mjs builds modules in the page).

/** `value` (a u32) as unsigned LEB128 bytes. */
export function leb128(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}
