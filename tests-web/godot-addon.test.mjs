// The ugc_wasm addon in the real Godot 4.6 web engine: a node gets a Wasm module as its script with
// set_script, shows the module's declared properties, has its lifecycle forwarded by the UgcRuntime autoload
// in one JavaScriptBridge crossing per frame, and fails alone (faulted / invalid / missing) with typed errors.
// Needs dist/ (npm run build).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { demoModules } from '../godot-web-export/demo/modules.mjs';
import { bootGodot } from './lib/godot.mjs';
import { addonProject, glueHead, glueServe, waitForJson } from './godot-addon-lib.mjs';

const SCENE = `[gd_scene load_steps=3 format=3]

[ext_resource type="Script" path="res://addons/ugc_wasm/wasm_script.gd" id="1"]
[ext_resource type="Resource" path="res://modules/spinner.wasm" id="2"]

[node name="FromScene" type="Node3D"]
script = ExtResource("1")
label = "from the scene"
wasm_module = ExtResource("2")
speed = 7.5
`;

const MAIN_GD = `extends Node

const WasmScriptRes := preload("res://addons/ugc_wasm/wasm_script.gd")
const RuntimeRes := preload("res://addons/ugc_wasm/ugc_runtime.gd")

var failures := {}
var toggled := []


func _make(node_name: String, module_path: String):
	var n = Node3D.new()
	n.name = node_name
	n.set_script(WasmScriptRes)
	if module_path != "":
		n.wasm_module = load(module_path)
	n.wasm_failed.connect(func(e): failures[node_name] = e)
	return n


func _props(n: Node) -> Dictionary:
	var out := {}
	for p in n.get_property_list():
		if p.usage & PROPERTY_USAGE_SCRIPT_VARIABLE and p.name in ["speed", "count", "label", "tint", "offset", "power"]:
			out[p.name] = {"type": type_string(p.type), "hint": p.hint, "hint_string": p.hint_string}
	return out


func _ready() -> void:
	var report := {}
	var spinner_module = load("res://modules/spinner.wasm")
	report.loader_class = spinner_module.get_script().get_global_name() if spinner_module else "null"
	report.manifest_before_tree = _props(_make("Probe", "res://modules/spinner.wasm"))

	# A: values set before the module is set are kept; native properties still work.
	var a = Node3D.new()
	a.name = "A"
	a.set_script(WasmScriptRes)
	a.set("speed", 4)
	a.set("mystery", "kept")
	a.position = Vector3(1, 2, 3)
	a.wasm_module = spinner_module
	a.wasm_failed.connect(func(e): failures["A"] = e)
	add_child(a)
	var b = _make("Hostile", "res://modules/hostile.wasm")
	add_child(b)
	var c = _make("Invalid", "res://modules/invalid.wasm")
	c.set("power", 42)
	add_child(c)
	var d = _make("Missing", "")
	add_child(d)
	var e = _make("Boom", "res://modules/spinner.wasm")
	add_child(e)

	for i in 600:
		await get_tree().process_frame
		if a.wasm_state == "running" and e.wasm_state == "running" and b.wasm_state == "faulted" and c.wasm_state == "invalid":
			break
	report.states = {"A": a.wasm_state, "Hostile": b.wasm_state, "Invalid": c.wasm_state, "Missing": d.wasm_state, "Boom": e.wasm_state}
	report.errors = {"Hostile": b.wasm_error, "Invalid": c.wasm_error, "Missing": d.wasm_error}

	report.props = _props(a)
	report.values = {"speed": a.get("speed"), "speed_type": type_string(typeof(a.get("speed"))), "count": a.get("count"), "label": a.label, "tint": var_to_str(a.get("tint")), "offset": var_to_str(a.get("offset")), "mystery": a.get("mystery"), "position": var_to_str(a.position)}
	a.set("count", 12.9)
	a.label = "renamed"
	report.after_set = {"count": a.get("count"), "count_type": type_string(typeof(a.get("count"))), "label": a.get("label")}
	report.can_revert = a.property_can_revert("speed")
	report.revert = a.property_get_revert("speed")
	report.invalid_kept = {"power": c.get("power"), "in_tree": c.is_inside_tree()}
	report.hostile_kept = {"speed": b.get("speed"), "in_tree": b.is_inside_tree()}

	a.connect("toggled", func(on): toggled.append(on))
	a.emit_signal("toggled", true)
	report.toggled = toggled
	report.has_signal = a.has_signal("toggled")

	var bridge := JavaScriptBridge.get_interface("ugcGodot")
	var js_frames_before: int = bridge.frames
	var godot_frames_before := Engine.get_process_frames()
	var frames_before = a.call_wasm("frames")
	for i in 30:
		await get_tree().process_frame
	report.crossings = {"js_frames": int(bridge.frames) - js_frames_before, "godot_frames": Engine.get_process_frames() - godot_frames_before}
	report.calls = {"add": a.call_wasm("add", [2, 3]), "scale": a.call_wasm("scale", [1.5, 2.25]), "frames_grew": int(a.call_wasm("frames")) - int(frames_before), "has_add": a.has_wasm_method("add"), "unknown": a.call_wasm("nope", [])}
	report.state_after_unknown = a.wasm_state
	report.boom = {"result": e.call_wasm("boom"), "state": e.wasm_state, "error": e.wasm_error}
	report.failures = failures

	# A scene file that sets a declared property before wasm_module.
	var scene: Node = load("res://scene.tscn").instantiate()
	add_child(scene)
	report.scene = {"label": scene.get("label"), "speed": scene.get("speed"), "processing": scene.is_processing(), "physics": scene.is_physics_processing()}
	# Freeing a node runs _exit_tree in the guest and drops the script on the page.
	for i in 300:
		await get_tree().process_frame
		if scene.wasm_state == "running" and int(scene.call_wasm("frames")) > 0:
			break
	scene.queue_free()
	for i in 3:
		await get_tree().process_frame
	report.web_only = {"web": RuntimeRes.platform_error(true), "native": RuntimeRes.platform_error(false)}
	# The native path: a runtime that decided it is not on the web fails a script with web_only.
	var offline = RuntimeRes.new()
	offline.unavailable = RuntimeRes.platform_error(false)
	var f = _make("Offline", "res://modules/spinner.wasm")
	f._id = 99
	offline.attach(f)
	report.offline = {"state": f.wasm_state, "error": f.wasm_error, "signal": failures.get("Offline", {})}
	f._id = 0
	f.free()
	offline.free()
	print("UGC_ADDON " + JSON.stringify(report))
`;

