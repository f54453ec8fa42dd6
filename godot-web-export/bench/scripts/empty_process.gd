extends Node3D
## Workload "empty": the cost of the engine calling into a script every frame.


func _process(_delta: float) -> void:
	pass
