// The addon's GDScript side with hostile module bytes, in the real engine: WasmManifest reads the
// `ugc_script` section bounds-checked and answers malformed input with typed errors; WasmScript drops bad
// declarations (bad names, unsupported types, clashes with the node's own properties) and a module whose
// manifest is unusable leaves its node invalid; re-attaching a module replays _enter_tree/_ready. Needs dist/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { scriptModule, SPINNER_MANIFEST, SPINNER_WAT } from '../godot-web-export/demo/modules.mjs';
import { wat, withCustomSection } from '../scripts/lib/wasm-build.mjs';
import { bootGodot } from './lib/godot.mjs';
import { addonProject, glueHead, glueServe, waitForJson } from './godot-addon-lib.mjs';

const LONGEST_NAME = `p${'a'.repeat(255)}`;
const PLAIN = wat('(module (func (export "_process") (param f64)))');
const MODULES = {
  'garbage.wasm': new TextEncoder().encode('hello, not wasm'),
  // A custom section that claims 100 bytes and has 3.
  'truncated.wasm': new Uint8Array([...PLAIN, 0, 100, 1, 0x61, 0x62]),
  // A section size LEB128 longer than 5 bytes.
  'long_leb.wasm': new Uint8Array([...PLAIN, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  'bad_json.wasm': withCustomSection(PLAIN, 'ugc_script', '{"properties": [ nope'),
  'not_object.wasm': withCustomSection(PLAIN, 'ugc_script', '[1, 2]'),
  'plain.wasm': PLAIN,
  'odd_decls.wasm': scriptModule('(module (func (export "_ready")))', {
    properties: [
      { name: '__secret', type: 'int' },
      { name: 'has space', type: 'int' },
      { name: 'position', type: 'Vector3' },
      { name: 'thing', type: 'Object' },
      { name: 'mystery', type: 'NoSuchType' },
      { name: 'fine', type: 'int', default: 2, hint: 'no_such_hint' },
      // The crate's name cap (abi::MAX_NAME_LEN): kept at 256 bytes, dropped at 257.
      { name: LONGEST_NAME, type: 'int' },
      { name: `${LONGEST_NAME}a`, type: 'int' },
      'not a dict',
    ],
    signals: [{ name: 'ok_signal', args: [{ name: 'x', type: 'int' }] }, { name: 'bad-signal' }],
    methods: [{ name: 'ok_method' }, { name: '1bad' }],
  }),
  'spinner.wasm': scriptModule(SPINNER_WAT, SPINNER_MANIFEST),
};

const MAIN_GD = `extends Node

const WasmScriptRes := preload("res://addons/ugc_wasm/wasm_script.gd")


func _ready() -> void:
	var report := {"parse": {}}
	for name in ["garbage", "truncated", "long_leb", "bad_json", "not_object", "plain", "odd_decls"]:
		var bytes := FileAccess.get_file_as_bytes("res://modules/%s.wasm" % name)
		var m := WasmManifest.parse(bytes)
		var props := []
		for p in m.properties:
			props.append([p.name, type_string(p.type), p.hint, var_to_str(p.default)])
		report.parse[name] = {"error": m.get("error", {}), "props": props, "signals": m.signals.map(func(s): return s.name), "methods": m.methods.map(func(s): return s.name), "warnings": m.warnings.size()}
	report.parse_empty = WasmManifest.parse(PackedByteArray()).get("error", {})

	var bad = Node3D.new()
	bad.name = "BadJson"
	bad.set_script(WasmScriptRes)
	bad.wasm_module = load("res://modules/bad_json.wasm")
	add_child(bad)
	var odd = Node3D.new()
	odd.name = "Odd"
	odd.set_script(WasmScriptRes)
	odd.position = Vector3(5, 0, 0)
	odd.wasm_module = load("res://modules/odd_decls.wasm")
	add_child(odd)
	var swap = Node3D.new()
	swap.name = "Swap"
	swap.set_script(WasmScriptRes)
	swap.wasm_module = load("res://modules/plain.wasm")
	add_child(swap)
	for i in 300:
		await get_tree().process_frame
		if bad.wasm_state == "invalid" and odd.wasm_state != "loading" and swap.wasm_state == "running":
			break
	# Swap the module of a live node: the new instance gets _enter_tree and _ready too.
	swap.wasm_module = load("res://modules/spinner.wasm")
	for i in 300:
		await get_tree().process_frame
		if swap.wasm_state == "running" and int(swap.call_wasm("frames")) > 0:
			break
	report.bad = {"state": bad.wasm_state, "error": bad.wasm_error, "warnings": Array(bad._get_configuration_warnings())}
	report.warnings = {"odd": Array(odd._get_configuration_warnings()), "swap": Array(swap._get_configuration_warnings())}
	report.odd = {"state": odd.wasm_state, "error": odd.wasm_error.get("code", ""), "message": odd.wasm_error.get("message", ""), "position": var_to_str(odd.position), "fine": odd.get("fine"), "has_signal": odd.has_signal("ok_signal"), "has_method": odd.has_wasm_method("ok_method")}
	var names := []
	for p in odd.get_property_list():
		if p.usage & PROPERTY_USAGE_SCRIPT_VARIABLE and not p.name.begins_with("wasm_") and not p.name.begins_with("_"):
			names.append(p.name)
	report.odd_props = names
	report.swap = {"state": swap.wasm_state, "frames": swap.call_wasm("frames"), "speed": swap.get("speed")}
	print("UGC_MANIFEST " + JSON.stringify(report))
`;

describe('ugc_wasm addon: hostile manifests', () => {
  let godot;
  let report;
  let status;
  before(async () => {
    godot = await bootGodot({
      files: addonProject({ mainGd: MAIN_GD, modules: MODULES }),
      head: glueHead(),
      serve: glueServe(),
    });
    report = await waitForJson(godot, 'UGC_MANIFEST');
    status = await godot.page.evaluate(() => window.ugcGodot.status());
  });
  after(async () => {
    await godot?.close();
  });

  test('malformed bytes give typed errors, not crashes', () => {
    assert.equal(report.parse.garbage.error.code, 'manifest_not_wasm');
    assert.equal(report.parse_empty.code, 'manifest_not_wasm');
    assert.equal(report.parse.truncated.error.code, 'manifest_malformed');
    assert.equal(report.parse.long_leb.error.code, 'manifest_malformed');
    assert.equal(report.parse.bad_json.error.code, 'manifest_json');
    assert.equal(report.parse.not_object.error.code, 'manifest_json');
  });

  test('a module without a manifest declares nothing and is fine', () => {
    assert.deepEqual(report.parse.plain, {
      error: {},
      props: [],
      signals: [],
      methods: [],
      warnings: 0,
    });
  });

  test('bad declarations are dropped with warnings; good ones kept', () => {
    const odd = report.parse.odd_decls;
    assert.deepEqual(odd.error, {});
    assert.deepEqual(
      odd.props.map((p) => p[0]),
      ['position', 'fine', LONGEST_NAME],
    );
    assert.deepEqual(odd.props[1], ['fine', 'int', 0, '2']);
    assert.deepEqual(odd.signals, ['ok_signal']);
    assert.deepEqual(odd.methods, ['ok_method']);
    assert.ok(odd.warnings >= 6, JSON.stringify(odd));
  });

  test("a declaration clashing with the node's own property is ignored", () => {
    assert.deepEqual(report.odd_props, ['fine', LONGEST_NAME]);
    assert.equal(report.odd.position, 'Vector3(5, 0, 0)');
    assert.equal(report.odd.fine, 2);
    assert.equal(report.odd.has_signal, true);
    assert.equal(report.odd.has_method, true);
    // The module imports nothing from `ugc`, so no script host reads its manifest: it runs, and GDScript has
    // dropped the bad declarations with warnings (checked above). Modules with a script host get their manifest
    // refused by the runtime instead (tests-web/runtime-shared.test.mjs).
    assert.equal(report.odd.state, 'running', report.odd.message);
  });

  test('an unusable manifest leaves the node invalid with the manifest code', () => {
    assert.equal(report.bad.state, 'invalid');
    assert.equal(report.bad.error.code, 'manifest_json');
    const entry = status.scripts.find((s) => s.node === '/root/Main/BadJson');
    assert.equal(entry.state, 'invalid');
    assert.equal(entry.error.code, 'manifest_json');
  });

  test('editor configuration warnings name the problem (none for a good module on the web)', () => {
    assert.equal(report.bad.warnings.length, 1);
    assert.match(report.bad.warnings[0], /^manifest_json: /);
    assert.ok(report.warnings.odd.length >= 5);
    assert.ok(report.warnings.odd.every((w) => w.startsWith('manifest: ')));
    assert.deepEqual(report.warnings.swap, []);
  });

  test('swapping the module of a live node replays _enter_tree and _ready', () => {
    assert.equal(report.swap.state, 'running');
    assert.ok(report.swap.frames > 0);
    assert.equal(report.swap.speed, 1.5);
    const entry = status.scripts.find((s) => s.node === '/root/Main/Swap');
    assert.equal(entry.module, 'spinner.wasm');
    assert.equal(entry.calls._enter_tree, 1);
    assert.equal(entry.calls._ready, 1);
  });

  test('no script errors', () => {
    assert.deepEqual(godot.scriptErrors(), []);
  });
});
