// The addon with the guest ABI, in the real Godot 4.6 web engine: the SDK's example modules move their nodes
// through the per-frame batch (avatar_bob, c_spinner), react to properties the game sets (toggle_prop), emit
// signals, and answer Variant method calls (face_driver, sphere_mesh); Objects cross both ways; writes to a
// freed object, to an unknown id and outside Godot's copy of the capability rules are refused, never fatal.
// Also prints what applying the batch costs per node (not asserted: tests never assert on time).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { scriptModule } from '../godot-web-export/demo/modules.mjs';
import { bootGodot } from './lib/godot.mjs';
import {
  HOLDER_MANIFEST,
  HOLDER_WAT,
  TEST_CAPABILITIES,
  addonProject,
  glueHead,
  glueServe,
  sdkModules,
  waitForJson,
} from './godot-addon-lib.mjs';

const MAIN_GD = `extends Node

const WasmScriptRes := preload("res://addons/ugc_wasm/wasm_script.gd")
const APPLY_NODES := 1000

var report := {}
var turned := []
var toggled := []
var refused := []


func _make(node: Node, node_name: String, module: String, props := {}) -> Node:
	node.name = node_name
	node.set_script(WasmScriptRes)
	for key in props:
		node.set(key, props[key])
	node.wasm_module = load(module)
	add_child(node)
	return node


func _frames(n: int) -> void:
	for i in n:
		await get_tree().process_frame


func _ready() -> void:
	var runtime = get_node("/root/UgcRuntime")
	runtime.batch_refused.connect(func(error): refused.append(error))
	var bob_node := Node3D.new()
	bob_node.position = Vector3(1, 2, 3)
	var bob = _make(bob_node, "Bob", "res://modules/avatar_bob.wasm", {"amplitude": 0.5, "frequency": 2.0})
	var spin = _make(Node3D.new(), "Spin", "res://modules/c_spinner.wasm", {"speed": 60.0})
	var toggle = _make(MeshInstance3D.new(), "Toggle", "res://modules/toggle_prop.wasm")
	var face = _make(MeshInstance3D.new(), "Face", "res://modules/face_driver.wasm")
	var sphere = _make(MeshInstance3D.new(), "Sphere", "res://modules/sphere_mesh.wasm", {"rings": 4, "segments": 6})
	var holder = _make(Node3D.new(), "Holder", "res://modules/holder.wasm")
	var nodes := [bob, spin, toggle, face, sphere, holder]
	for i in 600:
		await get_tree().process_frame
		if nodes.all(func(n): return n.wasm_state != "loading"):
			break
	report.states = {}
	for n in nodes:
		report.states[n.name] = [n.wasm_state, n.wasm_error]
	spin.connect("turned", func(count): turned.append(count))
	toggle.connect("toggled", func(on): toggled.append(on))

	# Batch writes: avatar_bob bobs around the position it read in _ready (a query answered by Godot).
	var ys := []
	var spin_start: float = spin.rotation.y
	for i in 40:
		await get_tree().process_frame
		ys.append(bob.position.y)
	report.bob = {"x": bob.position.x, "z": bob.position.z, "y_min": ys.min(), "y_max": ys.max(), "rotation": var_to_str(bob.rotation)}
	report.spin = {"start": spin_start, "now": spin.rotation.y, "turned": turned.duplicate()}

	# A declared property set by the game reaches the guest's _property_changed.
	toggle.set("on", true)
	await _frames(3)
	report.toggle = {"scale": var_to_str(toggle.scale), "on": toggle.get("on"), "toggled": toggled.duplicate()}
	toggle.set("on", false)
	await _frames(3)
	report.toggle_off = {"scale": var_to_str(toggle.scale), "toggled": toggled.duplicate()}

	# Variant methods: Dictionaries and packed arrays both ways.
	var weights = face.call_wasm("express", [{"smile": 0.8, "jaw": 0.2}])
	report.express = {"type": type_string(typeof(weights)), "value": weights}
	var mesh = sphere.call_wasm("generate", [])
	report.sphere = {"type": type_string(typeof(mesh))}
	if mesh is Dictionary:
		report.sphere.keys = mesh.keys()
		for key in mesh:
			report.sphere[key] = [type_string(typeof(mesh[key])), mesh[key].size()]

	# Objects: echoed intact; a held object is written every frame until it is freed.
	var target := Node3D.new()
	target.name = "Target"
	add_child(target)
	var echoed = holder.call_wasm("echo", [target, [1, "two", Vector3(3, 4, 5)], {"k": PackedInt32Array([1, 2])}])
	report.echo = {"size": echoed.size() if echoed is Array else -1, "same_object": echoed is Array and echoed[0] == target, "nested": var_to_str(echoed[1]) if echoed is Array else "", "dict": var_to_str(echoed[2]) if echoed is Array else ""}
	# A query the crate allows but Godot's rules (the page's) do not: the guest gets bad_value (-10).
	report.ask = holder.call_wasm("ask", [target])
	holder.call_wasm("hold", [target])
	await _frames(3)
	report.held = var_to_str(target.position)
	var target_id := target.get_instance_id()
	target.free()
	await _frames(5)
	report.after_free = {"holder": holder.wasm_state, "gone": runtime.refusals.get("object_gone", 0), "registered": runtime.registry.entries.has(target_id)}

	# Godot-side refusals of entries the page should never send.
	var bob_id: int = bob.get_instance_id()
	runtime.apply_batch([
		[1, bob_id, &"queue_free", []],
		[0, bob_id, &"name", "Hacked"],
		[0, bob_id, &"script", null],
		[0, 987654321, &"position", Vector3.ZERO],
		[2, target_id, &"turned", [1]],
		[2, bob_id, &"tree_exited", []],
		# A prefix grants one well-formed segment only (face_driver's own blend shape writes pass).
		[0, face.get_instance_id(), &"blend_shapes/a:b", 0.5],
		[0, face.get_instance_id(), &"blend_shapes/a/b", 0.5],
	])
	await _frames(1)
	# Columnar entries (tag 3): writes in order, refusals per write, the cached typed loop.
	var c1 := Node3D.new()
	var c2 := Node3D.new()
	add_child(c1)
	add_child(c2)
	runtime.registry.add(c1)
	runtime.registry.add(c2)
	var col_ids := PackedInt64Array([c1.get_instance_id(), c2.get_instance_id()])
	var col := {}
	var n0 := refused.size()
	runtime.apply_batch([[3, &"position", PackedInt64Array([col_ids[0], 987654322, col_ids[1], col_ids[0]]), PackedVector3Array([Vector3(1, 0, 0), Vector3(9, 9, 9), Vector3(2, 0, 0), Vector3(3, 0, 0)])]])
	col.first = [c1.position.x, c2.position.x]
	runtime.apply_batch([[3, &"position", col_ids, PackedVector3Array([Vector3(4, 0, 0), Vector3(5, 0, 0)])]])
	col.cached = runtime._columns.has([&"position", 2, col_ids[0]])
	runtime.apply_batch([[3, &"position", col_ids, PackedVector3Array([Vector3(6, 0, 0), Vector3(7, 0, 0)])], [3, &"visible", col_ids, PackedInt64Array([0, 1])]])
	col.second = [c1.position.x, c2.position.x, c1.visible, c2.visible]
	c2.free()
	runtime.apply_batch([[3, &"position", col_ids, PackedVector3Array([Vector3(8, 0, 0), Vector3(9, 0, 0)])]])
	col.after_free = c1.position.x
	runtime.apply_batch([[3, &"name", col_ids, PackedInt64Array([1, 2])], [3, &"position", col_ids, PackedVector3Array()]])
	col.name = str(c1.name)
	col.refused = refused.slice(n0).map(func(e): return [e.code, e.name])
	c1.queue_free()
	report.columns = col
	report.refusals = runtime.refusals.duplicate()
	report.refused = refused.map(func(e): return [e.code, e.name])
	report.bob_after = {"name": bob.name, "inside": bob.is_inside_tree(), "has_script": bob.get_script() != null, "state": bob.wasm_state}
	report.still_moving = await _still_moving(bob)
	report.apply_cost = _apply_cost(runtime)
	report.query_cost = _query_cost(holder)
	print("UGC_ABI " + JSON.stringify(report))


func _still_moving(node: Node3D) -> bool:
	var y := node.position.y
	await _frames(5)
	return node.position.y != y


## µs per object query (guest object_get → crate → page → GDScript callback → back): 100 reads
## in one method call, minus the same call without reads (echo), best of 7.
func _query_cost(holder: Node) -> Dictionary:
	var probe := Node3D.new()
	add_child(probe)
	var best := {"peek": INF, "echo": INF}
	for round in 7:
		var t := Time.get_ticks_usec()
		holder.call_wasm("peek", [probe])
		best.peek = min(best.peek, Time.get_ticks_usec() - t)
		t = Time.get_ticks_usec()
		holder.call_wasm("echo", [probe])
		best.echo = min(best.echo, Time.get_ticks_usec() - t)
	# Its parts: the GDScript answer alone (registry, rules, get, var_to_bytes, base64) and the answer call.
	var runtime = get_node("/root/UgcRuntime")
	var t0 := Time.get_ticks_usec()
	for i in 1000:
		runtime._query("get", probe.get_instance_id(), &"scale", "")
	var gdscript := (Time.get_ticks_usec() - t0) / 1000.0
	t0 = Time.get_ticks_usec()
	for i in 1000:
		runtime._bridge.answer("ok:CQAAAAAAgD8AAIA/AACAPw==")
	var answer := (Time.get_ticks_usec() - t0) / 1000.0
	probe.queue_free()
	# Baseline in the same run: a bare JS → GDScript callback (no-op), 1,000 times from the page.
	var window: JavaScriptObject = JavaScriptBridge.get_interface("window")
	var noop := JavaScriptBridge.create_callback(func(_args: Array) -> void: pass)
	window.__ugcNoop = noop
	var bare_none: float = JavaScriptBridge.eval("(() => { let best = Infinity; for (let r = 0; r < 9; r++) { const t = performance.now(); for (let i = 0; i < 1000; i++) window.__ugcNoop(); best = Math.min(best, performance.now() - t); } return best; })()")
	var bare: float = JavaScriptBridge.eval("(() => { let best = Infinity; for (let r = 0; r < 9; r++) { const t = performance.now(); for (let i = 0; i < 1000; i++) window.__ugcNoop('get\\\\x1f123456789\\\\x1fscale\\\\x1f'); best = Math.min(best, performance.now() - t); } return best; })()")
	return {"per_query": (best.peek - best.echo) / 100.0, "call": best.echo, "bare_callback": bare, "bare_none": bare_none, "gdscript": gdscript, "answer": answer}


## µs per node to apply a batch of position writes (typed fast path), through Object.set (what the
## apply loop would do without it: WasmScript._set runs first), and GDScript's own typed write.
func _apply_cost(runtime) -> Dictionary:
	var nodes := []
	var batch := []
	for i in APPLY_NODES:
		var n := Node3D.new()
		n.set_script(WasmScriptRes)
		runtime.registry.add(n, true)
		nodes.append(n)
		batch.append([0, n.get_instance_id(), &"position", Vector3(i, 1, 2)])
	var bytes := var_to_bytes(batch)
	var best := {"fast": INF, "set": INF, "gdscript": INF, "decode": INF}
	for round in 7:
		var t := Time.get_ticks_usec()
		runtime.apply_batch(batch)
		best.fast = min(best.fast, Time.get_ticks_usec() - t)
		t = Time.get_ticks_usec()
		for entry in batch:
			instance_from_id(entry[1]).set(entry[2], entry[3])
		best.set = min(best.set, Time.get_ticks_usec() - t)
		t = Time.get_ticks_usec()
		for n: Node3D in nodes:
			n.position = Vector3(round, 1, 2)
		best.gdscript = min(best.gdscript, Time.get_ticks_usec() - t)
		t = Time.get_ticks_usec()
		bytes_to_var(bytes)
		best.decode = min(best.decode, Time.get_ticks_usec() - t)
	var moved: bool = nodes[5].position == Vector3(6, 1, 2) or nodes[5].position.x == 6.0
	for n in nodes:
		runtime.registry.remove(n.get_instance_id())
		n.free()
	var per := {}
	for key in best:
		per[key] = best[key] / float(APPLY_NODES)
	per.applied = moved
	return per
`;

