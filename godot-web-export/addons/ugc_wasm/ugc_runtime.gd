## The UgcRuntime autoload: the only node that talks to the page. Every WasmScript registers here;
## once per frame this node sends the queued commands and the delta to the page's `ugcGodot` object
## in ONE JavaScriptBridge call, which runs every Wasm script and answers with the state changes
## (and, once the ABI host is wired in, the batch of node writes) as Godot Variant bytes, applied
## here in one loop. Outside the browser it fails every script loudly with `web_only`: this runtime
## is web-only.
extends Node

## A script changed state (see WasmScript.wasm_state_changed); for HUDs that show every script.
signal script_state_changed(node: Node, state: String, error: Dictionary)

const PROTOCOL := 1
const INTERFACE := "ugcGodot"
## How long to wait for the page to install `ugcGodot` before failing with `runtime_missing`.
const CONNECT_TIMEOUT_MS := 10000

## `{}` while the runtime can work, else the typed error every script gets (`web_only`,
## `runtime_missing`, `protocol_mismatch`).
var unavailable := {}

var _bridge: JavaScriptObject = null
var _next_id := 1
var _nodes := {}
var _commands: Array[Dictionary] = []
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


func register(node: Node) -> void:
	if node._id != 0:
		queue_command(node, "enter")
		return
	node._id = _next_id
	_next_id += 1
	_nodes[node._id] = node
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
	var command := {
		"op": "attach",
		"id": node._id,
		"node": str(node.get_path()) if node.is_inside_tree() else node.name,
		"module": key,
		"moduleName": module.get_display_name() if module else "",
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


func unregister(node: Object) -> void:
	# PREDELETE comes before the freed node leaves the tree: give the guest its _exit_tree now.
	if node.is_inside_tree():
		queue_command(node, "exit")
	_nodes.erase(node._id)
	_physics_ids.erase(node._id)
	if unavailable.is_empty():
		_commands.append({"op": "detach", "id": node._id})
	node._id = 0


## See WasmScript.call_wasm. Numbers cross as JSON text (JavaScriptBridge narrows floats to f32).
func call_wasm(node: Node, method: String, args: Array) -> Variant:
	if not unavailable.is_empty():
		node._fail(unavailable.code, unavailable.message, "")
		return null
	if _bridge == null or node._id == 0:
		push_error("ugc_wasm: %s.%s: the script is not loaded yet" % [node.get_path(), method])
		return null
	var result: JavaScriptObject = _bridge.invoke(
		node._id, method, JSON.stringify(args, "", false, true)
	)
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


## Applies one frame's answer `[events, batch]`; events are `[id, state, code, message, detail]`.
func _apply(bytes: PackedByteArray) -> void:
	var answer: Variant = bytes_to_var(bytes)
	if not answer is Array or answer.size() < 1:
		push_error("ugc_wasm: malformed frame answer (%d bytes)" % bytes.size())
		return
	for event: Array in answer[0]:
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
	# answer[1], the ABI's node-write batch, is applied here once the host is wired in.


func _connect() -> bool:
	_bridge = JavaScriptBridge.get_interface(INTERFACE)
	if _bridge != null:
		var protocol: Variant = _bridge.protocol()
		if protocol == PROTOCOL:
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
