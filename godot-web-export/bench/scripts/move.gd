extends Node3D
## Workload "move": one property read and write on the node per frame.


func _process(delta: float) -> void:
	position.x += delta
