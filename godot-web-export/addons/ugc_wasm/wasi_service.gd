## A WASI preview-1 program (e.g. Rust built for wasm32-wasip1) running as a service of the scene:
## started with args/env/files from a WasmModule or a URL, fed through stdin, its stdout and stderr
## arriving as LINES (signals), its exit code kept. The program runs in a Web Worker of the page
## (`window.ugcWasi`, js-glue/src/godot/wasi-services.js, over `rt.spawnWasi`), so it never blocks a
## frame; all services share ONE JavaScriptBridge crossing per frame (`ugcWasi.poll()`), made by
## whichever service processes first. Web exports only: elsewhere `failed` says `web_only`.
class_name WasiService
extends Node

## The worker runs the program (`stdin_mode`: "pipe" or "messages"; "none" takes no writes).
signal started
## One line the program wrote to stdout, without its line break.
signal stdout_line(line: String)
## One line the program wrote to stderr (a Rust panic message arrives here before `failed`).
signal stderr_line(line: String)
## The program ended by itself (proc_exit or returning from main); `code` is also `exit_code`.
signal exited(code: int)
## It stopped otherwise: `error` is `{ code, message }` (trap, fuel_exhausted, timeout, killed,
## validation, sha256_mismatch, fetch_failed, web_only, runtime_missing, …).
signal failed(error: Dictionary)
## While a `url` module downloads (`total` is -1 when the server does not say).
signal download_progress(loaded: int, total: int)

const INTERFACE := "ugcWasi"
const PROTOCOL := 1
## How long to wait for the page to install `ugcWasi` before failing with `runtime_missing`.
const CONNECT_TIMEOUT_MS := 10000
const RuntimeScript := preload("res://addons/ugc_wasm/ugc_runtime.gd")

## For tests: behave as outside the browser (the `web_only` path).
static var simulate_non_web := false
static var _services := {}
static var _next_id := 1
static var _bridge: JavaScriptObject = null
static var _sent_modules := {}
static var _polled_frame := -1
## Crossings made by `_pump` (one `poll` per frame while any service is active).
static var polls := 0

## The program, as a resource (e.g. `load("res://services/face.wasm")`)…
@export var wasm_module: WasmModule
## …or as a URL, fetched once and cached by content (see docs/WASI.md "Modules from a URL").
@export var url := ""
## Expected SHA-256 (hex) of the `url` module: a mismatch fails with `sha256_mismatch`, and a known
## hash starts from the cache without any request.
@export var sha256 := ""
## argv, program name first (default ["service.wasm"]).
@export var args := PackedStringArray()
## Environment variables (String → String).
@export var env := {}
## Files in the in-memory file system: path → String, PackedByteArray, or null for a directory.
@export var files := {}
## Start in `_ready`.
@export var autostart := true
## Wall-clock limit in ms; 0 = none (a service normally runs until killed).
@export var timeout_ms := 0
## Fuel budget; 0 = the wasi policy's default (10^10).
@export var fuel := 0
## The budget is per request: topped up whenever the program waits for stdin (a service that
## answers lines runs for ever; one that spins without reading is still stopped). False: one
## budget for the whole run.
@export var fuel_per_input := true

## "idle", "starting", "running", "exited" or "failed".
var state := "idle"
## The exit code once `state` is "exited", else -1.
var exit_code := -1
## `{ code, message }` once `state` is "failed".
var error := {}
## How stdin reaches the worker ("pipe", "messages" or "none"), known once started.
var stdin_mode := ""

var _id := 0
var _start_sent := false
var _queued := []


## Why services cannot run here, or `{}` (the same decision as the UgcRuntime autoload's).
static func platform_error() -> Dictionary:
	return RuntimeScript.platform_error(OS.has_feature("web") and not simulate_non_web)


func _ready() -> void:
	set_process(false)
	if autostart:
		start()


func _notification(what: int) -> void:
	if what == NOTIFICATION_PREDELETE:
		_unregister()


## Starts (or restarts) the program. Returns false (and emits `failed`) when it cannot start here.
func start() -> bool:
	_unregister()
	exit_code = -1
	error = {}
	stdin_mode = ""
	var why := platform_error()
	if why.is_empty() and wasm_module == null and url == "":
		why = {"code": "module_missing", "message": "set wasm_module or url"}
	if not why.is_empty():
		_fail(why.code, why.message)
		return false
	_id = _next_id
	_next_id += 1
	_services[_id] = self
	_start_sent = false
	_queued.clear()
	state = "starting"
	set_process(true)
	return true


