## Reads the `ugc_script` manifest (docs/ABI.md) out of a module's bytes, in GDScript, so a node
## shows the module's properties even where the runtime is not available (editor, native builds).
## Every input is hostile: all reads are bounds-checked and every failure is a typed error, never a
## crash.
@tool
class_name WasmManifest
extends RefCounted

const SECTION := "ugc_script"
const MAX_MANIFEST_BYTES := 65536
const MAX_ENTRIES := 256
## Longest declared name: the crate's cap on manifest names and on names passed through the ABI
## (`abi::MAX_NAME_LEN`), so every name the addon shows is one the script can use.
const MAX_NAME_BYTES := 256
## Longest `hint_string` kept (the crate refuses a manifest with a longer one).
const MAX_HINT_STRING_BYTES := 4096

## Godot property hints a manifest may name (snake_case, as in docs/ABI.md).
const HINTS := {
	"none": PROPERTY_HINT_NONE,
	"range": PROPERTY_HINT_RANGE,
	"enum": PROPERTY_HINT_ENUM,
	"enum_suggestion": PROPERTY_HINT_ENUM_SUGGESTION,
	"exp_easing": PROPERTY_HINT_EXP_EASING,
	"flags": PROPERTY_HINT_FLAGS,
	"layers_3d_physics": PROPERTY_HINT_LAYERS_3D_PHYSICS,
	"color_no_alpha": PROPERTY_HINT_COLOR_NO_ALPHA,
	"multiline_text": PROPERTY_HINT_MULTILINE_TEXT,
	"placeholder_text": PROPERTY_HINT_PLACEHOLDER_TEXT,
	"link": PROPERTY_HINT_LINK,
}

static var _type_ids := {}


## The payload of the first custom section called `name`: `{ data: PackedByteArray }` (empty `data`
## and no `error` when there is none), or `{ error: { code, message, offset } }` for bytes that are
## not a module.
static func find_custom_section(bytes: PackedByteArray, name: String) -> Dictionary:
	if bytes.size() < 8 or bytes.slice(0, 4) != PackedByteArray([0, 0x61, 0x73, 0x6D]):
		return _error("manifest_not_wasm", "not a WebAssembly module (bad magic)", 0)
	var pos := 8
	while pos < bytes.size():
		var id := bytes[pos]
		var size := _leb(bytes, pos + 1)
		if size.is_empty():
			return _error("manifest_malformed", "bad section size", pos)
		var start: int = size.next
		var end: int = start + size.value
		if end > bytes.size():
			return _error("manifest_malformed", "section runs past the end", pos)
		if id == 0:
			var name_len := _leb(bytes, start)
			if name_len.is_empty() or name_len.next + name_len.value > end:
				return _error("manifest_malformed", "bad custom section name", start)
			var section_name := bytes.slice(name_len.next, name_len.next + name_len.value)
			if section_name.get_string_from_utf8() == name:
				return {"data": bytes.slice(name_len.next + name_len.value, end)}
		pos = end
	return {"data": PackedByteArray()}


## The normalised manifest: `{ properties: [...], signals: [...], methods: [...], extends,
## instancing ("node" or "shared": one instance per node, or one serving every node) }` where
## each property is `{ name, type (Variant.Type), hint (PropertyHint), hint_string, default }`; plus
## `error` (`{ code, message, offset }`) when the section exists but cannot be used. Entries with a
## bad name or type are dropped and listed in `warnings`.
static func parse(bytes: PackedByteArray) -> Dictionary:
	var out := {
		"properties": [],
		"signals": [],
		"methods": [],
		"extends": "",
		"instancing": "node",
		"warnings": [],
	}
	var section := find_custom_section(bytes, SECTION)
	if section.has("error"):
		out.error = section.error
		return out
	var data: PackedByteArray = section.data
	if data.is_empty():
		return out
	if data.size() > MAX_MANIFEST_BYTES:
		out.error = {"code": "manifest_too_large", "message": "manifest over 64 KiB", "offset": 0}
		return out
	var json := JSON.new()
	if json.parse(data.get_string_from_utf8()) != OK or not json.data is Dictionary:
		out.error = {
			"code": "manifest_json", "message": "manifest is not a JSON object", "offset": 0
		}
		return out
	var raw: Dictionary = json.data
	out.extends = str(raw.get("extends", ""))
	var instancing := str(raw.get("instancing", "node"))
	if instancing == "node" or instancing == "shared":
		out.instancing = instancing
	else:
		out.warnings.append("instancing %s unknown; using node" % instancing)
	for entry in _list(raw, "properties"):
		var prop := _property(entry, out.warnings)
		if not prop.is_empty():
			out.properties.append(prop)
	for entry in _list(raw, "signals"):
		if entry is Dictionary and is_valid_name(str(entry.get("name", ""))):
			var args := []
			for arg in _list(entry, "args"):
				if arg is Dictionary and is_valid_name(str(arg.get("name", ""))):
					args.append({"name": str(arg.name), "type": type_id(str(arg.get("type", "")))})
			out.signals.append({"name": str(entry.name), "args": args})
		else:
			out.warnings.append("signal with a bad name dropped")
	for entry in _list(raw, "methods"):
		if entry is Dictionary and is_valid_name(str(entry.get("name", ""))):
			out.methods.append({"name": str(entry.name)})
	return out


