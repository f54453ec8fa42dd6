// Shared by the godot-addon-* tests: a Godot project in memory made of the real addon
// (godot-web-export/addons/ugc_wasm), the demo's Wasm modules and a test's own main.gd, and the page-side
// <head> that installs the addon's JS glue (js-glue/src/godot) on top of dist/ugc-wasm.js.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './lib/godot.mjs';

export const ADDON_DIR = path.join(REPO_ROOT, 'godot-web-export/addons/ugc_wasm');

/** Addon files for a project (the editor plugin is left out: EditorPlugin does not exist at runtime). */
export function addonFiles() {
  const files = {};
  for (const name of readdirSync(ADDON_DIR)) {
    if (name === 'plugin.gd' || name === 'plugin.cfg') continue;
    files[`addons/ugc_wasm/${name}`] = readFileSync(path.join(ADDON_DIR, name), 'utf8');
  }
  return files;
}

export const PROJECT_GODOT = `config_version=5

[application]

config/name="ugc-addon-test"
run/main_scene="res://main.tscn"

[autoload]

UgcRuntime="*res://addons/ugc_wasm/ugc_runtime.gd"
`;

export const MAIN_TSCN = `[gd_scene load_steps=2 format=3]

[ext_resource type="Script" path="res://main.gd" id="1"]

[node name="Main" type="Node"]
script = ExtResource("1")
`;

/** A project: the addon, `modules` (name -> bytes, under res://modules/), `main.gd` and any extra files. */
export function addonProject({ mainGd, modules = {}, extra = {} }) {
  const files = {
    'project.godot': PROJECT_GODOT,
    'main.tscn': MAIN_TSCN,
    'main.gd': mainGd,
    ...addonFiles(),
    ...extra,
  };
  for (const [name, bytes] of Object.entries(modules)) files[`modules/${name}`] = bytes;
  return files;
}

/** Page <head>: installs window.ugcGodot from the glue (served at ./dist/godot/, the runtime at ./dist/). */
export function glueHead({ fuel = 2_000_000 } = {}) {
  return `<script type="module">
import { installGodotBridge } from './dist/godot/ugc-godot.js';
installGodotBridge({ loadOptions: { fuel: ${fuel} } });
</script>`;
}

/** Serve options for bootGodot: dist/ (npm run build) plus the glue straight from the source tree. */
export function glueServe() {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'ugc-wasm.js')))
    throw new Error('dist/ missing: run npm run build');
  return {
    mounts: {
      '/dist/': path.join(REPO_ROOT, 'dist'),
      '/dist/godot/': path.join(REPO_ROOT, 'js-glue/src/godot'),
    },
  };
}

/** The JSON after `prefix` on the first console line that has it. */
export async function waitForJson(godot, prefix, timeout = 60_000) {
  const line = await godot.waitForLine(new RegExp(`^${prefix} `), { timeout });
  return JSON.parse(line.slice(prefix.length + 1));
}
