extends Node3D
## Workload "math": 1,000 iterations of float arithmetic per frame (pure script compute).

const ITERATIONS := 1000

var acc := 0.0


func _process(delta: float) -> void:
	var x := acc + delta
	for i in ITERATIONS:
		x = x * 1.000001 + 0.5
		x = x - floorf(x * 0.001) * 1000.0
	acc = x
