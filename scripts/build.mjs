#!/usr/bin/env node
// npm run build [-- --dev]: builds the crate for the browser (wasm-pack, --target web) and assembles dist/:
//   dist/ugc-wasm.js          the ES-module entry (createRuntime)
//   dist/*.js                 the runtime's other modules (js-glue/src), incl. worker.js
//   dist/pkg/ugc_wasm.js      wasm-bindgen's glue for the crate
//   dist/pkg/ugc_wasm_bg.wasm the crate
// Every module finds its neighbours relative to import.meta.url, so dist/ can be served from anywhere.
// Only what this script produces is replaced; other folders in dist/ (e.g. dist/demo/) are left alone.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
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

const glueFiles = readdirSync(glue).filter((name) => name.endsWith('.js'));
mkdirSync(dist, { recursive: true });
rmSync(join(dist, 'pkg'), { recursive: true, force: true });
for (const name of readdirSync(dist)) {
  if (name.endsWith('.js') && statSync(join(dist, name)).isFile()) rmSync(join(dist, name));
}
mkdirSync(join(dist, 'pkg'));
for (const name of glueFiles) copyFileSync(join(glue, name), join(dist, name));
for (const name of ['ugc_wasm.js', 'ugc_wasm_bg.wasm', 'ugc_wasm.d.ts']) {
  copyFileSync(join(pkgOut, name), join(dist, 'pkg', name));
}

const wasmSize = statSync(join(dist, 'pkg', 'ugc_wasm_bg.wasm')).size;
console.log(
  `dist/ assembled (${dev ? 'dev' : 'release'}): ugc-wasm.js + ${glueFiles.length - 1} modules, ` +
    `pkg/ugc_wasm_bg.wasm ${(wasmSize / 1024).toFixed(0)} KiB`,
);
