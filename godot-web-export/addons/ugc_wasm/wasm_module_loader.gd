## Loads `.wasm` files as WasmModule resources (`load("res://x.wasm")`, ext_resources in scenes).
## Registered by Godot itself because it is a global class extending ResourceFormatLoader.
@tool
class_name WasmModuleLoader
extends ResourceFormatLoader


func _get_recognized_extensions() -> PackedStringArray:
	return PackedStringArray(["wasm"])


func _handles_type(type: StringName) -> bool:
	return type == &"Resource"


func _get_resource_type(path: String) -> String:
	return "Resource" if path.get_extension().to_lower() == "wasm" else ""


func _load(path: String, _original_path: String, _sub_threads: bool, _cache_mode: int) -> Variant:
	var data := FileAccess.get_file_as_bytes(path)
	if data.is_empty():
		var err := FileAccess.get_open_error()
		return err if err != OK else ERR_FILE_CORRUPT
	return WasmModule.from_bytes(data, path)
