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

/**
 * Page <head>: installs window.ugcGodot from the glue (served at ./dist/godot/, the runtime at ./dist/).
 * `capabilities`: the allow-list Godot enforces again (default: the runtime's own, when it exposes one).
 */
export function glueHead({ fuel = 5_000_000, capabilities } = {}) {
  const caps = capabilities === undefined ? '' : `, capabilities: ${JSON.stringify(capabilities)}`;
  return `<script type="module">
import { installGodotBridge } from './dist/godot/ugc-godot.js';
installGodotBridge({ loadOptions: { fuel: ${fuel} }${caps} });
</script>`;
}

/** The SDK's example modules (guest/out, `bash scripts/build-guests.sh`), name -> bytes. */
export function sdkModules(names = ['avatar_bob', 'c_spinner', 'toggle_prop', 'face_driver', 'sphere_mesh']) {
  const out = {};
  for (const name of names) {
    const file = path.join(REPO_ROOT, 'guest', 'out', `${name}.wasm`);
    if (!existsSync(file)) throw new Error(`${file} missing: run bash scripts/build-guests.sh`);
    out[`${name}.wasm`] = new Uint8Array(readFileSync(file));
  }
  return out;
}

/**
 * An ABI test module: `hold([object])` keeps the object's handle and writes `position = (1, 2, 3)` on it every
 * frame; `echo(args)` returns its argument Array as it came (Objects, nested containers, packed arrays);
 * `peek([object])` reads the object's `scale` 100 times (each read is a query answered by Godot);
 * `ask([object])` calls the query `is_visible_in_tree` on it and returns 1 on success, else the ABI error code.
 */
export const HOLDER_WAT = `
(module
  (import "ugc" "array_get" (func $array_get (param i32 i32) (result i32)))
  (import "ugc" "retain" (func $retain (param i32) (result i32)))
  (import "ugc" "release" (func $release (param i32) (result i32)))
  (import "ugc" "new_value" (func $new_value (param i32 i32 i32) (result i32)))
  (import "ugc" "object_set" (func $object_set (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "object_get" (func $object_get (param i32 i32 i32) (result i32)))
  (import "ugc" "object_call" (func $object_call (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "new_int" (func $new_int (param i64) (result i32)))
  (memory 1)
  (data (i32.const 0) "position")
  (data (i32.const 32) "scale")
  (data (i32.const 48) "is_visible_in_tree")
  (data (i32.const 16) "\\00\\00\\80\\3f\\00\\00\\00\\40\\00\\00\\40\\40")
  (global $target (mut i32) (i32.const 0))
  (func (export "hold") (param $args i32) (result i32)
    (if (i32.gt_s (global.get $target) (i32.const 0))
      (then (drop (call $release (global.get $target)))))
    (global.set $target (call $array_get (local.get $args) (i32.const 0)))
    (i32.const 0))
  (func (export "peek") (param $args i32) (result i32)
    (local $obj i32) (local $i i32) (local $h i32)
    (local.set $obj (call $array_get (local.get $args) (i32.const 0)))
    (loop $l
      (local.set $h (call $object_get (local.get $obj) (i32.const 32) (i32.const 5)))
      (if (i32.gt_s (local.get $h) (i32.const 0)) (then (drop (call $release (local.get $h)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get $i) (i32.const 100))))
    (drop (call $release (local.get $obj)))
    (i32.const 0))
  (func (export "ask") (param $args i32) (result i32)
    (local $obj i32) (local $r i32)
    (local.set $obj (call $array_get (local.get $args) (i32.const 0)))
    (local.set $r (call $object_call (local.get $obj) (i32.const 48) (i32.const 18) (i32.const 0)))
    (if (i32.gt_s (local.get $r) (i32.const 0)) (then (drop (call $release (local.get $r))) (local.set $r (i32.const 1))))
    (drop (call $release (local.get $obj)))
    (call $new_int (i64.extend_i32_s (local.get $r))))
  (func (export "echo") (param $args i32) (result i32)
    (drop (call $retain (local.get $args)))
    (local.get $args))
  (func (export "_process") (param f64)
    (local $v i32)
    (if (i32.le_s (global.get $target) (i32.const 0)) (then (return)))
    (local.set $v (call $new_value (i32.const 9) (i32.const 16) (i32.const 12)))
    (drop (call $object_set (global.get $target) (i32.const 0) (i32.const 8) (local.get $v)))
    (drop (call $release (local.get $v)))))`;

export const HOLDER_MANIFEST = {
  extends: 'Node3D',
  methods: [{ name: 'hold' }, { name: 'echo' }, { name: 'peek' }, { name: 'ask' }],
};

/**
 * Capability rules in the format the page hands Godot (`ugcGodot.capabilities()`), for tests: the default
 * rules' shape for what the SDK examples touch, except `rotation` read-only, so Godot's own check (not the
 * crate's, which allows it) refuses avatar_bob's rotation writes.
 */
export const TEST_CAPABILITIES = {
  classes: {
    Object: { methods: { get_class: 'query', is_class: 'query' } },
    Node: { parent: 'Object', properties: { name: 'r' }, methods: { is_inside_tree: 'query' } },
    Node3D: {
      parent: 'Node',
      properties: { position: 'rw', rotation: 'r', scale: 'rw', transform: 'rw', visible: 'rw' },
      methods: { rotate_y: 'command', to_global: 'query' },
    },
    VisualInstance3D: { parent: 'Node3D' },
    GeometryInstance3D: { parent: 'VisualInstance3D' },
    MeshInstance3D: {
      parent: 'GeometryInstance3D',
      property_prefixes: { 'blend_shapes/': 'rw' },
      methods: { set_blend_shape_value: 'command' },
    },
  },
  always_refused: ['call', 'set', 'free', 'queue_free', 'set_script', 'script'],
};

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