## Sends text (UTF-8) or a PackedByteArray to the program's stdin. Returns "" or an error code
## (`not_running`, `stdin_closed`, `stdin_needs_cross_origin_isolation`, …).
func write_stdin(data: Variant) -> String:
	if state != "starting" and state != "running":
		return "not_running"
	if not (data is String or data is PackedByteArray):
		return "bad_argument"
	if not _start_sent:
		_queued.append(data)
		return ""
	return _write_now(data)


## End of input: the program reads EOF once it has consumed what was written.
func close_stdin() -> void:
	if state != "starting" and state != "running":
		return
	if not _start_sent:
		_queued.append(null)
		return
	_bridge.closeStdin(_id)


## Stops the program: `failed` with code `killed`.
func kill() -> void:
	if state != "starting" and state != "running":
		return
	if _start_sent:
		_bridge.kill(_id)
		return
	_unregister()
	_fail("killed", "the service was killed before it started")


func _process(_delta: float) -> void:
	var frame := Engine.get_process_frames()
	if frame != _polled_frame:
		_polled_frame = frame
		_pump()


## The per-frame work of every service, done once: connect, send pending starts, poll all events.
static func _pump() -> void:
	if _bridge == null and not _connect():
		return
	for service: WasiService in _services.values():
		if not service._start_sent:
			service._send_start()
	if _services.is_empty():
		return
	polls += 1
	var result: Variant = _bridge.poll()
	if result == null:
		return
	var events: Variant = bytes_to_var(JavaScriptBridge.js_buffer_to_packed_byte_array(result))
	if not events is Array:
		push_error("ugc_wasm: malformed WasiService events")
		return
	for event: Array in events:
		var service: WasiService = _services.get(event[0])
		if service != null:
			service._on_event(event)


static func _connect() -> bool:
	_bridge = JavaScriptBridge.get_interface(INTERFACE)
	if _bridge != null:
		var protocol: Variant = _bridge.protocol()
		if protocol == PROTOCOL:
			return true
		_bridge = null
		_fail_all("protocol_mismatch", "page speaks protocol %s, addon %d" % [protocol, PROTOCOL])
	elif Time.get_ticks_msec() > CONNECT_TIMEOUT_MS:
		_fail_all(
			"runtime_missing",
			"window.%s not found: the page must load ugc-wasm's godot glue" % INTERFACE
		)
	return false


static func _fail_all(code: String, message: String) -> void:
	for service: WasiService in _services.values():
		service._unregister()
		service._fail(code, message)


func _send_start() -> void:
	var config := {
		"args": Array(args),
		"env": env,
		"files": _files_json(),
		"timeoutMs": timeout_ms,
		"fuel": fuel,
		"fuelPerInput": fuel_per_input,
	}
	if url != "":
		config.url = url
		config.sha256 = sha256
	else:
		var key := wasm_module.get_key()
		if key == "":
			_unregister()
			_fail("module_missing", "wasm_module has no bytes")
			return
		if not _sent_modules.has(key):
			_bridge.addModule(key, Marshalls.raw_to_base64(wasm_module.bytes))
			_sent_modules[key] = true
		config.module = key
	_start_sent = true
	_bridge.start(_id, JSON.stringify(config))
	for data: Variant in _queued:
		if data == null:
			_bridge.closeStdin(_id)
		else:
			_write_now(data)
	_queued.clear()


func _files_json() -> Dictionary:
	var out := {}
	for path: String in files:
		var content: Variant = files[path]
		if content is PackedByteArray:
			out[path] = {"base64": Marshalls.raw_to_base64(content)}
		elif content == null:
			out[path] = null
		else:
			out[path] = str(content)
	return out


func _write_now(data: Variant) -> String:
	if data is PackedByteArray:
		return str(_bridge.writeBase64(_id, Marshalls.raw_to_base64(data)))
	return str(_bridge.write(_id, data))


func _on_event(event: Array) -> void:
	match event[1]:
		"out":
			stdout_line.emit(event[2])
		"err":
			stderr_line.emit(event[2])
		"progress":
			download_progress.emit(event[2], event[3])
		"started":
			state = "running"
			stdin_mode = event[2]
			started.emit()
		"exit":
			_unregister()
			state = "exited"
			exit_code = event[2]
			exited.emit(exit_code)
		"failed":
			_unregister()
			_fail(event[2], event[3])


func _fail(code: String, message: String) -> void:
	state = "failed"
	error = {"code": code, "message": message}
	if code != "killed":
		push_error("ugc_wasm: WasiService %s: %s: %s" % [name, code, message])
	failed.emit(error)


## Leaves the registry and the page's (stopping the program there, if it still runs, silently).
func _unregister() -> void:
	if _id == 0:
		return
	if _start_sent and _bridge != null:
		_bridge.forget(_id)
	_services.erase(_id)
	_id = 0
	_start_sent = false
	set_process(false)
