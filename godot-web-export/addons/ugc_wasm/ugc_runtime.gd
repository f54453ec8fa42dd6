## The UgcRuntime autoload: the only node that talks to the page. Every WasmScript registers here;
## once per frame this node sends the queued commands and the delta to the page's `ugcGodot` object
## in ONE JavaScriptBridge call, which runs every Wasm script and answers with the state changes
## and every script's batch of node writes as Godot Variant bytes, applied here in one loop
## (docs/GODOT-ADDON.md). Guests reach only objects in the registry (object_registry.gd), under the
## capability rules (checked again here). Outside the browser it fails every script loudly with
## `web_only`: this runtime is web-only.
extends Node

## A script changed state (see WasmScript.wasm_state_changed); for HUDs that show every script.
signal script_state_changed(node: Node, state: String, error: Dictionary)
## A batch entry or query was refused on the Godot side: `error` is `{ code, message, object_id,
## name }` with code `object_gone`, `object_unknown`, `not_allowed`, `not_found` or `bad_value`.
## Emitted once per (object, code, name); every refusal is counted in `refusals`.
signal batch_refused(error: Dictionary)

## Column codes of _apply_column: the typed setter a (property, value column type) takes.
enum { COL_SET, COL_POSITION, COL_ROTATION, COL_SCALE, COL_VISIBLE }

const PROTOCOL := 2
const ObjectRegistry := preload("res://addons/ugc_wasm/object_registry.gd")
## Frames between sweeps of the registry for freed objects other than script nodes.
const SWEEP_FRAMES := 120
const INTERFACE := "ugcGodot"
## How long to wait for the page to install `ugcGodot` before failing with `runtime_missing`.
const CONNECT_TIMEOUT_MS := 10000
## Most cached columnar runs (_columns) before the cache starts over.
const MAX_COLUMN_CACHE := 64

## `{}` while the runtime can work, else the typed error every script gets (`web_only`,
## `runtime_missing`, `protocol_mismatch`).
var unavailable := {}

## What Wasm scripts may reach (ObjectID -> rules); see object_registry.gd.
var registry := ObjectRegistry.new()
## Refusals so far by code (see batch_refused).
var refusals := {}
## Batch entries applied so far, and the time spent applying batches (µs).
var applied := 0
var apply_usec := 0

var _bridge: JavaScriptObject = null
var _query_callback: JavaScriptObject = null
var _caps_pending := true
var _reported := {}
var _frames := 0
var _next_id := 1
var _nodes := {}
var _commands: Array[Dictionary] = []
## Resolved nodes of typed columnar runs, see _apply_column: [property, n, first id] ->
## [registry generation, ids, Array[Node3D]].
var _columns := {}
var _modules_to_send := {}
var _sent_modules := {}
var _physics_ids := {}


## Why the Wasm runtime cannot run here, or `{}`: the one place that decides (a parameter, so it can
## be tested off the web too).
static func platform_error(is_web: bool) -> Dictionary:
	if is_web:
		return {}
	return {
		"code": "web_only",
		"message":
		(
			"ugc_wasm runs WebAssembly scripts only in a web export (the browser's WebAssembly engine"
			+ " is the sandbox); this is %s" % OS.get_name()
		),
	}


func _ready() -> void:
	process_priority = -1000
	set_physics_process(false)
	unavailable = platform_error(OS.has_feature("web"))
	if not unavailable.is_empty():
		set_process(false)
		push_error("ugc_wasm: %s: %s" % [unavailable.code, unavailable.message])


## Every node with a registered Wasm script (for HUDs and tools).
func scripts() -> Array:
	return _nodes.values()


func register(node: Node) -> void:
	if node._id != 0:
		queue_command(node, "enter")
		return
	node._id = _next_id
	_next_id += 1
	_nodes[node._id] = node
	registry.add(node, true)
	attach(node)


