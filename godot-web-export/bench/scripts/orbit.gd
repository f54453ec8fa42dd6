extends Node3D
## Workload "orbit": 1,000 steps per frame of a point turning on a circle (a 2D rotation by a
## fixed angle) with an easing height — the vector math of procedural animation, where the x, y
## and z updates are independent of each other within a step.

const STEPS := 1000
## cos(0.02) and sin(0.02), the turn per step.
const C := 0.9998000066665778
const S := 0.019998666693333080

var acc := 0.0
var acc_y := 0.0
var acc_z := 0.0


func _process(delta: float) -> void:
	var x := acc + delta
	var y := acc_y
	var z := acc_z
	for i in STEPS:
		var nx := x * C - y * S
		y = x * S + y * C
		x = nx
		z = z * 0.999 + 0.001
	acc = x
	acc_y = y
	acc_z = z
