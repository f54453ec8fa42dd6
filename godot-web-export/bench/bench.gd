extends Node
## Spawns N Node3D children with one workload script each and measures, per frame, the time
## of the whole `_process` pass over them: a marker processed first (lowest process_priority)
## and one processed last take Time.get_ticks_usec(). Prints one `UGC_BENCH {json}` row per
## (variant, N), then `UGC_BENCH_DONE`.
##
## A variant is a name and a way to make one child (see _make_child): a Wasm-backed variant is
## added by registering another factory there, and becomes one more column in the report.
##
## User args (after `--`): --counts=100,1000 --variants=none,empty --warmup=5 --min-frames=5
## --max-frames=60 --budget-ms=1500

const WORKLOADS := {
	"empty": preload("res://scripts/empty_process.gd"),
	"move": preload("res://scripts/move.gd"),
	"math": preload("res://scripts/math.gd"),
	"jscall": preload("res://scripts/js_call.gd"),
}

var _recording := false
var _frame_start := 0
var _samples: Array[int] = []


## Takes the timestamps. First or last in the process order, by process_priority.
class Marker:
	extends Node

	var bench: Node
	var is_start: bool

	func _init(owner_bench: Node, start: bool) -> void:
		bench = owner_bench
		is_start = start
		process_priority = -1_000_000 if start else 1_000_000

	func _process(_delta: float) -> void:
		if is_start:
			bench.frame_started()
		else:
			bench.frame_ended()


func frame_started() -> void:
	_frame_start = Time.get_ticks_usec()


func frame_ended() -> void:
	if _recording:
		_samples.append(Time.get_ticks_usec() - _frame_start)


func _ready() -> void:
	var cfg := _config()
	print("UGC_BENCH_BEGIN ", JSON.stringify(cfg))
	await get_tree().process_frame
	for n in cfg["counts"]:
		for variant in cfg["variants"]:
			var row := await _measure(variant, n, cfg)
			print("UGC_BENCH ", JSON.stringify(row))
	print("UGC_BENCH_DONE")
	get_tree().quit()


func _config() -> Dictionary:
	var cfg := {
		"counts": [100, 1000, 10000],
		"variants": ["none", "empty", "move", "math", "jscall"],
		"warmup": 5,
		"min_frames": 5,
		"max_frames": 60,
		"budget_ms": 1500,
	}
	for arg in OS.get_cmdline_user_args():
		var parts := arg.trim_prefix("--").split("=", true, 1)
		if parts.size() != 2:
			continue
		var key := parts[0].replace("-", "_")
		match key:
			"counts":
				cfg[key] = Array(parts[1].split(",")).map(func(s): return int(s))
			"variants":
				cfg[key] = Array(parts[1].split(","))
			"warmup", "min_frames", "max_frames", "budget_ms":
				cfg[key] = int(parts[1])
	return cfg


## One child of the given variant. "none" is a script-less Node3D: the markers' own overhead.
func _make_child(variant: String) -> Node:
	var node := Node3D.new()
	if variant != "none":
		node.set_script(WORKLOADS[variant])
	return node


func _measure(variant: String, n: int, cfg: Dictionary) -> Dictionary:
	var holder := Node.new()
	holder.name = "Holder"
	holder.add_child(Marker.new(self, true))
	var spawn_start := Time.get_ticks_usec()
	for i in n:
		holder.add_child(_make_child(variant))
	var spawn_us := Time.get_ticks_usec() - spawn_start
	holder.add_child(Marker.new(self, false))
	add_child(holder)

	for i in cfg["warmup"]:
		await get_tree().process_frame
	_samples.clear()
	_recording = true
	var budget_us: int = cfg["budget_ms"] * 1000
	while (
		_samples.size() < cfg["max_frames"]
		and (_samples.size() < cfg["min_frames"] or _sum(_samples) < budget_us)
	):
		await get_tree().process_frame
	_recording = false
	holder.queue_free()
	await get_tree().process_frame

	var sorted := _samples.duplicate()
	sorted.sort()
	return {
		"variant": variant,
		"n": n,
		"frames": sorted.size(),
		"median_us": _median(sorted),
		"min_us": sorted[0],
		"max_us": sorted[-1],
		"spawn_us": spawn_us,
	}


func _sum(values: Array[int]) -> int:
	var total := 0
	for v in values:
		total += v
	return total


func _median(sorted: Array[int]) -> float:
	var mid := sorted.size() / 2
	if sorted.size() % 2 == 1:
		return sorted[mid]
	return (sorted[mid - 1] + sorted[mid]) / 2.0