## (Re)sends the node's module: after register and whenever `wasm_module` changes.
func attach(node: Node) -> void:
	if node._id == 0:
		return
	if not unavailable.is_empty():
		node._set_wasm_state("invalid", unavailable.code, unavailable.message)
		return
	var module: WasmModule = node.wasm_module
	var key := ""
	if module and not module.bytes.is_empty():
		key = module.get_key()
		if not _sent_modules.has(key):
			_modules_to_send[key] = module
	var manifest_error: Dictionary = module.get_manifest().get("error", {}) if module else {}
	if not manifest_error.is_empty():
		key = ""
	node._set_wasm_state("loading")
	var props := []
	for prop: String in node._declared:
		if node._values.has(prop):
			props.append([prop, Marshalls.raw_to_base64(var_to_bytes(node._values[prop]))])
	# ObjectIDs are 64-bit: they cross as text (JSON numbers are doubles on the page).
	var command := {
		"op": "attach",
		"id": node._id,
		"oid": str(node.get_instance_id()),
		"cls": node.get_class(),
		"node": str(node.get_path()) if node.is_inside_tree() else node.name,
		"module": key,
		"moduleName": module.get_display_name() if module else "",
		"instancing": module.get_manifest().get("instancing", "node") if module else "node",
		"props": props,
	}
	if not manifest_error.is_empty():
		command.error = {"code": manifest_error.code, "message": manifest_error.message}
	_commands.append(command)
	# A fresh instance gets the lifecycle calls the node already went through.
	if node.is_inside_tree():
		queue_command(node, "enter")
	if node.is_node_ready():
		queue_command(node, "ready")
	if not manifest_error.is_empty():
		node._set_wasm_state("invalid", manifest_error.code, manifest_error.message)


func queue_command(node: Node, op: String) -> void:
	if node._id != 0 and unavailable.is_empty():
		_commands.append({"op": op, "id": node._id})


## The game set declared property `name`: the guest gets the value and `_property_changed(name)`
## with the next frame (before its `_process`).
func queue_property(node: Node, name: String, value: Variant) -> void:
	if node._id != 0 and unavailable.is_empty():
		(
			_commands
			. append(
				{
					"op": "prop",
					"id": node._id,
					"name": name,
					"value": Marshalls.raw_to_base64(var_to_bytes(value)),
				}
			)
		)


## The guest-side value of declared property `name` (guests may write their own properties), or
## null when the page cannot say (the script is not running).
func read_property(node: Node, name: String) -> Variant:
	if _bridge == null or node._id == 0:
		return null
	var bytes: Variant = _bridge.property(node._id, name)
	if bytes == null:
		return null
	return bytes_to_var(JavaScriptBridge.js_buffer_to_packed_byte_array(bytes))


func unregister(node: Object) -> void:
	# PREDELETE comes before the freed node leaves the tree: give the guest its _exit_tree now.
	if node.is_inside_tree():
		queue_command(node, "exit")
	registry.remove(node.get_instance_id())
	_nodes.erase(node._id)
	_physics_ids.erase(node._id)
	if unavailable.is_empty():
		_commands.append({"op": "detach", "id": node._id})
	node._id = 0


## See WasmScript.call_wasm. A method the manifest declares takes and returns Variants (the
## arguments as var_to_bytes, the result as bytes back); any other export takes numbers, which
## cross as JSON text (JavaScriptBridge narrows floats to f32).
func call_wasm(node: Node, method: String, args: Array) -> Variant:
	if not unavailable.is_empty():
		node._fail(unavailable.code, unavailable.message, "")
		return null
	if _bridge == null or node._id == 0:
		push_error("ugc_wasm: %s.%s: the script is not loaded yet" % [node.get_path(), method])
		return null
	# A declared method may take any Variants: they cross as var_to_bytes (and Objects in them
	# become reachable for the guest); numbers for other exports cross as JSON.
	var encoded := ""
	if node.has_wasm_method(method):
		registry.add_all(args)
		encoded = Marshalls.raw_to_base64(var_to_bytes(args))
	var result: JavaScriptObject = _bridge.invoke(
		node._id, method, JSON.stringify(args, "", false, true), encoded
	)
	if result.ok and result.bytes:
		var bytes := JavaScriptBridge.js_buffer_to_packed_byte_array(result.value)
		return registry.import_value(bytes_to_var(bytes))
	if result.ok:
		return result.value
	var state := str(result.state)
	if state == "faulted" and node.wasm_state != "faulted":
		node._set_wasm_state("faulted", str(result.code), str(result.message), method)
		script_state_changed.emit(node, node.wasm_state, node.wasm_error)
	else:
		push_error(
			"ugc_wasm: %s.%s: %s %s" % [node.get_path(), method, result.code, result.message]
		)
	return null


func _process(delta: float) -> void:
	if _bridge == null and not _connect():
		return
	if _caps_pending:
		_load_capabilities()
	_frames += 1
	if _frames % SWEEP_FRAMES == 0:
		registry.sweep()
	for key: String in _modules_to_send:
		var module: WasmModule = _modules_to_send[key]
		_bridge.addModule(key, Marshalls.raw_to_base64(module.bytes))
		_sent_modules[key] = true
	_modules_to_send.clear()
	var commands := ""
	if not _commands.is_empty():
		commands = JSON.stringify(_commands)
		_commands.clear()
	var result: Variant = _bridge.frame(int(delta * 1e6), commands)
	if result != null:
		_apply(JavaScriptBridge.js_buffer_to_packed_byte_array(result))


