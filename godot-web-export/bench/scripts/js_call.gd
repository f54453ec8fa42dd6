extends Node3D
## Workload "jscall": one GDScript -> JS call per node per frame through JavaScriptBridge, i.e.
## what a naive design that crosses to a Wasm runtime once per node would pay before any work.
## The page (scripts/bench-godot.mjs) defines window.ugcBench.tick as a no-op.

var _js: JavaScriptObject


func _ready() -> void:
	_js = JavaScriptBridge.get_interface("ugcBench")


func _process(delta: float) -> void:
	_js.tick(delta)
