extends Node
## Prints one `UGC_VARIANT {json}` line per value: the name, the GDScript expression,
## the Variant type and var_to_bytes() as hex; then one `UGC_DECODE {json}` line per
## hand-made byte string with what bytes_to_var() made of it. Ends with `UGC_DONE`, quits.

## Longer var_to_str() results (deeply nested decodes) are cut to this many characters.
const MAX_TEXT := 200

var _count := 0


func _ready() -> void:
	_scalars()
	_strings()
	_math_types()
	_names_and_paths()
	_objects()
	_arrays()
	_dictionaries()
	_packed_arrays()
	_decodes()
	print("UGC_DONE ", _count)
	get_tree().quit()


## A case whose text Expression can evaluate: the fixture's expression and value cannot drift apart.
func _expr(name: String, text: String) -> void:
	var e := Expression.new()
	var err := e.parse(text)
	if err != OK:
		printerr("UGC_BAD_EXPRESSION ", name, ": ", e.get_error_text())
		return
	var value: Variant = e.execute([], null, true)
	if e.has_execute_failed():
		printerr("UGC_BAD_EXPRESSION ", name, ": ", e.get_error_text())
		return
	_emit(name, text, value)


## A case Expression cannot build (typed containers, objects, callables): `text` documents it.
func _val(name: String, text: String, value: Variant) -> void:
	_emit(name, text, value)


func _emit(name: String, text: String, value: Variant) -> void:
	var bytes := var_to_bytes(value)
	var back: Variant = bytes_to_var(bytes) if bytes.size() > 0 else null
	var entry := {
		"name": name,
		"gdscript": text,
		"hex": bytes.hex_encode(),
		"type": typeof(value),
		"type_name": type_string(typeof(value)),
		"text": var_to_str(value),
		"roundtrip_type": typeof(back),
		"roundtrip_equal": _same(value, back),
	}
	if typeof(value) == TYPE_OBJECT:
		entry["object_id"] = str(value.get_instance_id()) if is_instance_valid(value) else "invalid"
	print("UGC_VARIANT ", JSON.stringify(entry))
	_count += 1


## Equality that treats NaN as equal to itself (the round trip keeps NaN bits).
func _same(a: Variant, b: Variant) -> bool:
	if typeof(a) != typeof(b):
		return false
	if typeof(a) == TYPE_FLOAT and is_nan(a):
		return is_nan(b)
	return str(a) == str(b) and a == b


func _scalars() -> void:
	_expr("nil", "null")
	_expr("bool_false", "false")
	_expr("bool_true", "true")
	_expr("int_zero", "0")
	_expr("int_one", "1")
	_expr("int_minus_one", "-1")
	_expr("int_i32_max", "2147483647")
	_expr("int_i32_min", "-2147483648")
	_expr("int_i32_max_plus_one", "2147483648")
	_expr("int_i32_min_minus_one", "-2147483649")
	_expr("int_2_pow_40", "1099511627776")
	_expr("int_i64_max", "9223372036854775807")
	_expr("int_i64_min", "-9223372036854775807 - 1")
	_expr("float_zero", "0.0")
	_expr("float_negative_zero", "-0.0")
	_expr("float_one", "1.0")
	_expr("float_half", "0.5")
	_expr("float_minus_two_and_half", "-2.5")
	_expr("float_f32_exact_16777216", "16777216.0")
	_expr("float_not_f32_16777217", "16777217.0")
	_expr("float_not_f32_one_tenth", "0.1")
	_expr("float_f32_max", "340282346638528859811704183484516925440.0")
	_expr("float_1e300", "1e300")
	_expr("float_f32_denormal_min", "1.401298464324817e-45")
	_expr("float_f64_min_normal", "pow(2.0, -1022)")
	_expr("float_inf", "INF")
	_expr("float_negative_inf", "-INF")
	_expr("float_nan", "NAN")