func _physics_process(delta: float) -> void:
	var result: Variant = _bridge.physics(int(delta * 1e6))
	if result != null:
		_apply(JavaScriptBridge.js_buffer_to_packed_byte_array(result))


## Applies one frame's answer `[events, batch]`; events are `[id, state, code, message, detail]`,
## the batch the scripts' node writes (docs/ABI.md).
func _apply(bytes: PackedByteArray) -> void:
	var answer: Variant = bytes_to_var(bytes)
	if not answer is Array or answer.size() < 2:
		push_error("ugc_wasm: malformed frame answer (%d bytes)" % bytes.size())
		return
	if not answer[1].is_empty():
		var start := Time.get_ticks_usec()
		apply_batch(answer[1])
		apply_usec += Time.get_ticks_usec() - start
	if not answer[0].is_empty():
		_apply_events(answer[0])


## One loop over the batch: `[0, id, property, value]` set, `[1, id, method, args]` call (a command
## method), `[2, id, signal, args]` emit, `[3, property, ids, values]` a run of sets of one property
## (packed columns, see _apply_column). Each entry's object must be in the registry and alive,
## and the capability rules must allow the name; a refused entry is skipped (batch_refused), never
## fatal.
## Hot Node3D properties take typed setters: Object.set would ask WasmScript._set (GDScript) first.
func apply_batch(batch: Array) -> void:
	var entries := registry.entries
	var enforce := registry.rules.loaded
	var writes := 0
	for item: Array in batch:
		if item[0] == 3:
			writes += _apply_column(item[1], item[2], item[3]) - 1
			continue
		var id: int = item[1]
		var rules: Variant = entries.get(id)
		if rules == null:
			_refuse("object_unknown", id, item[2], "not an object the script was given")
			continue
		var obj := instance_from_id(id)
		if obj == null:
			registry.remove(id)
			_refuse("object_gone", id, item[2], "the object was freed")
			continue
		var name: StringName = item[2]
		match item[0]:
			0:
				if enforce and not rules["set"].has(name):
					if not registry.rules.allows_property(rules, name, true):
						_refuse("not_allowed", id, name, "property not writable by scripts")
						continue
				var value: Variant = item[3]
				var node3d := obj as Node3D
				# The commonest write inline (no call), the other hot ones through _set_node3d.
				if node3d != null and name == &"position" and typeof(value) == TYPE_VECTOR3:
					node3d.set_position(value)
				elif node3d == null or not _set_node3d(node3d, name, value):
					obj.set(name, value)
			1:
				if enforce and not rules["command"].has(name):
					_refuse("not_allowed", id, name, "method not a command scripts may call")
					continue
				obj.callv(name, item[3])
			2:
				if not rules.has("script") or not obj.has_user_signal(name):
					_refuse("not_found", id, name, "not a signal of a Wasm script's node")
					continue
				var args: Array = [name]
				args.append_array(item[3])
				obj.callv(&"emit_signal", args)
	applied += batch.size() + writes