describe('ugc_wasm addon with the guest ABI (Godot 4.6 web)', () => {
  let godot;
  let report;
  let status;
  before(async () => {
    godot = await bootGodot({
      files: addonProject({
        mainGd: MAIN_GD,
        modules: { ...sdkModules(), 'holder.wasm': scriptModule(HOLDER_WAT, HOLDER_MANIFEST) },
      }),
      head: glueHead({ capabilities: TEST_CAPABILITIES }),
      serve: glueServe(),
    });
    report = await waitForJson(godot, 'UGC_ABI', 120_000);
    status = await godot.page.evaluate(() => window.ugcGodot.status());
  });
  after(async () => {
    await godot?.close();
  });

  test('every SDK example loads and runs', () => {
    for (const [name, [state, error]] of Object.entries(report.states))
      assert.equal(state, 'running', `${name}: ${JSON.stringify(error)}`);
  });

  test('batch writes move nodes: avatar_bob bobs around the position it queried in _ready', () => {
    // _ready read position (1, 2, 3) through the query callback: x and z stay, y moves within ±amplitude.
    assert.equal(report.bob.x, 1);
    assert.equal(report.bob.z, 3);
    assert.ok(report.bob.y_max > report.bob.y_min, JSON.stringify(report.bob));
    assert.ok(
      report.bob.y_min >= 2 - 0.5 - 1e-4 && report.bob.y_max <= 2 + 0.5 + 1e-4,
      JSON.stringify(report.bob),
    );
    assert.ok(status.queries.count >= 1, JSON.stringify(status.queries));
    assert.ok(status.batchEntries > 40, `batch entries ${status.batchEntries}`);
  });

  test('command calls apply in order (c_spinner rotate_y) and signals arrive as user signals', () => {
    assert.notEqual(report.spin.now, report.spin.start);
    // turned(count) counts full turns: consecutive from whenever the test connected.
    const turned = report.spin.turned;
    assert.ok(turned.length >= 1, JSON.stringify(report.spin));
    turned.forEach((count, i) => assert.equal(count, turned[0] + i, JSON.stringify(turned)));
  });

  test('setting a declared property runs the guest _property_changed (toggle_prop)', () => {
    assert.equal(report.toggle.on, true);
    assert.equal(report.toggle.scale, 'Vector3(1.25, 1.25, 1.25)');
    assert.deepEqual(report.toggle.toggled, [true]);
    assert.equal(report.toggle_off.scale, 'Vector3(1, 1, 1)');
    assert.deepEqual(report.toggle_off.toggled, [true, false]);
  });

  test('Variant methods: Dictionaries and packed arrays cross both ways intact', () => {
    assert.equal(report.express.type, 'Dictionary');
    assert.ok(Math.abs(report.express.value.mouthSmileLeft - 0.8) < 1e-6, JSON.stringify(report.express));
    assert.ok(Math.abs(report.express.value.jawOpen - 0.2) < 1e-6, JSON.stringify(report.express));
    assert.equal(report.sphere.type, 'Dictionary');
    assert.deepEqual(report.sphere.keys, ['vertices', 'normals', 'uvs', 'indices']);
    // rings 4, segments 6: 5 × 7 vertices, 4 × 6 × 6 indices.
    assert.deepEqual(report.sphere.vertices, ['PackedVector3Array', 35]);
    assert.deepEqual(report.sphere.normals, ['PackedVector3Array', 35]);
    assert.deepEqual(report.sphere.uvs, ['PackedVector2Array', 35]);
    assert.deepEqual(report.sphere.indices, ['PackedInt32Array', 144]);
  });

  test('Objects cross both ways: echoed as the same object, written through a held handle', () => {
    assert.deepEqual(report.echo, {
      size: 3,
      same_object: true,
      nested: '[1, "two", Vector3(3, 4, 5)]',
      dict: '{\n"k": PackedInt32Array(1, 2)\n}',
    });
    assert.equal(report.held, 'Vector3(1, 2, 3)');
  });

  test('writes to a freed object are skipped with object_gone; the script keeps running', () => {
    assert.equal(report.after_free.holder, 'running');
    assert.ok(report.after_free.gone >= 1, JSON.stringify(report.after_free));
    assert.equal(report.after_free.registered, false);
  });

  test("Godot enforces the capability rules and its registry again (from the page's rules)", () => {
    const codes = report.refused.map(([code, name]) => `${code}:${name}`);
    for (const want of [
      'not_allowed:queue_free',
      'not_allowed:name',
      'not_allowed:script',
      'object_unknown:position',
      'not_found:tree_exited',
      // avatar_bob writes rotation every frame: allowed by the crate, read-only in the page's rules.
      'not_allowed:rotation',
    ])
      assert.ok(codes.includes(want), `${want} not in ${codes.join(' ')}`);
    assert.deepEqual(
      [...new Set(codes.filter((c) => c.includes('blend_shapes/')))],
      ['not_allowed:blend_shapes/a:b', 'not_allowed:blend_shapes/a/b'],
      "only the malformed blend shape names are refused (face_driver's writes are not)",
    );
    assert.ok(
      codes.includes('object_unknown:turned') || codes.includes('object_gone:turned'),
      codes.join(' '),
    );
    assert.equal(report.bob.rotation, 'Vector3(0, 0, 0)');
    // is_visible_in_tree: a query in the crate's default rules, absent from the page's: refused by Godot.
    assert.equal(report.ask, -10);
    assert.deepEqual(report.columns.first, [3, 2], 'a column applies in order; an unknown id is skipped');
    assert.equal(report.columns.cached, true, 'a fully resolved typed run is cached');
    assert.deepEqual(report.columns.second, [6, 7, false, true], 'the cached typed loop writes every node');
    assert.equal(
      report.columns.after_free,
      8,
      'a node freed behind the cache is skipped, the others written',
    );
    assert.notEqual(report.columns.name, '1', 'a column of a property the rules refuse writes nothing');
    assert.deepEqual(report.columns.refused, [
      ['object_unknown', 'position'],
      ['object_gone', 'position'],
      ['not_allowed', 'name'],
      ['object_unknown', 'name'],
      ['bad_value', 'position'],
    ]);
    assert.deepEqual(report.bob_after, { name: 'Bob', inside: true, has_script: true, state: 'running' });
    assert.equal(report.still_moving, true);
  });

  test('what applying the batch costs per node (printed, not asserted)', () => {
    const c = report.apply_cost;
    assert.equal(c.applied, true);
    assert.ok(status.queries.count >= 700, `queries ${status.queries.count}`);
    console.log(
      `apply batch per node: typed fast path ${c.fast.toFixed(3)} µs, Object.set ${c.set.toFixed(3)} µs, ` +
        `GDScript n.position = v ${c.gdscript.toFixed(3)} µs, bytes_to_var ${c.decode.toFixed(3)} µs; ` +
        `object query round trip ${report.query_cost.per_query.toFixed(2)} µs vs a bare JS → GDScript ` +
        `callback with one string ${report.query_cost.bare_callback.toFixed(2)} µs, without arguments ` +
        `${report.query_cost.bare_none.toFixed(2)} µs; of a query, the GDScript answer ${report.query_cost.gdscript} µs ` +
        `and the answer call ${report.query_cost.answer} µs (a Variant call_wasm ${report.query_cost.call} µs)`,
    );
  });

  test('no script errors', () => {
    assert.deepEqual(godot.scriptErrors(), []);
  });
});
