extends Node
## Targeted measurements of the Godot side of a Wasm frame, one piece at a time, to find where
## the per-node time of the `wasm-*` columns goes (bench.gd runs this with `--probe`). For each N,
## median µs over `reps` repetitions of:
##   crossing      one GDScript -> JS call that returns a Uint8Array of the batch's size, copied
##                 into a PackedByteArray (js_buffer_to_packed_byte_array), as UgcRuntime does
##   bytes_to_var  decoding a batch of N `[0, object_id, &"position", Vector3]` entries (ABI.md)
##   bytes_to_var_packed  decoding the same writes laid out as `[PackedInt64Array ids,
##                 PackedVector3Array values]` (one property per group)
##   apply_set     `instance_from_id(id).set(name, value)` per entry, Node3D children in the tree
##   apply_call    `nodes[i].set_position(value)`: the setter method on a statically typed Node3D
##   apply_ids     the packed layout applied: `(instance_from_id(ids[i]) as Node3D)
##                 .set_position(values[i])`
##   apply_batch   the addon's own loop, UgcRuntime.apply_batch(batch), the nodes registered as
##                 script nodes (only when the addon has one)
##   loop_*        apply_batch rebuilt step by step (in the tree): `min` instance_from_id + typed
##                 set_position, `registry` + the registry lookup, `rules` + the capability check
##                 (`rules["set"].has(name)`), `func` + the setter behind a static function call;
##                 `has`/`get_is`: `min` + the registry lookup as `entries.has(id)` /
##                 `entries.get(id)` tested with `is Dictionary` instead of `== null`
##   *_ws_tree     in the tree on Node3Ds running wasm-empty (WasmScript, registered by the addon
##                 itself): the bench's real nodes
##   *_out         the same out of the tree (no transform notifications), plain Node3Ds
##   *_ws          the same out of the tree on Node3Ds carrying the WasmScript host script and a
##                 module (its `_set` sees every `set` first); out of the tree, so no runtime runs
## A frame passes between repetitions, so every set is the node's first of the frame (a second set
## of an already dirty transform is cheaper), as in a real frame.
## Prints `UGC_PROBE {json}` per N and probe, then returns.

const WASM_SCRIPT := preload("res://addons/ugc_wasm/wasm_script.gd")
const POSITION := &"position"


func run(counts: Array, reps: int) -> void:
	var js: JavaScriptObject = JavaScriptBridge.get_interface("ugcBench")
	for n: int in counts:
		var in_tree := _nodes(n, false)
		var holder := Node.new()
		for node in in_tree:
			holder.add_child(node)
		add_child(holder)
		var with_script := _nodes(n, true)
		var ws_tree := _nodes(n, true)
		for node in ws_tree:
			holder.add_child(node)
		var out_of_tree := _nodes(n, false)
		var batch := _batch(in_tree)
		var batch_ws := _batch(with_script)
		var batch_out := _batch(out_of_tree)
		var batch_ws_tree := _batch(ws_tree)
		var bytes := var_to_bytes(batch)
		var positions := PackedVector3Array()
		positions.resize(n)
		var packed_bytes := var_to_bytes(_packed(in_tree))
		var ids: PackedInt64Array = _packed(in_tree)[0]
		var ids_ws: PackedInt64Array = _packed(with_script)[0]
		var probes := {
			"crossing": func(): _cross(js, bytes.size()),
			"bytes_to_var": func(): bytes_to_var(bytes),
			"bytes_to_var_packed": func(): bytes_to_var(packed_bytes),
			"apply_set": func(): _apply_set(batch),
			"apply_call": func(): _apply_call(in_tree, positions),
			"apply_ids": func(): _apply_ids(ids, positions),
			"apply_set_out": func(): _apply_set(batch_out),
			"apply_call_out": func(): _apply_call(out_of_tree, positions),
			"apply_set_ws": func(): _apply_set(batch_ws),
			"apply_call_ws": func(): _apply_call(with_script, positions),
			"apply_ids_ws": func(): _apply_ids(ids_ws, positions),
		}
		var runtime := get_node_or_null(^"/root/UgcRuntime")
		if runtime != null and runtime.has_method(&"apply_batch"):
			for node in in_tree + with_script:
				runtime.registry.add(node, true)
			probes["apply_batch"] = func(): runtime.apply_batch(batch)
			probes["apply_batch_ws"] = func(): runtime.apply_batch(batch_ws)
			probes["apply_batch_ws_tree"] = func(): runtime.apply_batch(batch_ws_tree)
			probes["apply_call_ws_tree"] = func(): _apply_call(ws_tree, positions)
			var entries: Dictionary = runtime.registry.entries
			probes["loop_min"] = func(): _loop(batch, entries, 0)
			probes["loop_registry"] = func(): _loop(batch, entries, 1)
			probes["loop_rules"] = func(): _loop(batch, entries, 2)
			probes["loop_func"] = func(): _loop(batch, entries, 3)
			probes["loop_has"] = func(): _loop(batch, entries, 4)
			probes["loop_get_is"] = func(): _loop(batch, entries, 5)
		var results := {}
		for probe: String in probes:
			results[probe] = await _time(reps, probes[probe])
		if runtime != null and runtime.has_method(&"apply_batch"):
			for node in in_tree + with_script:
				runtime.registry.remove(node.get_instance_id())
		for probe: String in results:
			var row := {"probe": probe, "n": n, "median_us": results[probe], "bytes": bytes.size()}
			print("UGC_PROBE ", JSON.stringify(row))
		holder.free()
		for node in with_script + out_of_tree:
			node.free()