func _strings() -> void:
	_expr("string_empty", '""')
	_expr("string_len1", '"a"')
	_expr("string_len2", '"ab"')
	_expr("string_len3", '"abc"')
	_expr("string_len4", '"abcd"')
	_expr("string_len5", '"abcde"')
	_expr("string_utf8_2byte", '"é"')
	_expr("string_utf8_3byte_x2", '"日本"')
	_expr("string_utf8_4byte_emoji", '"😀"')
	_expr("string_mixed_unicode", '"aé日😀"')
	_expr("string_escapes", '"line\\nbreak\\ttab \\"quote\\""')


func _math_types() -> void:
	_expr("vector2", "Vector2(1.5, -2.0)")
	_expr("vector2_zero", "Vector2(0.0, 0.0)")
	_expr("vector2_one_tenth", "Vector2(0.1, 1e30)")
	_expr("vector2i", "Vector2i(1, -2)")
	_expr("vector2i_extremes", "Vector2i(2147483647, -2147483648)")
	_expr("rect2", "Rect2(1.0, 2.0, 3.5, 4.25)")
	_expr("rect2i", "Rect2i(-1, 2, 30, 40)")
	_expr("vector3", "Vector3(1.0, -2.0, 3.5)")
	_expr("vector3i", "Vector3i(1, -2, 2147483647)")
	_expr("transform2d_identity", "Transform2D()")
	_expr("transform2d", "Transform2D(Vector2(1.0, 2.0), Vector2(3.0, 4.0), Vector2(5.0, 6.0))")
	_expr("vector4", "Vector4(1.0, -2.0, 3.5, -0.25)")
	_expr("vector4i", "Vector4i(1, -2, 3, -2147483648)")
	_expr("plane", "Plane(Vector3(0.0, 1.0, 0.0), 2.5)")
	_expr("quaternion_identity", "Quaternion()")
	_expr("quaternion", "Quaternion(0.5, -0.5, 0.5, 0.5)")
	_expr("aabb", "AABB(Vector3(1.0, 2.0, 3.0), Vector3(4.0, 5.0, 6.0))")
	_expr("basis_identity", "Basis()")
	_expr("basis", "Basis(Vector3(1.0, 2.0, 3.0), Vector3(4.0, 5.0, 6.0), Vector3(7.0, 8.0, 9.0))")
	_expr("transform3d_identity", "Transform3D()")
	_expr(
		"transform3d",
		(
			"Transform3D(Vector3(1.0, 2.0, 3.0), Vector3(4.0, 5.0, 6.0), "
			+ "Vector3(7.0, 8.0, 9.0), Vector3(10.0, 11.0, 12.0))"
		)
	)
	_expr("projection_identity", "Projection()")
	_expr(
		"projection",
		(
			"Projection(Vector4(1.0, 2.0, 3.0, 4.0), Vector4(5.0, 6.0, 7.0, 8.0), "
			+ "Vector4(9.0, 10.0, 11.0, 12.0), Vector4(13.0, 14.0, 15.0, 16.0))"
		)
	)
	_expr("color", "Color(1.0, 0.5, 0.25, 0.125)")
	_expr("color_opaque_black", "Color(0.0, 0.0, 0.0)")


func _names_and_paths() -> void:
	_expr("string_name_empty", 'StringName("")')
	_expr("string_name", 'StringName("hello")')
	_expr("string_name_len5_unicode", 'StringName("héllo")')
	_expr("node_path_empty", 'NodePath("")')
	_expr("node_path_relative", 'NodePath("a")')
	_expr("node_path_relative_nested", 'NodePath("a/b/c")')
	_expr("node_path_parent", 'NodePath("../sibling")')
	_expr("node_path_absolute", 'NodePath("/root/Main")')
	_expr("node_path_subnames", 'NodePath("a/b:c:d")')
	_expr("node_path_absolute_subname", 'NodePath("/root/Main:position:x")')
	_expr("node_path_only_subname", 'NodePath(":position")')
	_expr("node_path_unique", 'NodePath("%Unique/child")')


func _objects() -> void:
	_val("rid_empty", "RID()", RID())
	var node := Node.new()
	_val("object_node", "Node.new()  # encoded as its ObjectID, see object_id", node)
	node.free()
	_val("object_freed", "a Node that was freed", node)
	var nothing: Object = null
	_val("object_null", "var o: Object = null", nothing)
	_val("callable", 'Callable(self, &"_ready")', Callable(self, &"_ready"))
	_val("callable_empty", "Callable()", Callable())
	_val("signal", 'Signal(self, &"ready")', Signal(self, &"ready"))
	_val("signal_empty", "Signal()", Signal())


