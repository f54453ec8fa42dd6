// Property bindings (`ugc.object_bind_value`) in the real Godot 4.6 web engine, through the SDK's `drifter`
// example: a few hundred nodes bind their position and rotation in `_ready` and move with memory writes only;
// the runtime's harvest sends the changes, the addon applies them as columns. The game changing a declared
// property changes the motion; freeing half the nodes mid-run (the cached column path must notice) leaves the
// rest moving, with no script errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bootGodot } from './lib/godot.mjs';
import { addonProject, glueHead, glueServe, sdkModules, waitForJson } from './godot-addon-lib.mjs';

const NODES = 200;

const MAIN_GD = `extends Node

const WasmScriptRes := preload("res://addons/ugc_wasm/wasm_script.gd")

var nodes: Array[Node3D] = []
var starts: Array[Vector3] = []


func _ready() -> void:
	var res := load("res://modules/drifter.wasm")
	for i in ${NODES}:
		var n := Node3D.new()
		n.name = "Drifter%d" % i
		n.position = Vector3(i * 2.0, 1.0, -3.0)
		n.set_script(WasmScriptRes)
		n.wasm_module = res
		n.set("radius", 0.5)
		n.set("period", 2.0)
		add_child(n)
		nodes.append(n)
		starts.append(n.position)
	for i in 900:
		await get_tree().process_frame
		if nodes.all(func(n): return n.wasm_state != "loading"):
			break
	for i in 20:
		await get_tree().process_frame
	var first := _measure()
	# The game widens one node's circle: its script reads the new radius in _property_changed.
	nodes[1].set("radius", 3.0)
	# Free every other node while their columns are cached.
	var kept: Array[Node3D] = []
	var kept_starts: Array[Vector3] = []
	for i in nodes.size():
		if i % 2 == 0:
			nodes[i].free()
		else:
			kept.append(nodes[i])
			kept_starts.append(starts[i])
	nodes = kept
	starts = kept_starts
	var before := nodes.map(func(n): return n.position)
	for i in 20:
		await get_tree().process_frame
	var second := _measure()
	var moved := 0
	for i in nodes.size():
		moved += int(nodes[i].position.distance_to(before[i]) > 1e-4)
	second["moved"] = moved
	second["widened"] = Vector2(nodes[0].position.x - starts[0].x, nodes[0].position.z - starts[0].z).length()
	var runtime := get_node("/root/UgcRuntime")
	print("UGC_BINDINGS " + JSON.stringify({"first": first, "second": second, "refusals": runtime.refusals}))


## Per node: its distance from the circle's centre (its start) in the xz plane, and whether it kept
## its height; every node's state; how many turned (rotation.y moved off 0).
func _measure() -> Dictionary:
	var radii := []
	var states := {}
	var turned := 0
	var level := 0
	for i in nodes.size():
		var n := nodes[i]
		radii.append(Vector2(n.position.x - starts[i].x, n.position.z - starts[i].z).length())
		states[n.wasm_state] = states.get(n.wasm_state, 0) + 1
		turned += int(absf(n.rotation.y) > 1e-4)
		level += int(is_equal_approx(n.position.y, 1.0))
	return {"radii": radii, "states": states, "turned": turned, "level": level, "count": nodes.size()}
`;

describe('property bindings in the engine (Godot 4.6 web)', () => {
  let godot;
  let report;
  let status;
  before(async () => {
    godot = await bootGodot({
      files: addonProject({ mainGd: MAIN_GD, modules: sdkModules(['drifter']) }),
      head: glueHead(),
      serve: glueServe(),
    });
    report = await waitForJson(godot, 'UGC_BINDINGS', 180_000);
    status = await godot.page.evaluate(() => window.ugcGodot.status());
  });
  after(async () => {
    await godot?.close();
  });

  test('every node moves on its circle by memory writes alone', () => {
    const { first } = report;
    assert.deepEqual(first.states, { running: NODES });
    assert.equal(first.turned, NODES, 'rotation bound and harvested');
    assert.equal(first.level, NODES, 'y kept from the seeded position');
    for (const r of first.radii) assert.ok(Math.abs(r - 0.5) < 1e-3, `radius ${r}`);
    // One shared instance ran them all, and the batch carried their writes.
    const groups = status.groups.filter((g) => g.shared);
    assert.equal(groups.length, 1);
    assert.ok(status.batchEntries > 0);
  });

  test('a declared property change reaches the guest; freeing half the nodes leaves the rest moving', () => {
    const { second } = report;
    assert.equal(second.count, NODES / 2);
    assert.deepEqual(second.states, { running: NODES / 2 });
    assert.equal(second.moved, NODES / 2, 'every remaining node kept moving after the frees');
    assert.ok(Math.abs(second.widened - 3) < 1e-3, `radius of the widened node ${second.widened}`);
    for (const r of second.radii.slice(1)) assert.ok(Math.abs(r - 0.5) < 1e-3, `radius ${r}`);
    assert.deepEqual(report.refusals, {}, 'no batch entry refused: freed nodes left with their bindings');
  });

  test('no script errors', () => {
    assert.deepEqual(godot.scriptErrors(), []);
  });
});
