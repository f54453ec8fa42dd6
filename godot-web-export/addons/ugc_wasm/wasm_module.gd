## A WebAssembly module as a Resource: its bytes, their SHA-256 (the key the runtime caches and
## shares the module under) and its manifest, parsed here so properties are known before (and
## without) the runtime. `.wasm` files load as WasmModule through WasmModuleLoader; a .tres can also
## hold the bytes.
@tool
class_name WasmModule
extends Resource

@export var bytes := PackedByteArray():
	set(value):
		bytes = value
		_manifest = {}
		_key = ""
		emit_changed()

var _manifest := {}
var _key := ""


static func from_bytes(data: PackedByteArray, path := "") -> WasmModule:
	var module := WasmModule.new()
	module.bytes = data
	if path != "":
		module.resource_name = path.get_file()
	return module


## See WasmManifest.parse; computed once per module.
func get_manifest() -> Dictionary:
	if _manifest.is_empty():
		_manifest = WasmManifest.parse(bytes)
	return _manifest


## Hex SHA-256 of the bytes: identical modules on many nodes are sent to the page and compiled once.
func get_key() -> String:
	if _key == "" and not bytes.is_empty():
		var ctx := HashingContext.new()
		ctx.start(HashingContext.HASH_SHA256)
		ctx.update(bytes)
		_key = ctx.finish().hex_encode()
	return _key


## A name for status reports: the file name, else the start of the key.
func get_display_name() -> String:
	if resource_path != "":
		return resource_path.get_file()
	if resource_name != "":
		return resource_name
	return "module-" + get_key().left(12)
