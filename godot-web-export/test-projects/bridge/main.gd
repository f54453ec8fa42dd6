extends Node
## Probes JavaScriptBridge against window.ugcTest (defined by the test page) and prints one
## `UGC_BRIDGE {json}` line per finding, then `UGC_BRIDGE_DONE`. Timings are printed, never checked.

const CALLS := 2000

var _ugc: JavaScriptObject
## Callbacks handed to JS must stay referenced from GDScript or they die.
var _callbacks: Array[JavaScriptObject] = []
var _callback_args: Array = []


func _ready() -> void:
	_ugc = JavaScriptBridge.get_interface("ugcTest")
	_report("interface", {"found": _ugc != null, "missing_is_null": _missing_interface_is_null()})
	_send_values()
	_receive_values()
	_callbacks_probe()
	_bytes_probe()
	_costs()
	print("UGC_BRIDGE_DONE")
	get_tree().quit()


func _report(what: String, data: Dictionary) -> void:
	data["what"] = what
	print("UGC_BRIDGE ", JSON.stringify(data))


func _missing_interface_is_null() -> bool:
	return JavaScriptBridge.get_interface("ugcNoSuchThing") == null


## GDScript -> JS: the page records what each argument became (ugcTest.received).
func _send_values() -> void:
	var values := {
		"int": 42,
		"int_negative": -7,
		"int_2_pow_53_plus_1": 9007199254740993,
		"int_i64_max": 9223372036854775807,
		"float_one_tenth": 0.1,
		"float_16777217": 16777217.0,
		"float_1e300": 1e300,
		"bool": true,
		"string": "héllo 日本",
		"string_name": &"name",
		"null": null,
		"array": [1, 2],
		"dictionary": {"a": 1},
		"packed_byte_array": PackedByteArray([1, 2, 3]),
		"vector2": Vector2(1, 2),
		"node": self,
		"js_object": JavaScriptBridge.create_object("Object"),
	}
	for key in values:
		_ugc.record(key, values[key])
	_report("sent", {"keys": values.keys()})


## JS -> GDScript: what each JS value becomes as a return value of a call.
func _receive_values() -> void:
	var kinds: Array = _ugc.kinds().split(",")
	var got := {}
	for kind in kinds:
		var value: Variant = _ugc.give(kind)
		var entry := {"type": type_string(typeof(value))}
		if typeof(value) in [TYPE_INT, TYPE_FLOAT, TYPE_BOOL, TYPE_STRING]:
			entry["value"] = str(value)
		got[kind] = entry
	_report("received", got)


func _on_js_call(args: Array) -> Variant:
	_callback_args = args
	if args.size() >= 2 and args[1] is JavaScriptObject:
		args[1].ret = "set through the holder"
	return "returned from GDScript"


## create_callback: what the callable receives, and what JS gets back.
func _callbacks_probe() -> void:
	var cb := JavaScriptBridge.create_callback(_on_js_call)
	_callbacks.append(cb)
	var result: JavaScriptObject = _ugc.invoke(cb)
	var types := []
	for a in _callback_args:
		types.append(type_string(typeof(a)))
	_report(
		"callback",
		{
			"arg_count": _callback_args.size(),
			"arg_types": types,
			"first_arg": str(_callback_args[0]) if _callback_args.size() > 0 else "",
			"js_saw_return": str(result.returned),
			"js_saw_holder": str(result.holder_ret),
		}
	)


## Bytes both ways: a JS Uint8Array (and a view into a bigger buffer) into a PackedByteArray, and
## a PackedByteArray to JS through base64.
func _bytes_probe() -> void:
	var whole := JavaScriptBridge.js_buffer_to_packed_byte_array(_ugc.bytes("whole"))
	var view := JavaScriptBridge.js_buffer_to_packed_byte_array(_ugc.bytes("view"))
	var buffer := JavaScriptBridge.js_buffer_to_packed_byte_array(_ugc.bytes("buffer"))
	var out := PackedByteArray()
	for i in 256:
		out.append(i)
	var js_view := str(_ugc.checkBase64(Marshalls.raw_to_base64(out)))
	_report(
		"bytes",
		{
			"whole_hex": whole.hex_encode(),
			"view_hex": view.hex_encode(),
			"array_buffer_hex": buffer.hex_encode(),
			"to_js_via_base64": js_view,
		}
	)


## Rough costs in this engine build (printed for docs/GODOT.md; the test does not check them).
func _costs() -> void:
	var t0 := Time.get_ticks_usec()
	for i in CALLS:
		_ugc.noop(i)
	var call_us := float(Time.get_ticks_usec() - t0) / CALLS

	var cb := JavaScriptBridge.create_callback(_noop_callback)
	_callbacks.append(cb)
	var callback_us := float(_ugc.timeCallbacks(cb, CALLS))

	var mib: JavaScriptObject = _ugc.bytes("mib")
	t0 = Time.get_ticks_usec()
	var big := JavaScriptBridge.js_buffer_to_packed_byte_array(mib)
	var mib_in_us := Time.get_ticks_usec() - t0

	var k64 := PackedByteArray()
	k64.resize(65536)
	t0 = Time.get_ticks_usec()
	var b64 := Marshalls.raw_to_base64(k64)
	var decoded_len := int(_ugc.decodeLength(b64))
	var k64_out_us := Time.get_ticks_usec() - t0

	_report(
		"costs",
		{
			"gdscript_to_js_call_us": call_us,
			"js_to_gdscript_callback_us": callback_us,
			"js_buffer_1mib_to_pba_us": mib_in_us,
			"mib_size": big.size(),
			"pba_64kib_to_js_base64_us": k64_out_us,
			"base64_decoded_len": decoded_len,
		}
	)


func _noop_callback(_args: Array) -> void:
	pass
