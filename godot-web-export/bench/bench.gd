extends Node
## Spawns N Node3D children with one workload script each and measures, per frame, the time
## of the whole `_process` pass over them: a marker processed first (lowest process_priority)
## and one processed last take Time.get_ticks_usec(). Prints one `UGC_BENCH {json}` row per
## (variant, N), then `UGC_BENCH_DONE`.
##
## A variant is a name and a way to make one child (see _make_child). `wasm-<name>` children run
## res://modules/<name>.wasm (built by scripts/bench-godot.mjs from modules.mjs; the workload is the
## name's last dash-separated part) through the ugc_wasm addon: a WasmScript each, driven by the
## UgcRuntime autoload (process_priority -1000, so inside the timed pass: its one JavaScriptBridge
## crossing, every guest call, the batch coming back and its application to the nodes are all
## measured). Timing starts once every Wasm child runs.
##
## After the timed frames each row also says whether the work happened: `worked` counts the children
## whose workload left its mark (move: position.x > 0; math, orbit: a non-zero accumulator, read
## through call_wasm("acc") for Wasm), `failed` the Wasm children not running, with the first
## `error`, and
## `js` the page's own timing of the same frames (ugcBench.begin()/end(), see bench-godot.mjs),
## `applied`/`apply_us` the batch entries UgcRuntime applied and its time applying them, per frame
## (mean; its `applied`/`apply_usec` counters).
##
## User args (after `--`): --counts=100,1000 --variants=none,empty --warmup=5 --min-frames=5
## --max-frames=60 --budget-ms=1500 --load-timeout-ms=120000; `--probe=1 --reps=20` runs probe.gd's
## measurements of the pieces of a Wasm frame instead.

const WORKLOADS := {
	"empty": preload("res://scripts/empty_process.gd"),
	"move": preload("res://scripts/move.gd"),
	"math": preload("res://scripts/math.gd"),
	"orbit": preload("res://scripts/orbit.gd"),
	"jscall": preload("res://scripts/js_call.gd"),
}
const WASM_PREFIX := "wasm-"
const WASM_SCRIPT := preload("res://addons/ugc_wasm/wasm_script.gd")

var _recording := false
var _frame_start := 0
var _samples: Array[int] = []
var _modules := {}
var _page: JavaScriptObject


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
	_page = JavaScriptBridge.get_interface("ugcBench")
	await get_tree().process_frame
	if cfg["probe"]:
		var probe: Node = preload("res://probe.gd").new()
		add_child(probe)
		await probe.run(cfg["counts"], cfg["reps"])
		cfg["counts"] = []
	for n in cfg["counts"]:
		for variant in cfg["variants"]:
			var row := await _measure(variant, n, cfg)
			print("UGC_BENCH ", JSON.stringify(row))
	print("UGC_BENCH_DONE")
	get_tree().quit()


func _config() -> Dictionary:
	var cfg := {
		"counts": [100, 1000, 10000],
		"variants":
		[
			"none",
			"empty",
			"wasm-empty",
			"move",
			"wasm-move",
			"wasm-calls-move",
			"math",
			"wasm-math",
			"orbit",
			"wasm-orbit",
			"jscall"
		],
		"warmup": 5,
		"min_frames": 5,
		"max_frames": 60,
		"budget_ms": 1500,
		"load_timeout_ms": 120000,
		"probe": 0,
		"reps": 20,
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
			"warmup", "min_frames", "max_frames", "budget_ms", "load_timeout_ms", "probe", "reps":
				cfg[key] = int(parts[1])
	return cfg


## One child of the given variant. "none" is a script-less Node3D: the markers' own overhead.
func _make_child(variant: String) -> Node:
	var node := Node3D.new()
	if variant.begins_with(WASM_PREFIX):
		node.set_script(WASM_SCRIPT)
		node.wasm_module = _wasm_module(variant.trim_prefix(WASM_PREFIX))
	elif variant != "none":
		node.set_script(WORKLOADS[variant])
	return node


## One WasmModule per workload, shared by every node (compiled and instantiated once).
func _wasm_module(workload: String) -> WasmModule:
	if not _modules.has(workload):
		_modules[workload] = load("res://modules/%s.wasm" % workload)
	return _modules[workload]


## Waits until every Wasm child left "loading"; returns how many did not end up "running".
func _wait_loaded(children: Array[Node], timeout_ms: int) -> int:
	var deadline := Time.get_ticks_msec() + timeout_ms
	while Time.get_ticks_msec() < deadline:
		var loading := 0
		for child in children:
			if child.wasm_state == "loading" or child.wasm_state == "detached":
				loading += 1
		if loading == 0:
			break
		await get_tree().process_frame
	return _failed(children).size()


func _failed(children: Array[Node]) -> Array[Node]:
	var failed: Array[Node] = []
	for child in children:
		if child.wasm_state != "running":
			failed.append(child)
	return failed


## How many children show their workload's effect (see the header); -1 when the workload has none.
func _worked(variant: String, children: Array[Node]) -> int:
	var workload := variant.get_slice("-", variant.count("-"))
	var count := 0
	for child in children:
		match workload:
			"move":
				count += int(child.position.x > 0.0)
			"math", "orbit":
				var acc: Variant = (
					child.call_wasm("acc") if variant.begins_with(WASM_PREFIX) else child.acc
				)
				count += int(acc is float and acc != 0.0)
			_:
				return -1
	return count


func _measure(variant: String, n: int, cfg: Dictionary) -> Dictionary:
	var holder := Node.new()
	holder.name = "Holder"
	holder.add_child(Marker.new(self, true))
	var children: Array[Node] = []
	var spawn_start := Time.get_ticks_usec()
	for i in n:
		var child := _make_child(variant)
		children.append(child)
		holder.add_child(child)
	var spawn_us := Time.get_ticks_usec() - spawn_start
	holder.add_child(Marker.new(self, false))
	add_child(holder)

	var wasm := variant.begins_with(WASM_PREFIX)
	var load_start := Time.get_ticks_msec()
	if wasm:
		await _wait_loaded(children, cfg["load_timeout_ms"])
	var load_ms := Time.get_ticks_msec() - load_start

	for i in cfg["warmup"]:
		await get_tree().process_frame
	_samples.clear()
	var runtime := get_node_or_null(^"/root/UgcRuntime")
	var applied_before := _counter(runtime, &"applied")
	var apply_usec_before := _counter(runtime, &"apply_usec")
	_page.begin()
	_recording = true
	var budget_us: int = cfg["budget_ms"] * 1000
	while (
		_samples.size() < cfg["max_frames"]
		and (_samples.size() < cfg["min_frames"] or _sum(_samples) < budget_us)
	):
		await get_tree().process_frame
	_recording = false
	var js: Variant = JSON.parse_string(_page.end())
	var frames := maxi(_samples.size(), 1)
	var applied := (_counter(runtime, &"applied") - applied_before) / float(frames)
	var apply_us := (_counter(runtime, &"apply_usec") - apply_usec_before) / float(frames)
	var failed: Array[Node] = []
	if wasm:
		failed = _failed(children)
	var worked := _worked(variant, children)
	var error: Dictionary = failed[0].wasm_error if not failed.is_empty() else {}
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
		"load_ms": load_ms if wasm else 0,
		"worked": worked,
		"failed": failed.size(),
		"error": error,
		"js": js,
		"applied": applied,
		"apply_us": apply_us,
	}


## A counter of the UgcRuntime autoload (0 when it has none).
func _counter(runtime: Node, name: StringName) -> int:
	if runtime == null or not name in runtime:
		return 0
	return runtime.get(name)


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