## `ids[i].property = values[i]` for every i, in order (a tag-3 entry); returns how many writes it
## held. One registry lookup per write gives the object and its rules; the capability verdict is
## computed once per class (shallow-duplicated rules share their "set" Dictionary) and reused.
## A run of a typed property (position, rotation, scale, visible) whose every id resolved to a
## writable Node3D leaves its resolved nodes in _columns: the next frame's run over the same ids
## (PackedInt64Array equality, a memcmp) with the registry unchanged skips the lookups and runs
## the typed loop of _set_nodes alone.
func _apply_column(property: StringName, ids: PackedInt64Array, values: Variant) -> int:
	var n := ids.size()
	if typeof(values) < TYPE_PACKED_INT64_ARRAY or values.size() != n:
		_refuse("bad_value", 0, property, "malformed columnar batch entry")
		return n
	var code := COL_SET
	if typeof(values) == TYPE_PACKED_VECTOR3_ARRAY:
		code = {&"position": COL_POSITION, &"rotation": COL_ROTATION, &"scale": COL_SCALE}.get(
			property, COL_SET
		)
	elif typeof(values) == TYPE_PACKED_INT64_ARRAY and property == &"visible":
		code = COL_VISIBLE
	var key := [property, n, ids[0] if n > 0 else 0]
	if code != COL_SET:
		var cached: Variant = _columns.get(key)
		if cached != null and cached[0] == registry.generation and cached[1] == ids:
			if cached[3] and code != COL_VISIBLE:
				_set_script_nodes(cached[2], code, values)
			else:
				_set_nodes(cached[2], code, values, ids, property)
			return n
	var nodes: Array[Node3D] = []
	var complete := code != COL_SET
	var all_script := true
	var objects := registry.objects
	var enforce := registry.rules.loaded
	var checked: Variant = null
	var allowed := true
	for i in n:
		var id := ids[i]
		var found: Variant = objects.get(id)
		complete = complete and found != null
		if found == null:
			_refuse("object_unknown", id, property, "not an object the script was given")
			continue
		var obj: Variant = found[0]
		if not is_instance_valid(obj):
			complete = false
			registry.remove(id)
			_refuse("object_gone", id, property, "the object was freed")
			continue
		if enforce:
			var rules: Dictionary = found[1]
			var writable: Dictionary = rules["set"]
			if not is_same(writable, checked):
				checked = writable
				allowed = (
					writable.has(property) or registry.rules.allows_property(rules, property, true)
				)
			if not allowed:
				complete = false
				_refuse("not_allowed", id, property, "property not writable by scripts")
				continue
		var node := obj as Node3D
		if node == null or code == COL_SET:
			complete = false
			obj.set(property, values[i])
			continue
		if complete:
			nodes.append(node)
			all_script = all_script and found[1].has("script")
		if code == COL_POSITION:
			node.set_position(values[i])
		elif code == COL_ROTATION:
			node.set_rotation(values[i])
		elif code == COL_SCALE:
			node.set_scale(values[i])
		else:
			node.set_visible(values[i] != 0)
	if complete:
		# Bounded: runs differ by (property, length, first id); a game with more shapes re-resolves.
		if _columns.size() >= MAX_COLUMN_CACHE:
			_columns.clear()
		_columns[key] = [registry.generation, ids, nodes, all_script]
	return n


## The typed loop of a cached column: `nodes` were resolved and checked for these `ids` while
## the registry had its current generation. A node freed without telling the registry (not a
## script node) is still caught: skipped as object_gone, and the registry entry dropped (which
## invalidates the cache).
func _set_nodes(
	nodes: Array[Node3D], code: int, values: Variant, ids: PackedInt64Array, property: StringName
) -> void:
	var n := nodes.size()
	if code == COL_VISIBLE:
		var flags: PackedInt64Array = values
		for i in n:
			if is_instance_valid(nodes[i]):
				nodes[i].set_visible(flags[i] != 0)
			else:
				_node_gone(ids[i], property)
		return
	var vectors: PackedVector3Array = values
	if code == COL_POSITION:
		for i in n:
			if is_instance_valid(nodes[i]):
				nodes[i].set_position(vectors[i])
			else:
				_node_gone(ids[i], property)
	elif code == COL_ROTATION:
		for i in n:
			if is_instance_valid(nodes[i]):
				nodes[i].set_rotation(vectors[i])
			else:
				_node_gone(ids[i], property)
	else:
		for i in n:
			if is_instance_valid(nodes[i]):
				nodes[i].set_scale(vectors[i])
			else:
				_node_gone(ids[i], property)


## _set_nodes for a column of script nodes only, without a validity check per node (about half
## the loop's cost): a script node leaves the registry the moment it is freed (WasmScript,
## NOTIFICATION_PREDELETE), which bumps the generation the cache was checked against, so every
## node here is alive. Only engine code runs between the sets (transform notifications are
## deferred to the tree's flush), and it frees no script node.
func _set_script_nodes(nodes: Array[Node3D], code: int, values: PackedVector3Array) -> void:
	var i := 0
	if code == COL_POSITION:
		for node in nodes:
			node.set_position(values[i])
			i += 1
	elif code == COL_ROTATION:
		for node in nodes:
			node.set_rotation(values[i])
			i += 1
	else:
		for node in nodes:
			node.set_scale(values[i])
			i += 1


func _node_gone(id: int, property: StringName) -> void:
	registry.remove(id)
	_refuse("object_gone", id, property, "the object was freed")


## Typed setters for the properties scripts write every frame; false when `name` is not one of
## them or `value` has another type (then Object.set decides).
static func _set_node3d(node: Node3D, name: StringName, value: Variant) -> bool:
	match typeof(value):
		TYPE_VECTOR3:
			if name == &"position":
				node.set_position(value)
			elif name == &"rotation":
				node.set_rotation(value)
			elif name == &"scale":
				node.set_scale(value)
			elif name == &"global_position":
				node.set_global_position(value)
			elif name == &"rotation_degrees":
				node.set_rotation_degrees(value)
			else:
				return false
		TYPE_TRANSFORM3D:
			if name == &"transform":
				node.set_transform(value)
			elif name == &"global_transform":
				node.set_global_transform(value)
			else:
				return false
		TYPE_QUATERNION:
			if name != &"quaternion":
				return false
			node.set_quaternion(value)
		TYPE_BOOL:
			if name != &"visible":
				return false
			node.set_visible(value)
		_:
			return false
	return true


