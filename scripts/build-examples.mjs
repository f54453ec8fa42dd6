#!/usr/bin/env node
// node scripts/build-examples.mjs (run by `npm run build`): the playground's example modules in dist/examples/,
// listed in dist/examples/index.json as [{ name, file, kind: 'script' | 'wasi', group, description, size,
// preset? }]. `preset` pre-fills the playground's run form (an export and its arguments, or a WASI program's
// args/stdin/files).
//
// Sources: the playground's own small modules (WAT, below), the Godot demo's spinner/hostile/invalid scripts,
// the guest SDK examples (guest/out/, `bash scripts/build-guests.sh`) and a few WASI programs
// (guest/wasi-tests, `bash scripts/build-wasi-tests.sh`). Modules that are not built are skipped with a note, so
// the playground still works from a fresh clone with only `npm run build`.

import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoModules } from '../godot-web-export/demo/modules.mjs';
import { wat, withCustomSection } from './lib/wasm-build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'examples');
const ABI_V1 = [1, 0, 0, 0];

/** Every export a first-time user wants to poke at: typed arguments, a trap, a loop fuel stops, memory growth. */
const CALCULATOR = withCustomSection(
  wat(`
(module
  (import "ugc" "log" (func $log (param i32 i32)))
  (memory 1)
  (data (i32.const 0) "hello from the calculator")
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "mul_f32") (param f32 f32) (result f32) (f32.mul (local.get 0) (local.get 1)))
  (func (export "div_f64") (param f64 f64) (result f64) (f64.div (local.get 0) (local.get 1)))
  (func (export "div_i32") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "divmod") (param i32 i32) (result i32 i32)
    (i32.div_u (local.get 0) (local.get 1)) (i32.rem_u (local.get 0) (local.get 1)))
  (func (export "count_to") (param i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
    (local.get $i))
  (func (export "spin") (loop $l (br $l)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "hello") (call $log (i32.const 0) (i32.const 25))))`),
  'ugc_abi',
  ABI_V1,
);

/**
 * One module breaking several rules at once, each at its own offset: a forbidden import, a reserved export
 * name, a lifecycle export with the wrong signature, too much memory, and `ugc` imports without `ugc_abi`.
 */
const VIOLATIONS = wat(`
(module
  (import "ugc" "log" (func $log (param i32 i32)))
  (import "env" "system" (func $system (param i32) (result i32)))
  (memory 2048)
  (func (export "_process") (param i32))
  (func (export "__ugc_fuel") (result i32) (i32.const 0)))`);

/** Valid under the default policy, refused by the strict one: 512 pages of memory and a SIMD instruction. */
const HEAVY = wat(`
(module
  (memory 512)
  (func (export "splat_sum") (param i32) (result i32)
    (i32x4.extract_lane 3 (i32x4.splat (local.get 0))))
  (func (export "pages") (result i32) (memory.size)))`);

const examples = [];

function add(file, bytes, meta) {
  writeFileSync(join(out, file), bytes);
  examples.push({ name: meta.name ?? file.replace(/\.wasm$/, ''), file, size: bytes.length, ...meta });
}

