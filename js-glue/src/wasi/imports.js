// Checks a module's wasi_snapshot_preview1 imports against SIGNATURES before
// instantiation. JS host functions accept any wasm signature, so without this
// a module declaring e.g. fd_write(i64) would link and silently misbehave.

import { SIGNATURES, WASI_MODULE } from './constants.js';
import { WasiRunError } from './errors.js';

const VALTYPES = {
  0x7f: 'i32',
  0x7e: 'i64',
  0x7d: 'f32',
  0x7c: 'f64',
  0x7b: 'v128',
  0x70: 'funcref',
  0x6f: 'externref',
};

/**
 * Throws WasiRunError `unknown_wasi_import` / `wasi_import_signature` / `wasi_import_kind`.
 * With only a compiled Module, names and kinds are checked; with the bytes, exact types too.
 * @param {WebAssembly.Module} module
 * @param {Uint8Array} [bytes]
 */
export function checkWasiImports(module, bytes) {
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== WASI_MODULE) continue;
    if (!Object.hasOwn(SIGNATURES, imp.name)) {
      throw new WasiRunError(
        'unknown_wasi_import',
        `${WASI_MODULE}.${imp.name} is not a preview-1 function`,
        {
          where: imp.name,
        },
      );
    }
    if (imp.kind !== 'function') {
      throw new WasiRunError(
        'wasi_import_kind',
        `${WASI_MODULE}.${imp.name} must be imported as a function`,
        {
          where: imp.name,
        },
      );
    }
  }
  if (!bytes) return;
  const funcImports = readFuncImports(bytes);
  if (!funcImports) return; // a type form we do not decode (GC rec groups): the names were checked above
  for (const { module: m, name, params, results } of funcImports) {
    if (m !== WASI_MODULE) continue;
    const [wantP, wantR] = SIGNATURES[name];
    if (params.join() !== wantP.join() || results.join() !== wantR.join()) {
      const sig = (p, r) => `(${p.join(', ')}) -> (${r.join(', ')})`;
      throw new WasiRunError(
        'wasi_import_signature',
        `${WASI_MODULE}.${name}: expected ${sig(wantP, wantR)}, module declares ${sig(params, results)}`,
        { where: name },
      );
    }
  }
}

/** Function imports with their types, or null if the type section uses forms this reader skips. */
function readFuncImports(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let pos = 8;
  const u8 = () => {
    if (pos >= b.length) throw new RangeError('truncated');
    return b[pos++];
  };
  const leb = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = u8();
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(byte & 0x80)) return result;
    }
  };
  const name = () => {
    const len = leb();
    const s = new TextDecoder().decode(b.subarray(pos, pos + len));
    pos += len;
    return s;
  };
  const valtype = () => VALTYPES[u8()] ?? null;
  const limits = () => {
    const flags = u8();
    leb();
    if (flags & 1) leb();
  };
  try {
    const types = [];
    while (pos < b.length) {
      const id = u8();
      const size = leb();
      const end = pos + size;
      if (id === 1) {
        const count = leb();
        for (let i = 0; i < count; i++) {
          if (u8() !== 0x60) return null;
          const params = Array.from({ length: leb() }, valtype);
          const results = Array.from({ length: leb() }, valtype);
          if (params.includes(null) || results.includes(null)) return null;
          types.push({ params, results });
        }
      } else if (id === 2) {
        const out = [];
        const count = leb();
        for (let i = 0; i < count; i++) {
          const module = name();
          const field = name();
          const kind = u8();
          if (kind === 0) {
            const t = types[leb()];
            if (!t) return null;
            out.push({ module, name: field, ...t });
          } else if (kind === 1) {
            if (valtype() === null) return null; // typed references: not decoded here
            limits();
          } else if (kind === 2) {
            limits();
          } else if (kind === 3) {
            if (valtype() === null) return null;
            u8();
          } else if (kind === 4) {
            u8();
            leb();
          } else {
            return null;
          }
        }
        return out;
      } else if (id !== 0 && id > 2) {
        return []; // past the import section: no imports
      }
      pos = end;
    }
    return [];
  } catch {
    return null; // malformed bytes: compile already rejected or will reject them
  }
}