func _apply_events(events: Array) -> void:
	for event: Array in events:
		var node: Node = _nodes.get(event[0])
		if node == null:
			continue
		var state: String = event[1]
		if state == "running":
			if "_physics_process" in str(event[4]).split(","):
				_physics_ids[event[0]] = true
			node._set_wasm_state(state)
		else:
			_physics_ids.erase(event[0])
			node._set_wasm_state(state, event[2], event[3], event[4])
		script_state_changed.emit(node, node.wasm_state, node.wasm_error)
	set_physics_process(not _physics_ids.is_empty())


func _refuse(code: String, id: int, name: StringName, message: String) -> void:
	refusals[code] = refusals.get(code, 0) + 1
	var key := "%d/%s/%s" % [id, code, name]
	if _reported.has(key):
		return
	_reported[key] = true
	var error := {"code": code, "message": message, "object_id": id, "name": str(name)}
	push_warning("ugc_wasm: batch entry refused: %s %s (object %d, %s)" % [code, message, id, name])
	batch_refused.emit(error)


## Answers one object query from the runtime (see js-glue/src/godot/godot-objects.js): the one
## argument is "op\u001fid\u001fname\u001fargs"; the answer is one call, `ugcGodot.answer(text)`:
## "ok:" + the class name or base64 Variant bytes, else "gone", "not_found" or "not_allowed".
func _on_query(args: Array) -> void:
	var question := str(args[0]).split("\u001f")
	var answer := "not_found"
	if question.size() == 4:
		answer = _query(question[0], question[1].to_int(), StringName(question[2]), question[3])
	_bridge.answer(answer)


func _query(op: String, id: int, name: StringName, args: String) -> String:
	var obj := registry.resolve(id)
	if obj == null:
		return "gone"
	match op:
		"class":
			return "ok:" + obj.get_class()
		"get":
			return _query_get(obj, registry.entries[id], name)
		"call":
			return _query_call(obj, registry.entries[id], name, args)
	return "not_found"


func _query_get(obj: Object, rules: Dictionary, name: StringName) -> String:
	# Allow-listed names are real properties of the class; without rules, ask the object (slower:
	# `in` walks its property list).
	if registry.rules.loaded:
		if not registry.rules.allows_property(rules, name, false):
			return "not_allowed"
	elif not name in obj:
		return "not_found"
	return _query_answer(obj.get(name))


func _query_call(obj: Object, rules: Dictionary, name: StringName, args: String) -> String:
	if registry.rules.loaded and not rules["query"].has(name):
		return "not_allowed"
	var call_args: Variant = bytes_to_var(Marshalls.base64_to_raw(args))
	if not obj.has_method(name) or not call_args is Array:
		return "not_found"
	return _query_answer(obj.callv(name, registry.import_value(call_args)))


## Objects in a query's answer become reachable for the guest.
func _query_answer(value: Variant) -> String:
	registry.add_all(value)
	return "ok:" + Marshalls.raw_to_base64(var_to_bytes(value))


func _load_capabilities() -> void:
	var text := str(_bridge.capabilities())
	if text.is_empty():
		return  # the page's runtime is still starting
	_caps_pending = false
	if registry.rules.load_json(text):
		registry.refresh()
	else:
		push_warning("ugc_wasm: " + registry.rules.warning)


func _connect() -> bool:
	_bridge = JavaScriptBridge.get_interface(INTERFACE)
	if _bridge != null:
		var protocol: Variant = _bridge.protocol()
		if protocol == PROTOCOL:
			_query_callback = JavaScriptBridge.create_callback(_on_query)
			_bridge.setQueryHandler(_query_callback)
			return true
		_bridge = null
		_give_up("protocol_mismatch", "page speaks protocol %s, addon %d" % [protocol, PROTOCOL])
	elif Time.get_ticks_msec() > CONNECT_TIMEOUT_MS:
		_give_up(
			"runtime_missing",
			"window.%s not found: the page must load ugc-wasm's godot glue" % INTERFACE
		)
	return false


func _give_up(code: String, message: String) -> void:
	unavailable = {"code": code, "message": message}
	set_process(false)
	push_error("ugc_wasm: %s: %s" % [code, message])
	for node: Node in _nodes.values():
		node._set_wasm_state("invalid", code, message)
		script_state_changed.emit(node, node.wasm_state, node.wasm_error)
