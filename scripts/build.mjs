#!/usr/bin/env node
// npm run build [-- --dev]: builds the crate for the browser (wasm-pack, --target web) and assembles dist/:
//   dist/ugc-wasm.js          the ES-module entry (createRuntime)
//   dist/ugc-wasm.d.ts        its TypeScript declarations (js-glue/src/ugc-wasm.d.ts; checked by scripts/test.sh)
//   dist/*.js, dist/wasi/     the runtime's other modules (all of js-glue/src), incl. worker.js
//   dist/pkg/ugc_wasm.js      wasm-bindgen's glue for the crate
//   dist/pkg/ugc_wasm_bg.wasm the crate
// Every module finds its neighbours relative to import.meta.url, so dist/ can be served from anywhere.
// Only what this script produces is replaced; other folders in dist/ are left alone. Last, scripts/build-demo.mjs
// assembles the Godot demo export in dist/demo/ (and the page glue in dist/godot/), and
// scripts/build-examples.mjs the playground's example modules in dist/examples/.

import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
const glue = join(root, 'js-glue', 'src');
const dist = join(root, 'dist');
const pkgOut = join(root, 'target', 'wasm-pack', dev ? 'dev' : 'release');

function run(command, args) {
  console.log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// wasm-opt is disabled in crate/Cargo.toml (Debian's binaryen corrupts externref tables).
run('wasm-pack', [
  'build',
  'crate',
  '--target',
  'web',
  dev ? '--dev' : '--release',
  '--out-dir',
  pkgOut,
  '--out-name',
  'ugc_wasm',
  '--no-pack',
]);

function readLeb(bytes, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** The module without its `name` custom section (function names for stack traces: ~20% of the file). */
function stripNames(bytes) {
  const kept = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const [size, body] = readLeb(bytes, at);
    at = body + size;
    if (id === 0) {
      const [nameLength, nameStart] = readLeb(bytes, body);
      const name = new TextDecoder().decode(bytes.subarray(nameStart, nameStart + nameLength));
      if (name === 'name') continue;
    }
    kept.push(bytes.subarray(start, at));
  }
  return Buffer.concat(kept);
}

const glueEntries = readdirSync(glue);
mkdirSync(dist, { recursive: true });
rmSync(join(dist, 'pkg'), { recursive: true, force: true });
for (const name of readdirSync(dist)) {
  if (name.endsWith('.js') && statSync(join(dist, name)).isFile()) rmSync(join(dist, name));
}
// The whole js-glue/src tree (runtime modules, worker entries, wasi/, the entry's ugc-wasm.d.ts), as is.
for (const name of glueEntries) {
  rmSync(join(dist, name), { recursive: true, force: true });
  cpSync(join(glue, name), join(dist, name), { recursive: true });
}
// The declarations sit next to the entry, so `import … from '…/dist/ugc-wasm.js'` is typed.
copyFileSync(join(glue, 'ugc-wasm.d.ts'), join(dist, 'ugc-wasm.d.ts'));
mkdirSync(join(dist, 'pkg'));
for (const name of ['ugc_wasm.js', 'ugc_wasm.d.ts'])
  copyFileSync(join(pkgOut, name), join(dist, 'pkg', name));
const wasm = readFileSync(join(pkgOut, 'ugc_wasm_bg.wasm'));
// Release builds drop the names section; --dev keeps it for readable panics.
writeFileSync(join(dist, 'pkg', 'ugc_wasm_bg.wasm'), dev ? wasm : stripNames(wasm));

const wasmSize = statSync(join(dist, 'pkg', 'ugc_wasm_bg.wasm')).size;
console.log(
  `dist/ assembled (${dev ? 'dev' : 'release'}): ugc-wasm.js, ugc-wasm.d.ts + ${glueEntries.length - 2} other glue entries, ` +
    `pkg/ugc_wasm_bg.wasm ${(wasmSize / 1024).toFixed(0)} KiB`,
);

// The Godot demo export (dist/demo/) is part of the product build: it packs the demo project and copies
// the runtime built above next to the engine.
run('node', ['scripts/build-demo.mjs']);

// The playground's example modules (dist/examples/ + index.json), www/index.html lists them.
run('node', ['scripts/build-examples.mjs']);
