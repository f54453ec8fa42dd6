## The Godot side of the runtime's object handles (the ObjectBridge of docs/ABI.md): the objects
## Wasm scripts may reach, by ObjectID, each with its class's resolved capability rules. A script's
## own node is added when it attaches and removed when it is freed; other objects are added when
## the game hands them to a guest (method arguments) or a query returns them, and dropped as soon
## as they are found freed (`instance_from_id` is null: ObjectIDs are never reused, so a stale id
## cannot reach another object). Nothing outside this table is touched on a guest's behalf.
extends RefCounted

const CapabilityRules := preload("res://addons/ugc_wasm/capability_rules.gd")
## How deep add_all/import look into nested Arrays and Dictionaries.
const MAX_DEPTH := 32

var rules := CapabilityRules.new()
## ObjectID -> the rules of its class (CapabilityRules.for_class), with "script": true for nodes
## that run a Wasm script (they alone may emit signals).
var entries := {}


func add(obj: Object, is_script := false) -> int:
	var id := obj.get_instance_id()
	var resolved: Dictionary = rules.for_class(obj.get_class())
	if is_script:
		resolved = resolved.duplicate()
		resolved["script"] = true
	entries[id] = resolved
	return id


func remove(id: int) -> void:
	entries.erase(id)


## Re-resolves every entry (after the rules arrived from the page).
func refresh() -> void:
	for id: int in entries.keys():
		var obj := instance_from_id(id)
		if obj == null:
			entries.erase(id)
			continue
		var is_script: bool = entries[id].has("script")
		add(obj, is_script)


## The live object behind `id`, or null (and the entry dropped) when it was freed or never added.
func resolve(id: int) -> Object:
	if not entries.has(id):
		return null
	var obj := instance_from_id(id)
	if obj == null:
		entries.erase(id)
	return obj


## Adds every Object inside `value` (the game is handing it to a guest).
func add_all(value: Variant, depth := 0) -> void:
	if depth > MAX_DEPTH:
		return
	match typeof(value):
		TYPE_OBJECT:
			if is_instance_valid(value) and not entries.has(value.get_instance_id()):
				add(value)
		TYPE_ARRAY:
			for item: Variant in value:
				add_all(item, depth + 1)
		TYPE_DICTIONARY:
			for key: Variant in value:
				add_all(key, depth + 1)
				add_all(value[key], depth + 1)


## `value` from a guest (bytes_to_var) with every object reference (EncodedObjectAsID) replaced by
## the registered object, or null when the id is not one the guest was given.
func import_value(value: Variant, depth := 0) -> Variant:
	if depth > MAX_DEPTH:
		return null
	match typeof(value):
		TYPE_OBJECT:
			if value is EncodedObjectAsID:
				return resolve(value.object_id)
			return null
		TYPE_ARRAY:
			if value.is_typed():
				return value
			for i in value.size():
				value[i] = import_value(value[i], depth + 1)
		TYPE_DICTIONARY:
			for key: Variant in value:
				value[key] = import_value(value[key], depth + 1)
	return value


## Drops the entries of freed objects (nodes remove themselves; this catches the others).
func sweep() -> void:
	for id: int in entries.keys():
		if instance_from_id(id) == null:
			entries.erase(id)