## Identifier rule for every name a manifest declares: ASCII identifiers (so characters are bytes)
## of at most MAX_NAME_BYTES.
static func is_valid_name(name: String) -> bool:
	if name.is_empty() or name.length() > MAX_NAME_BYTES or name.begins_with("__"):
		return false
	return name.is_valid_ascii_identifier()


## Variant.Type for a type name (`float`, `Vector3`, …); -1 when unknown.
static func type_id(name: String) -> int:
	if _type_ids.is_empty():
		for t in TYPE_MAX:
			_type_ids[type_string(t)] = t
	return _type_ids.get(name, -1)


## `value` converted to Variant type `type`; JSON arrays become vectors and colours.
static func coerce(value: Variant, type: int) -> Variant:
	if typeof(value) == type or type == TYPE_NIL:
		return value
	if value is Array:
		var a: Array = value
		var f := func(i: int) -> float: return float(a[i]) if i < a.size() else 0.0
		match type:
			TYPE_VECTOR2:
				return Vector2(f.call(0), f.call(1))
			TYPE_VECTOR3:
				return Vector3(f.call(0), f.call(1), f.call(2))
			TYPE_VECTOR4:
				return Vector4(f.call(0), f.call(1), f.call(2), f.call(3))
			TYPE_COLOR:
				return Color(f.call(0), f.call(1), f.call(2), f.call(3) if a.size() > 3 else 1.0)
	return type_convert(value, type)


static func _property(entry: Variant, warnings: Array) -> Dictionary:
	if not entry is Dictionary or not is_valid_name(str(entry.get("name", ""))):
		warnings.append("property with a bad name dropped")
		return {}
	var type := type_id(str(entry.get("type", "")))
	if type <= TYPE_NIL or type == TYPE_OBJECT or type == TYPE_CALLABLE or type == TYPE_SIGNAL:
		warnings.append("property %s: unsupported type %s" % [entry.name, entry.get("type")])
		return {}
	var hint_name := str(entry.get("hint", "none"))
	if not HINTS.has(hint_name):
		warnings.append("property %s: unknown hint %s (ignored)" % [entry.name, hint_name])
		hint_name = "none"
	var hint_string := str(entry.get("hint_string", ""))
	if hint_string.to_utf8_buffer().size() > MAX_HINT_STRING_BYTES:
		warnings.append(
			"property %s: hint_string over %d bytes (ignored)" % [entry.name, MAX_HINT_STRING_BYTES]
		)
		hint_string = ""
	var default: Variant = coerce(entry.get("default", type_convert(null, type)), type)
	return {
		"name": str(entry.name),
		"type": type,
		"hint": HINTS[hint_name],
		"hint_string": hint_string,
		"default": default,
	}


static func _list(dict: Dictionary, key: String) -> Array:
	var value: Variant = dict.get(key, [])
	if not value is Array:
		return []
	var list: Array = value
	return list.slice(0, MAX_ENTRIES)


## Unsigned LEB128 (at most 5 bytes, u32): `{ value, next }`, empty when malformed.
static func _leb(bytes: PackedByteArray, pos: int) -> Dictionary:
	var value := 0
	for i in 5:
		if pos + i >= bytes.size():
			return {}
		var b := bytes[pos + i]
		value |= (b & 0x7F) << (7 * i)
		if b & 0x80 == 0:
			return {"value": value, "next": pos + i + 1}
	return {}


static func _error(code: String, message: String, offset: int) -> Dictionary:
	return {"error": {"code": code, "message": message, "offset": offset}}
