// Building small wasm modules from WAT for the demo, the tests and the benchmarks: wabt's wat2wasm
// (installed by scripts/setup.sh) plus the custom sections it cannot emit (`@custom` annotations).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leb128 } from './leb128.mjs';

const watCache = new Map();

/** WAT text → wasm bytes (wabt's wat2wasm, all features on). Cached per source text. */
export function wat(source) {
  let bytes = watCache.get(source);
  if (bytes) return bytes;
  const dir = mkdtempSync(join(tmpdir(), 'ugc-wat-'));
  try {
    writeFileSync(join(dir, 'm.wat'), source);
    const result = spawnSync('wat2wasm', ['--enable-all', 'm.wat', '-o', 'm.wasm'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (result.error) throw new Error(`wat2wasm not found (apt-get install wabt): ${result.error.message}`);
    if (result.status !== 0) throw new Error(`wat2wasm failed:\n${result.stderr}\n${source}`);
    bytes = new Uint8Array(readFileSync(join(dir, 'm.wasm')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  watCache.set(source, bytes);
  return bytes;
}

/** `bytes` with a custom section `name` appended; `payload` is bytes or a string (UTF-8). */
export function withCustomSection(bytes, name, payload) {
  const nameBytes = new TextEncoder().encode(name);
  const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const body = [...leb128(nameBytes.length), ...nameBytes, ...data];
  return new Uint8Array([...bytes, 0, ...leb128(body.length), ...body]);
}