func _arrays() -> void:
	_expr("array_empty", "[]")
	_expr("array_mixed", '[1, "a", null, true, 2.5]')
	_expr("array_nested", "[[1], [2, [3, []]], {}]")
	var ints: Array[int] = [1, 2, 3]
	_val("array_typed_int", "[1, 2, 3] as Array[int]", ints)
	var no_ints: Array[int] = []
	_val("array_typed_int_empty", "[] as Array[int]", no_ints)
	var strings: Array[String] = ["a", "bc"]
	_val("array_typed_string", '["a", "bc"] as Array[String]', strings)
	var vectors: Array[Vector2] = [Vector2(1, 2)]
	_val("array_typed_vector2", "[Vector2(1, 2)] as Array[Vector2]", vectors)
	var nodes: Array[Node] = []
	_val("array_typed_class_node_empty", "[] as Array[Node]", nodes)
	var items := Array([], TYPE_OBJECT, &"RefCounted", load("res://item.gd"))
	_val(
		"array_typed_script_empty",
		'Array([], TYPE_OBJECT, &"RefCounted", load("res://item.gd"))',
		items
	)
	var nested: Array[Array] = [[1], []]
	_val("array_typed_array", "[[1], []] as Array[Array]", nested)


func _dictionaries() -> void:
	_expr("dictionary_empty", "{}")
	_expr("dictionary_one", '{"a": 1}')
	_expr("dictionary_mixed_keys", '{1: "x", "b": [true], Vector2i(1, 2): null}')
	_expr("dictionary_nested", '{"outer": {"inner": {}}}')
	var typed: Dictionary[String, int] = {"a": 1, "b": 2}
	_val("dictionary_typed_string_int", '{"a": 1, "b": 2} as Dictionary[String, int]', typed)
	var typed_empty: Dictionary[StringName, Variant] = {}
	_val("dictionary_typed_key_only_empty", "{} as Dictionary[StringName, Variant]", typed_empty)
	var by_node: Dictionary[Node, int] = {}
	_val("dictionary_typed_class_key_empty", "{} as Dictionary[Node, int]", by_node)
	var typed_value: Dictionary[Variant, float] = {1: 0.5}
	_val("dictionary_typed_value_only", "{1: 0.5} as Dictionary[Variant, float]", typed_value)


func _packed_arrays() -> void:
	_expr("packed_byte_array_empty", "PackedByteArray()")
	_expr("packed_byte_array_len3", "PackedByteArray([0, 1, 255])")
	_expr("packed_byte_array_len4", "PackedByteArray([1, 2, 3, 4])")
	_expr("packed_byte_array_len5", "PackedByteArray([1, 2, 3, 4, 5])")
	_expr("packed_int32_array_empty", "PackedInt32Array()")
	_expr("packed_int32_array", "PackedInt32Array([1, -1, 2147483647, -2147483648])")
	_expr("packed_int64_array_empty", "PackedInt64Array()")
	_expr("packed_int64_array", "PackedInt64Array([1, -1, 9223372036854775807])")
	_expr("packed_float32_array_empty", "PackedFloat32Array()")
	_expr("packed_float32_array", "PackedFloat32Array([0.5, -1.25, 0.1])")
	_expr("packed_float64_array_empty", "PackedFloat64Array()")
	_expr("packed_float64_array", "PackedFloat64Array([0.1, 1e300, -0.0])")
	_expr("packed_string_array_empty", "PackedStringArray()")
	_expr("packed_string_array", 'PackedStringArray(["", "a", "abcd", "日本"])')
	_expr("packed_vector2_array_empty", "PackedVector2Array()")
	_expr("packed_vector2_array", "PackedVector2Array([Vector2(1.0, 2.0), Vector2(-0.5, 0.25)])")
	_expr("packed_vector3_array_empty", "PackedVector3Array()")
	_expr("packed_vector3_array", "PackedVector3Array([Vector3(1.0, 2.0, 3.0)])")
	_expr("packed_color_array_empty", "PackedColorArray()")
	_expr(
		"packed_color_array",
		"PackedColorArray([Color(1.0, 0.0, 0.0, 1.0), Color(0.0, 0.5, 1.0, 0.25)])"
	)
	_expr("packed_vector4_array_empty", "PackedVector4Array()")
	_expr("packed_vector4_array", "PackedVector4Array([Vector4(1.0, 2.0, 3.0, 4.0)])")


