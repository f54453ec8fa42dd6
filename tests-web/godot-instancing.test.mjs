// Instancing in the real Godot 4.6 web engine: a module whose manifest says "instancing": "shared" runs a few
// hundred nodes from ONE instance (each node writes its own position from its slot, so `self` and the batch
// are per node), while a "node"-instanced module with a memory fails past the browser's cap on live Wasm
// memories with the typed memory_limit error — visibly, per node — and the rest keeps running.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { scriptModule } from '../godot-web-export/demo/modules.mjs';
import { bootGodot } from './lib/godot.mjs';
import { addonProject, glueHead, glueServe, waitForJson } from './godot-addon-lib.mjs';

const SHARED_NODES = 300;
const NODE_NODES = 140;

// _process: position = (node_slot, 1, 0), written on self through the batch.
const SLOT_WAT = `
(module
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "node_slot" (func $slot (result i32)))
  (import "ugc" "new_value" (func $new_value (param i32 i32 i32) (result i32)))
  (import "ugc" "object_set" (func $object_set (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "release" (func $release (param i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "position")
  (func (export "_process") (param f64)
    (local $me i32) (local $v i32)
    (f32.store (i32.const 16) (f32.convert_i32_s (call $slot)))
    (f32.store (i32.const 20) (f32.const 1))
    (f32.store (i32.const 24) (f32.const 0))
    (local.set $me (call $self))
    (local.set $v (call $new_value (i32.const 9) (i32.const 16) (i32.const 12)))
    (drop (call $object_set (local.get $me) (i32.const 0) (i32.const 8) (local.get $v)))
    (drop (call $release (local.get $v)))
    (drop (call $release (local.get $me)))))`;

// A node-instanced module with a memory: one instance (and memory) per node.
const COUNTER_WAT = `
(module
  (memory 1)
  (func (export "_process") (param f64)
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))))`;

const MAIN_GD = `extends Node

const WasmScriptRes := preload("res://addons/ugc_wasm/wasm_script.gd")


func _spawn(prefix: String, module: String, count: int) -> Array:
	var out := []
	var res := load(module)
	for i in count:
		var n := Node3D.new()
		n.name = "%s%d" % [prefix, i]
		n.set_script(WasmScriptRes)
		n.wasm_module = res
		add_child(n)
		out.append(n)
	return out


func _ready() -> void:
	var shared := _spawn("Shared", "res://modules/slot.wasm", ${SHARED_NODES})
	var per_node := _spawn("PerNode", "res://modules/counter.wasm", ${NODE_NODES})
	var all := shared + per_node
	for i in 900:
		await get_tree().process_frame
		if all.all(func(n): return n.wasm_state != "loading"):
			break
	for i in 5:
		await get_tree().process_frame
	var xs := {}
	var states := {}
	for n in shared:
		xs[n.position.x] = true
		states[n.wasm_state] = states.get(n.wasm_state, 0) + 1
	var node_states := {}
	var limit_error := {}
	var faulted_at := []
	for i in per_node.size():
		var n: Node = per_node[i]
		node_states[n.wasm_state] = node_states.get(n.wasm_state, 0) + 1
		if n.wasm_state == "faulted":
			faulted_at.append(i)
		if n.wasm_error.get("code", "") == "memory_limit":
			limit_error = n.wasm_error
	print("UGC_INSTANCING " + JSON.stringify({"shared_states": states, "distinct_x": xs.size(), "y": shared[7].position.y, "node_states": node_states, "faulted_at": faulted_at, "limit_error": limit_error}))
`;

describe('ugc_wasm instancing (Godot 4.6 web)', () => {
  let godot;
  let report;
  let status;
  before(async () => {
    godot = await bootGodot({
      files: addonProject({
        mainGd: MAIN_GD,
        modules: {
          'slot.wasm': scriptModule(SLOT_WAT, { extends: 'Node3D', instancing: 'shared' }),
          'counter.wasm': scriptModule(COUNTER_WAT, { extends: 'Node3D' }),
        },
      }),
      head: glueHead(),
      serve: glueServe(),
    });
    report = await waitForJson(godot, 'UGC_INSTANCING', 180_000);
    status = await godot.page.evaluate(() => window.ugcGodot.status());
  });
  after(async () => {
    await godot?.close();
  });

  test('a shared module runs a few hundred nodes from one instance, each writing its own node', () => {
    assert.deepEqual(report.shared_states, { running: SHARED_NODES });
    const groups = status.groups.filter((g) => g.shared);
    assert.equal(groups.length, 1);
    assert.equal(groups[0].size, SHARED_NODES);
    // Slots 0..n-1: every node got its own x, through its own self.
    assert.equal(report.distinct_x, SHARED_NODES);
    assert.equal(report.y, 1);
  });

  test('node instancing past the browser cap fails visibly with memory_limit; the rest runs', () => {
    // The runtime's budget (docs/JS-API.md "Memory budget") gives node-instanced scripts 96 memories, counted
    // in the order the nodes attached, whatever order their loads finish in: the same 96 every time.
    assert.deepEqual(report.node_states, { running: 96, faulted: NODE_NODES - 96 });
    assert.deepEqual(
      report.faulted_at,
      Array.from({ length: NODE_NODES - 96 }, (_, i) => 96 + i),
    );
    assert.equal(report.limit_error.code, 'memory_limit');
    assert.match(report.limit_error.message, /the 96 Wasm memories/);
    assert.match(report.limit_error.message, /"instancing": "shared"/);
    assert.deepEqual(status.wasmMemories, { node: 96, shared: 1, nodeBudget: 96, budget: 112, refused: 44 });
    assert.ok(godot.console.grep(/ugc_wasm: \/root\/Main\/PerNode\d+ .*memory_limit/).length > 0);
  });

  test('no script errors', () => {
    assert.deepEqual(godot.scriptErrors(), []);
  });
});
