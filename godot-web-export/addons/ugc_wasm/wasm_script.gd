## The host script: `node.set_script(WasmScript)` then `node.wasm_module = load("res://x.wasm")`
## makes the node run that module. The module's declared properties live here (shown via
## _get_property_list, read and written with get/set and the inspector); lifecycle calls go through
## the UgcRuntime autoload, which drives every Wasm script in one JavaScriptBridge crossing per
## frame — this script has no _process of its own.
##
## A module that is missing, invalid or faults leaves the node in the scene with its property values
## kept (like MissingNode): only the script stops, `wasm_state` says why and `wasm_failed` is
## emitted.
@tool
class_name WasmScript
extends Node

## State changed: "detached", "loading", "running", "faulted" or "invalid".
signal wasm_state_changed(state: String)
## The script stopped for good: `error` is `{ code, message, detail }` (codes in
## docs/GODOT-ADDON.md).
signal wasm_failed(error: Dictionary)

const RUNTIME_PATH := ^"/root/UgcRuntime"

static var _native_props := {}

@export var wasm_module: WasmModule:
	set(value):
		wasm_module = value
		_apply_manifest()
		notify_property_list_changed()
		update_configuration_warnings()
		if _id != 0:
			_runtime_call("attach")

## Where the script stands (see wasm_state_changed) and, once it failed, why.
var wasm_state := "detached"
var wasm_error := {}

## Declared property values, and values set before the module declared them (kept, never dropped).
var _values := {}
var _declared := {}
var _methods := {}
## Assigned by UgcRuntime while registered (0 = not registered).
var _id := 0


## Calls method `method` the module exports and returns its result, or null after pushing the
## typed error (a trap or fuel exhaustion also faults the script). A method the manifest declares
## takes any Variants (Arrays, Dictionaries, Objects, packed arrays… cross intact; objects passed
## become reachable for the guest); other exports take numbers. Godot 4 has no catch-all for unknown
## method names on a script, so module methods are reached through here rather than `node.method()`.
func call_wasm(method: String, args: Array = []) -> Variant:
	var runtime := _runtime()
	if runtime == null:
		_fail("runtime_missing", "UgcRuntime autoload is not loaded", "")
		return null
	return runtime.call_wasm(self, method, args)


## Whether the module's manifest declares `method`.
func has_wasm_method(method: String) -> bool:
	return _methods.has(method)


## Editor (a @tool script so the inspector shows the declared properties): what keeps the node
## from running here, and what is wrong with its module.
func _get_configuration_warnings() -> PackedStringArray:
	var warnings := PackedStringArray()
	if not OS.has_feature("web"):
		warnings.append(
			"web_only: Wasm scripts run only in web exports (the browser is the sandbox)"
		)
	if wasm_module == null or wasm_module.bytes.is_empty():
		warnings.append("module_missing: set wasm_module to a .wasm file")
	else:
		var manifest := wasm_module.get_manifest()
		if manifest.has("error"):
			warnings.append("%s: %s" % [manifest.error.code, manifest.error.message])
		for warning: String in manifest.warnings:
			warnings.append("manifest: " + warning)
	return warnings


func _enter_tree() -> void:
	if not Engine.is_editor_hint():
		_runtime_call("register")


func _ready() -> void:
	if not Engine.is_editor_hint():
		_runtime_call("ready")


func _exit_tree() -> void:
	if not Engine.is_editor_hint():
		_runtime_call("exit")


func _notification(what: int) -> void:
	if what == NOTIFICATION_PREDELETE and _id != 0:
		_runtime_call("unregister")


func _get_property_list() -> Array[Dictionary]:
	var list: Array[Dictionary] = []
	if not _declared.is_empty():
		list.append({"name": "Wasm", "type": TYPE_NIL, "usage": PROPERTY_USAGE_CATEGORY})
	for prop: Dictionary in _declared.values():
		(
			list
			. append(
				{
					"name": prop.name,
					"type": prop.type,
					"hint": prop.hint,
					"hint_string": prop.hint_string,
					"usage": PROPERTY_USAGE_DEFAULT | PROPERTY_USAGE_SCRIPT_VARIABLE,
				}
			)
		)
	# Values nothing declares (yet) are stored with the node so a save never loses them.
	for name: String in _values:
		if not _declared.has(name):
			list.append(
				{"name": name, "type": typeof(_values[name]), "usage": PROPERTY_USAGE_STORAGE}
			)
	return list


