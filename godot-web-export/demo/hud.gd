## The demo's overlay: one line per Wasm script with its state, redrawn only when a state
## changes (the scripted nodes run no GDScript per frame); tints each scripted mesh by state.
extends Label

const COLORS := {
	"running": Color(0.3, 0.85, 0.4),
	"loading": Color(0.9, 0.8, 0.3),
	"faulted": Color(0.9, 0.25, 0.2),
	"invalid": Color(0.45, 0.45, 0.5),
}


func _ready() -> void:
	get_node("/root/UgcRuntime").script_state_changed.connect(_on_state_changed)
	_refresh()


func _on_state_changed(node: Node, state: String, _error: Dictionary) -> void:
	var mesh := node as MeshInstance3D
	if mesh:
		var material := StandardMaterial3D.new()
		material.albedo_color = COLORS.get(state, Color.WHITE)
		mesh.material_override = material
	_refresh()


func _refresh() -> void:
	var lines := PackedStringArray(["ugc-wasm demo: Wasm scripts"])
	for node in get_tree().get_nodes_in_group("wasm"):
		var error: Dictionary = node.wasm_error
		var why := " (%s)" % error.code if error.has("code") else ""
		lines.append("%s: %s%s" % [node.name, node.wasm_state, why])
	text = "\n".join(lines)
