## Editor side: enabling the plugin adds the UgcRuntime autoload that drives every Wasm script.
@tool
extends EditorPlugin


func _enable_plugin() -> void:
	add_autoload_singleton("UgcRuntime", "res://addons/ugc_wasm/ugc_runtime.gd")


func _disable_plugin() -> void:
	remove_autoload_singleton("UgcRuntime")