## Hand-made byte strings, valid and malformed: what does bytes_to_var() return for each?
func _decodes() -> void:
	_decode("empty", "")
	_decode("nil", "00000000")
	_decode("nil_trailing_bytes", "00000000deadbeef")
	_decode("bool_true", "0100000001000000")
	_decode("bool_value_2", "0100000002000000")
	_decode("bool_truncated", "01000000")
	_decode("int32_minus_one", "02000000ffffffff")
	_decode("int64_flag_one", "020001000100000000000000")
	_decode("int64_flag_truncated", "0200010001000000")
	_decode("int_truncated", "020000000100")
	_decode("float32_one", "030000000000803f")
	_decode("float64_one", "03000100" + "000000000000f03f")
	_decode("float64_truncated", "03000100" + "0000000000f03f")
	_decode("header_truncated", "0000")
	_decode("unknown_type_39", "27000000")
	_decode("unknown_type_255", "ff000000")
	_decode("unknown_flags_bit_20", "00001000")
	_decode("string_ok", "0400000003000000616263" + "00")
	_decode("string_unpadded", "0400000003000000616263")
	_decode("string_length_past_end", "04000000ff000000616263" + "00")
	_decode("string_invalid_utf8", "0400000002000000c328" + "0000")
	_decode("string_with_nul", "0400000003000000610062" + "00")
	_decode("string_length_negative", "04000000ffffffff")
	_decode("node_path_old_format", "16000000" + "01000000")
	_decode("node_path_one_name", "16000000010000800000000000000000" + "0100000061000000")
	_decode("vector2_truncated", "050000000000803f")
	_decode("vector2_f64_flag", "05000100" + "000000000000f03f" + "000000000000f0bf")
	_decode("array_count_past_end", "1c00000005000000")
	_decode("array_count_huge", "1c000000ffffff7f")
	_decode("array_shared_flag", "1c00000001000080" + "0200000007000000")
	_decode("dictionary_missing_value", "1b00000001000000" + "0200000001000000")
	_decode("packed_byte_array_len_past_end", "1d0000000a0000000102")
	_decode("packed_int32_array_count_huge", "1e000000ffffff3f")
	_decode("object_as_id", "18000100" + "0100000000000000")
	_decode("object_as_id_zero", "18000100" + "0000000000000000")
	_decode("object_full_null", "1800000000000000")
	_decode("array_typed_bad_builtin_type", "1c000100" + "63000000" + "00000000")
	_decode(
		"array_typed_int_holding_string",
		"1c000100" + "02000000" + "01000000" + "0400000001000000" + "61000000"
	)
	# MAX_RECURSION_DEPTH is 1024 in marshalls.cpp: probe both sides of it.
	_decode("array_nested_depth_1024", _nested_arrays(1024))
	_decode("array_nested_depth_1025", _nested_arrays(1025))


func _nested_arrays(depth: int) -> String:
	var hex := ""
	for i in depth:
		hex += "1c00000001000000"
	return hex + "00000000"


func _decode(name: String, hex: String) -> void:
	# Error lines the engine prints between the two markers belong to this case.
	print("UGC_DECODE_BEGIN ", name)
	var bytes := hex.hex_decode()
	var value: Variant = bytes_to_var(bytes)
	var entry := {
		"name": name,
		"hex": hex,
		"result_type": typeof(value),
		"result_type_name": type_string(typeof(value)),
		"result_text": var_to_str(value),
	}
	if entry["result_text"].length() > MAX_TEXT:
		entry["result_text"] = entry["result_text"].left(MAX_TEXT) + "…"
	print("UGC_DECODE ", JSON.stringify(entry))
