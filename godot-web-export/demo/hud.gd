## The demo's overlay: how many Wasm scripts run, per module and state, the failing ones with their
## typed errors, the frame rate and what the guests did (signals, batch entries). Redrawn twice a
## second (the scripted nodes themselves run no GDScript per frame); a failing script's mesh is
## tinted by its state.
extends Label

const COLORS := {
	"faulted": Color(0.9, 0.25, 0.2),
	"invalid": Color(0.45, 0.45, 0.5),
}
const REFRESH_S := 0.5

var _since := 0.0

@onready var _runtime: Node = get_node("/root/UgcRuntime")
@onready var _plaza: Node = get_node_or_null("/root/Main/Plaza")


func _ready() -> void:
	_runtime.script_state_changed.connect(_on_state_changed)
	_refresh()


func _process(delta: float) -> void:
	_since += delta
	if _since >= REFRESH_S:
		_since = 0.0
		_refresh()


func _on_state_changed(node: Node, state: String, _error: Dictionary) -> void:
	var mesh := node as MeshInstance3D
	if mesh and COLORS.has(state):
		var material := StandardMaterial3D.new()
		material.albedo_color = COLORS[state]
		mesh.material_override = material


func _refresh() -> void:
	var counts := {}
	var failing := PackedStringArray()
	var states := {"running": 0, "loading": 0, "faulted": 0, "invalid": 0}
	for node: Node in _runtime.scripts():
		var module: String = node.wasm_module.get_display_name() if node.wasm_module else "-"
		var per: Dictionary = counts.get_or_add(module, {})
		per[node.wasm_state] = per.get(node.wasm_state, 0) + 1
		states[node.wasm_state] = states.get(node.wasm_state, 0) + 1
		if node.wasm_state == "faulted" or node.wasm_state == "invalid":
			if failing.size() < 4:
				failing.append(
					"  %s: %s (%s)" % [node.name, node.wasm_state, node.wasm_error.get("code", "")]
				)
	var lines := PackedStringArray(
		[
			(
				"ugc-wasm demo: %d Wasm scripts, %d fps"
				% [_runtime.scripts().size(), Engine.get_frames_per_second()]
			),
			(
				"running %d  loading %d  faulted %d  invalid %d"
				% [states.running, states.loading, states.faulted, states.invalid]
			),
		]
	)
	for module: String in counts:
		var parts := PackedStringArray()
		for state: String in counts[module]:
			parts.append("%s %d" % [state, counts[module][state]])
		lines.append("%s: %s" % [module, ", ".join(parts)])
	lines.append_array(failing)
	if _plaza:
		lines.append(
			(
				"signals: %d switch toggles, %d spinner turns; batch entries applied: %d"
				% [_plaza.toggles, _plaza.turns, _runtime.applied]
			)
		)
	text = "\n".join(lines)