describe('ugc_wasm addon (Godot 4.6 web)', () => {
  let godot;
  let report;
  let status;
  before(async () => {
    godot = await bootGodot({
      files: addonProject({
        mainGd: MAIN_GD,
        modules: demoModules(),
        extra: { 'scene.tscn': SCENE },
      }),
      head: glueHead(),
      serve: glueServe(),
    });
    report = await waitForJson(godot, 'UGC_ADDON');
    await godot.waitForLine(/\[ugc \/root\/Main\/FromScene\] exit_tree/);
    status = await godot.page.evaluate(() => window.ugcGodot.status());
  });
  after(async () => {
    await godot?.close();
  });

  test('loads .wasm files as WasmModule and reads the manifest without the runtime', () => {
    assert.equal(report.loader_class, 'WasmModule');
    assert.deepEqual(Object.keys(report.manifest_before_tree).sort(), [
      'count',
      'label',
      'offset',
      'speed',
      'tint',
    ]);
  });

  test('declared properties appear with their types and hints', () => {
    assert.deepEqual(report.props.speed, { type: 'float', hint: 1, hint_string: '0,10,0.1' });
    assert.equal(report.props.count.type, 'int');
    assert.equal(report.props.label.type, 'String');
    assert.equal(report.props.tint.type, 'Color');
    assert.equal(report.props.offset.type, 'Vector3');
  });

  test('values set before the module are kept (and typed); defaults fill the rest', () => {
    assert.equal(report.values.speed, 4);
    assert.equal(report.values.speed_type, 'float');
    assert.equal(report.values.count, 3);
    assert.equal(report.values.label, 'spinner');
    assert.equal(report.values.tint, 'Color(1, 0.5, 0, 1)');
    assert.equal(report.values.offset, 'Vector3(0, 1, 0)');
    assert.equal(report.values.mystery, 'kept');
    assert.equal(report.values.position, 'Vector3(1, 2, 3)');
    assert.deepEqual(report.after_set, { count: 12, count_type: 'int', label: 'renamed' });
    assert.equal(report.can_revert, true);
    assert.equal(report.revert, 1.5);
  });

  test('lifecycle is forwarded: _enter_tree, _ready once, _process every frame, _physics_process', () => {
    const a = status.scripts.find((s) => s.node === '/root/Main/A');
    assert.equal(a.state, 'running');
    assert.equal(a.calls._enter_tree, 1);
    assert.equal(a.calls._ready, 1);
    assert.ok(a.calls._process > 30, JSON.stringify(a.calls));
    assert.ok(a.calls._physics_process > 0, JSON.stringify(a.calls));
    assert.ok(godot.console.grep(/\[ugc \/root\/Main\/A\] ready/).length === 1);
    assert.ok(godot.console.grep(/\[ugc \/root\/Main\/A\] first process/).length === 1);
  });

  test('methods the module exports are callable from GDScript', () => {
    assert.equal(report.calls.add, 5);
    assert.equal(report.calls.scale, 3.375);
    assert.ok(report.calls.frames_grew >= 30, JSON.stringify(report.calls));
    assert.equal(report.calls.has_add, true);
    assert.equal(report.calls.unknown, null);
    assert.equal(report.state_after_unknown, 'running', 'an unknown method does not fault the script');
  });

  test('declared signals can be connected', () => {
    assert.equal(report.has_signal, true);
    assert.deepEqual(report.toggled, [true]);
  });

  test('a hostile module faults alone with fuel_exhausted, keeping its node and values', () => {
    assert.equal(report.states.Hostile, 'faulted');
    assert.equal(report.errors.Hostile.code, 'fuel_exhausted');
    assert.equal(report.failures.Hostile.code, 'fuel_exhausted');
    assert.deepEqual(report.hostile_kept, { speed: 9, in_tree: true });
    assert.equal(report.states.A, 'running');
    assert.ok(report.calls.frames_grew >= 30, 'A kept running after the hostile node faulted');
    assert.ok(godot.console.grep(/ugc_wasm: \/root\/Main\/Hostile .*fuel_exhausted/).length >= 1);
  });

  test('an invalid module is invalid with the validation code; its values are kept', () => {
    assert.equal(report.states.Invalid, 'invalid');
    assert.equal(report.errors.Invalid.code, 'validation');
    assert.match(report.errors.Invalid.detail, /^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*$/);
    assert.deepEqual(report.invalid_kept, { power: 42, in_tree: true });
    const entry = status.scripts.find((s) => s.node === '/root/Main/Invalid');
    assert.equal(entry.state, 'invalid');
    assert.equal(entry.error.code, 'validation');
  });

  test('a node without a module is invalid with module_missing', () => {
    assert.equal(report.states.Missing, 'invalid');
    assert.equal(report.errors.Missing.code, 'module_missing');
  });

  test('a trap in a method call faults that script with trap', () => {
    assert.equal(report.boom.result, null);
    assert.equal(report.boom.state, 'faulted');
    assert.equal(report.boom.error.code, 'trap');
    assert.equal(report.failures.Boom.code, 'trap');
  });

  test('one JavaScriptBridge crossing per frame drives every Wasm script', () => {
    assert.equal(report.crossings.js_frames, report.crossings.godot_frames);
    assert.equal(report.crossings.godot_frames, 30);
    // Two distinct modules behind five nodes: each sent once.
    assert.equal(status.crossings.addModule, 3);
    assert.ok(status.scripts.length >= 5);
  });

  test('outside the web the runtime fails scripts loudly with web_only', () => {
    assert.deepEqual(report.web_only.web, {});
    assert.equal(report.web_only.native.code, 'web_only');
    assert.match(report.web_only.native.message, /web export/);
    assert.equal(report.offline.state, 'invalid');
    assert.equal(report.offline.error.code, 'web_only');
    assert.equal(report.offline.signal.code, 'web_only');
  });

  test('a .tscn property written before wasm_module is kept; Wasm nodes do not process', () => {
    assert.deepEqual(report.scene, {
      label: 'from the scene',
      speed: 7.5,
      processing: false,
      physics: false,
    });
  });

  test('a freed node gets _exit_tree and is dropped from the page', () => {
    assert.equal(
      status.scripts.some((s) => s.node === '/root/Main/FromScene'),
      false,
      JSON.stringify(status.scripts.map((s) => s.node)),
    );
  });

  test('no script errors', () => {
    assert.deepEqual(godot.scriptErrors(), []);
  });
});