function addFile(file, source, meta, hint) {
  const path = join(root, source);
  if (!existsSync(path)) {
    console.log(`build-examples: skipped ${file} (${source} not built; ${hint})`);
    return;
  }
  add(file, readFileSync(path), meta);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

add('calculator.wasm', CALCULATOR, {
  kind: 'script',
  group: 'Playground',
  description: 'Numeric exports of every type, a trap (div_i32 by 0), an endless loop (spin), memory.grow.',
  preset: { export: 'add', args: ['2', '3'] },
});
add('violations.wasm', VIOLATIONS, {
  kind: 'script',
  group: 'Playground',
  description: 'Breaks five rules at once: each violation points at its own bytes in the hex view.',
});
add('heavy.wasm', HEAVY, {
  kind: 'script',
  group: 'Playground',
  description: 'Valid by default; the strict policy refuses its 512 memory pages and its SIMD instruction.',
  preset: { export: 'splat_sum', args: ['7'] },
});

const demo = demoModules();
add('spinner.wasm', demo['spinner.wasm'], {
  kind: 'script',
  group: 'Godot demo',
  description: 'The demo’s well-behaved script: lifecycle exports, add/scale, a manifest with properties.',
  preset: { export: 'add', args: ['40', '2'] },
});
add('hostile.wasm', demo['hostile.wasm'], {
  kind: 'script',
  group: 'Godot demo',
  description: 'Hostile: _process never returns; fuel (or the worker timeout) stops it.',
  preset: { export: '_process', args: ['0.016'] },
});
add('invalid.wasm', demo['invalid.wasm'], {
  kind: 'script',
  group: 'Godot demo',
  description: 'Invalid: imports env.system, a function outside the ABI.',
});

const SDK = {
  avatar_bob: 'Avatar animation driver (Rust SDK): procedural bob and sway of its node.',
  toggle_prop: 'Interactive prop (Rust SDK): emits toggled(on) when its `on` property changes.',
  face_driver: 'Facial expressions (Rust SDK): express({smile, jaw, …}) → blend-shape weights.',
  sphere_mesh: 'Procedural mesh (Rust SDK): generate() → the packed arrays of a UV sphere.',
  c_spinner: 'The ABI from plain C (clang): rotates its node, emits turned(count).',
  sdk_selftest: 'The SDK’s self-test: exercises every ABI function.',
};
// Declared methods take Variant arguments: the playground calls them with callMethod.
const SDK_PRESETS = {
  face_driver: { method: 'express', args: [{ smile: 1, jaw: 0.5 }] },
  sphere_mesh: { method: 'generate', args: [] },
};
for (const [name, description] of Object.entries(SDK)) {
  addFile(
    `${name}.wasm`,
    `guest/out/${name}.wasm`,
    { kind: 'script', group: 'Guest SDK examples', description, preset: SDK_PRESETS[name] },
    'bash scripts/build-guests.sh',
  );
}

const WASI_DIR = 'guest/wasi-tests/target/wasm32-wasip1/release';
const WASI_HINT = 'bash scripts/build-wasi-tests.sh';
const WASI = [
  ['hello', 'Prints one line.', { args: ['hello'] }],
  [
    'echo',
    'Reads stdin line by line and streams each line back upper-cased (type “quit” to stop).',
    { args: ['echo'], stdin: 'hello\nplayground\n' },
  ],
  ['args_env', 'Prints its arguments and environment.', { args: ['args_env', 'one', 'two'], env: 'LANG=C' }],
  [
    'copy',
    'copy SRC DST: copies a file through fd_read/fd_write.',
    { args: ['copy', '/data/in.txt', '/data/out.txt'], files: { '/data/in.txt': 'hello from a file\n' } },
  ],
  ['exit_code', 'Exits with the code given as its first argument.', { args: ['exit_code', '3'] }],
];
for (const [name, description, preset] of WASI) {
  addFile(
    `${name}.wasm`,
    `${WASI_DIR}/${name}.wasm`,
    { kind: 'wasi', group: 'WASI programs', description, preset },
    WASI_HINT,
  );
}
addFile(
  'pulldown-cmark.wasm',
  'guest/wasi-tests/target/third-party/pulldown-cmark-0.13.0/bin/pulldown-cmark.wasm',
  {
    kind: 'wasi',
    group: 'WASI programs',
    description: 'pulldown-cmark 0.13 (a Rust CLI from crates.io): Markdown on stdin → HTML on stdout.',
    preset: { args: ['pulldown-cmark'], stdin: '# Hello\n\nSome *Markdown* from the playground.\n' },
  },
  WASI_HINT,
);

writeFileSync(join(out, 'index.json'), `${JSON.stringify(examples, null, 2)}\n`);

/** Files under `dir` (repository-relative, `/`-separated), skipping the folders in `skip`. */
function files(dir, skip = []) {
  const found = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = `${dir}/${name}`;
    if (skip.includes(path)) continue;
    if (statSync(join(root, path)).isDirectory()) found.push(...files(path, skip));
    else found.push(path);
  }
  return found;
}

// What the playground's service worker (www/playground.sw.js) keeps for offline use: the page, its modules,
// the runtime (worker entries and WASI host included, which load lazily) and the examples. Not the Godot demo.
const precache = [
  'www/',
  'www/index.html',
  'www/playground.css',
  ...files('www/playground'),
  ...files('dist', ['dist/demo', 'dist/godot', 'dist/examples/precache.json', 'dist/playground-sw.js']),
].map((path) => ({
  url: relative('www', path).split('\\').join('/') || './',
  // The SW re-downloads an entry only when its hash changes; `www/` is index.html itself.
  sha256: createHash('sha256')
    .update(readFileSync(join(root, path.endsWith('/') ? `${path}index.html` : path)))
    .digest('hex'),
}));
// The same service worker for the runtime's worker scripts, whose URLs lie outside www/ (see the file).
copyFileSync(join(root, 'www', 'playground.sw.js'), join(root, 'dist', 'playground-sw.js'));
writeFileSync(join(out, 'precache.json'), `${JSON.stringify(precache, null, 2)}\n`);
console.log(`dist/examples/: ${examples.length} example modules, precache.json (${precache.length} files)`);