func _get(property: StringName) -> Variant:
	var value: Variant = null
	if _values.has(property):
		value = _values[property]
	elif _declared.has(property):
		value = _declared[property].default
	else:
		return null
	# A running guest may have written its own property: the page has the current value. Only a
	# value of the declared type counts (the page may hand back an int for a whole float).
	if wasm_state == "running" and _declared.has(property):
		var runtime := _runtime()
		var current: Variant = runtime.read_property(self, property) if runtime else null
		var type: int = _declared[property].type
		if typeof(current) == type:
			value = current
		elif type == TYPE_FLOAT and typeof(current) == TYPE_INT:
			value = float(current)
	return value


func _set(property: StringName, value: Variant) -> bool:
	if _declared.has(property):
		_values[property] = WasmManifest.coerce(value, _declared[property].type)
		if _id != 0 and (wasm_state == "running" or wasm_state == "loading"):
			_runtime().queue_property(self, property, _values[property])
		return true
	if _values.has(property):
		_values[property] = value
		return true
	# Before the module says what it declares, keep anything that is not the node's own property.
	if wasm_module == null and _is_unclaimed(property):
		_values[property] = value
		return true
	return false


func _property_can_revert(property: StringName) -> bool:
	return _declared.has(property)


func _property_get_revert(property: StringName) -> Variant:
	return _declared[property].default if _declared.has(property) else null


## Called by UgcRuntime when the page reports a state change for this script.
func _set_wasm_state(state: String, code := "", message := "", detail := "") -> void:
	if state == wasm_state and code == str(wasm_error.get("code", "")):
		return
	wasm_state = state
	if state == "faulted" or state == "invalid":
		_fail(code, message, detail)
	else:
		wasm_error = {}
		wasm_state_changed.emit(state)


func _fail(code: String, message: String, detail: String) -> void:
	if wasm_state != "faulted" and wasm_state != "invalid":
		wasm_state = "invalid"
	wasm_error = {"code": code, "message": message, "detail": detail}
	var module_name := wasm_module.get_display_name() if wasm_module else "<none>"
	push_error("ugc_wasm: %s (%s) %s: %s %s" % [get_path(), module_name, wasm_state, code, message])
	wasm_state_changed.emit(wasm_state)
	wasm_failed.emit(wasm_error)


func _apply_manifest() -> void:
	_declared = {}
	_methods = {}
	if wasm_module == null:
		return
	var manifest := wasm_module.get_manifest()
	for prop: Dictionary in manifest.properties:
		if _is_unclaimed(prop.name):
			_declared[prop.name] = prop
			if _values.has(prop.name):
				_values[prop.name] = WasmManifest.coerce(_values[prop.name], prop.type)
		else:
			push_warning("ugc_wasm: property %s clashes with the node's own; ignored" % prop.name)
	for sig: Dictionary in manifest.signals:
		if not has_signal(sig.name):
			add_user_signal(sig.name, sig.args)
	for method: Dictionary in manifest.methods:
		_methods[method.name] = true


## True when `property` is none of the node's own (native or host-script) properties.
func _is_unclaimed(property: String) -> bool:
	if "/" in property or property == "script":
		return false
	var cls := get_class()
	if not _native_props.has(cls):
		var names := {}
		for p in ClassDB.class_get_property_list(cls):
			names[p.name] = true
		for p in (get_script() as Script).get_script_property_list():
			names[p.name] = true
		_native_props[cls] = names
	return not _native_props[cls].has(property)


func _runtime() -> Node:
	var tree := Engine.get_main_loop() as SceneTree
	return tree.root.get_node_or_null(RUNTIME_PATH) if tree else null


func _runtime_call(what: String) -> void:
	var runtime := _runtime()
	if runtime == null:
		if what == "register":
			_fail("runtime_missing", "the UgcRuntime autoload is not in the project", "")
		return
	match what:
		"register":
			runtime.register(self)
		"attach":
			runtime.attach(self)
		"ready":
			runtime.queue_command(self, "ready")
		"exit":
			runtime.queue_command(self, "exit")
		"unregister":
			runtime.unregister(self)
