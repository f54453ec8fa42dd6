## The capability allow-list, enforced a second time on the Godot side before a batch entry or a
## query touches an object (docs/CAPABILITIES.md). Not a second list: the rules come from the page
## (`ugcGodot.capabilities()`, the runtime's own) at connect time, as JSON:
## `{ classes: { Node3D: { parent, properties: { position: "rw" }, property_prefixes:
## { "blend_shapes/": "rw" }, methods: { rotate_y: "command", to_global: "query" } } },
## always_refused: [...] }`.
## Each class's rules are resolved once (own + ancestors, escapes removed) into lookup sets.
extends RefCounted

## A prefix rule grants the prefix plus one name segment of at most this many UTF-8 bytes, without
## "/", ":" or control characters: the crate's rule (`host::names::is_segment`), applied again here.
const MAX_SEGMENT_BYTES := 128

## False when the page gave no rules (then only the registry is enforced; see `warning`).
var loaded := false
var warning := ""

var _classes := {}
var _refused := {}
var _resolved := {}


## Takes the page's JSON; false (and `warning`) when there is none or it is malformed.
func load_json(text: String) -> bool:
	var data: Variant = JSON.parse_string(text) if not text.is_empty() else null
	if not data is Dictionary or not data.get("classes") is Dictionary:
		warning = "the page supplied no capability rules: Godot enforces only its object registry"
		return false
	_classes = data.classes
	for name: Variant in data.get("always_refused", []):
		_refused[StringName(str(name))] = true
	_resolved.clear()
	loaded = true
	return true


## The lookup sets for objects of class `cls` (resolved once per class).
func for_class(cls: String) -> Dictionary:
	if _resolved.has(cls):
		return _resolved[cls]
	var out := {
		"get": {}, "set": {}, "get_prefixes": [], "set_prefixes": [], "command": {}, "query": {}
	}
	var chain: Array[Dictionary] = []
	var next := cls
	while _classes.has(next) and chain.size() < 64:
		chain.append(_classes[next])
		next = str(_classes[next].get("parent", ""))
	# Nearest class last, so its rules win over its ancestors'.
	chain.reverse()
	for rules: Dictionary in chain:
		var props: Dictionary = rules.get("properties", {})
		for prop: String in props:
			_grant(out, StringName(prop), str(props[prop]), "get", "set")
		var prefixes: Dictionary = rules.get("property_prefixes", {})
		for prefix: String in prefixes:
			out.get_prefixes.append(prefix)
			if str(prefixes[prefix]) == "rw":
				out.set_prefixes.append(prefix)
		var methods: Dictionary = rules.get("methods", {})
		for method: String in methods:
			var kind := str(methods[method])
			var key := StringName(method)
			out.command.erase(key)
			out.query.erase(key)
			if kind == "command" or kind == "query":
				out[kind][key] = true
	for key: StringName in _refused:
		for set_name: String in ["get", "set", "command", "query"]:
			out[set_name].erase(key)
	_resolved[cls] = out
	return out


## Whether `rules` (from for_class) allow reading (`write` false) or writing property `name`.
func allows_property(rules: Dictionary, name: StringName, write: bool) -> bool:
	if rules["set" if write else "get"].has(name):
		return true
	if _refused.has(name) or name.begins_with("__ugc_"):
		return false
	for prefix: String in rules["set_prefixes" if write else "get_prefixes"]:
		if name.begins_with(prefix) and is_segment(String(name).substr(prefix.length())):
			return true
	return false


## Whether `segment` may follow a property prefix (see MAX_SEGMENT_BYTES).
static func is_segment(segment: String) -> bool:
	var size := segment.to_utf8_buffer().size()
	if size == 0 or size > MAX_SEGMENT_BYTES:
		return false
	for i in segment.length():
		var c := segment.unicode_at(i)
		if c < 0x20 or (c >= 0x7f and c <= 0x9f) or c == 0x2f or c == 0x3a:
			return false
	return true


func _grant(out: Dictionary, name: StringName, access: String, read: String, write: String) -> void:
	out[read][name] = true
	if access == "rw":
		out[write][name] = true
	else:
		out[write].erase(name)