func _nodes(n: int, wasm_script: bool) -> Array[Node3D]:
	var nodes: Array[Node3D] = []
	for i in n:
		var node := Node3D.new()
		if wasm_script:
			node.set_script(WASM_SCRIPT)
			node.wasm_module = load("res://modules/empty.wasm")
		nodes.append(node)
	return nodes


## What the runtime's batch holds for one `position` write per node.
func _batch(nodes: Array[Node3D]) -> Array:
	var batch := []
	batch.resize(nodes.size())
	for i in nodes.size():
		batch[i] = [0, nodes[i].get_instance_id(), POSITION, Vector3(i, 1, 2)]
	return batch


## The same writes as _batch, laid out as one group: `[ids, values]`.
func _packed(nodes: Array[Node3D]) -> Array:
	var ids := PackedInt64Array()
	var values := PackedVector3Array()
	for i in nodes.size():
		ids.append(nodes[i].get_instance_id())
		values.append(Vector3(i, 1, 2))
	return [ids, values]


func _cross(js: JavaScriptObject, size: int) -> void:
	var result: Variant = js.bytes(size)
	JavaScriptBridge.js_buffer_to_packed_byte_array(result)


func _apply_set(batch: Array) -> void:
	for entry: Array in batch:
		instance_from_id(entry[1]).set(entry[2], entry[3])


func _apply_call(nodes: Array[Node3D], positions: PackedVector3Array) -> void:
	for i in nodes.size():
		nodes[i].set_position(positions[i])


func _apply_ids(ids: PackedInt64Array, positions: PackedVector3Array) -> void:
	for i in ids.size():
		(instance_from_id(ids[i]) as Node3D).set_position(positions[i])


## apply_batch's loop up to `step` (see loop_* in the header).
func _loop(batch: Array, entries: Dictionary, step: int) -> void:
	for item: Array in batch:
		var id: int = item[1]
		var rules: Variant = null
		if step == 4:
			if not entries.has(id):
				continue
		elif step == 5:
			rules = entries.get(id)
			if not rules is Dictionary:
				continue
		elif step >= 1:
			rules = entries.get(id)
			if rules == null:
				continue
		var obj := instance_from_id(id)
		var name: StringName = item[2]
		if step >= 2 and step <= 3 and not rules["set"].has(name):
			continue
		if step == 3:
			_set_position(obj as Node3D, name, item[3])
		else:
			(obj as Node3D).set_position(item[3])


static func _set_position(node: Node3D, name: StringName, value: Variant) -> bool:
	if typeof(value) == TYPE_VECTOR3 and name == &"position":
		node.set_position(value)
		return true
	return false


## Median µs of `reps` calls of `work` (after one warm-up call), one per frame.
func _time(reps: int, work: Callable) -> float:
	work.call()
	var samples: Array[int] = []
	for i in reps:
		await get_tree().process_frame
		var start := Time.get_ticks_usec()
		work.call()
		samples.append(Time.get_ticks_usec() - start)
	samples.sort()
	return samples[samples.size() / 2]
