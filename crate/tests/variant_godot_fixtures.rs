//! The codec against bytes produced and judged by the real Godot 4.6 web engine
//! (fixtures written by scripts/gen-variant-fixtures.mjs).
//!
//! - godot-variants.json: `var_to_bytes(value)` for every Variant type. Every entry must decode and
//!   re-encode to the identical bytes; selected entries must decode to a known Rust value.
//! - godot-bytes-to-var.json: what `bytes_to_var` made of hand-made (often malformed) bytes. Where
//!   Godot refused, we must refuse with a typed error; where it accepted, we must accept with the
//!   same Variant type.
// Native only: uses crates (wasmi, proptest, wasm-smith) or files that the wasm32 build of the tests lacks.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;

use serde_json::Value;
use ugc_wasm::variant::{
    decode, encode, Array, Basis, Color, ContainerType, Dictionary, NodePath, Transform2D, Variant,
    Vector2, Vector2i, Vector3, Vector4,
};

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn load(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn v3(x: f32, y: f32, z: f32) -> Vector3 {
    Vector3 { x, y, z }
}

fn s(x: &str) -> Variant {
    Variant::from(x)
}

fn expected() -> HashMap<&'static str, Variant> {
    let mut m = HashMap::new();
    m.insert("nil", Variant::Nil);
    m.insert("bool_true", Variant::Bool(true));
    m.insert("int_minus_one", Variant::Int(-1));
    m.insert("int_i32_max_plus_one", Variant::Int(1 << 31));
    m.insert("int_i64_min", Variant::Int(i64::MIN));
    m.insert("float_half", Variant::Float(0.5));
    m.insert("float_not_f32_one_tenth", Variant::Float(0.1));
    m.insert("float_not_f32_16777217", Variant::Float(16_777_217.0));
    m.insert("float_negative_inf", Variant::Float(f64::NEG_INFINITY));
    m.insert("string_mixed_unicode", s("aé日😀"));
    m.insert("string_escapes", s("line\nbreak\ttab \"quote\""));
    m.insert("vector2", Variant::Vector2(Vector2 { x: 1.5, y: -2.0 }));
    m.insert(
        "vector2i_extremes",
        Variant::Vector2i(Vector2i {
            x: i32::MAX,
            y: i32::MIN,
        }),
    );
    m.insert("vector3", Variant::Vector3(v3(1.0, -2.0, 3.5)));
    m.insert(
        "transform2d",
        Variant::Transform2D(Transform2D {
            columns: [
                Vector2 { x: 1.0, y: 2.0 },
                Vector2 { x: 3.0, y: 4.0 },
                Vector2 { x: 5.0, y: 6.0 },
            ],
        }),
    );
    // Basis(x_axis, y_axis, z_axis) takes columns; the wire (and our struct) holds rows.
    m.insert(
        "basis",
        Variant::Basis(Basis {
            rows: [v3(1.0, 4.0, 7.0), v3(2.0, 5.0, 8.0), v3(3.0, 6.0, 9.0)],
        }),
    );
    m.insert(
        "color",
        Variant::Color(Color {
            r: 1.0,
            g: 0.5,
            b: 0.25,
            a: 0.125,
        }),
    );
    m.insert("string_name", Variant::StringName("hello".into()));
    m.insert(
        "node_path_absolute_subname",
        Variant::NodePath(Box::new(NodePath {
            names: vec!["root".into(), "Main".into()],
            subnames: vec!["position".into(), "x".into()],
            absolute: true,
        })),
    );
    m.insert("node_path_empty", Variant::NodePath(Box::default()));
    m.insert("rid_empty", Variant::Rid(0));
    m.insert("object_node", Variant::Object(24_494_736_665));
    m.insert("object_freed", Variant::Nil);
    m.insert("callable", Variant::Callable);
    m.insert(
        "signal",
        Variant::Signal {
            name: "ready".into(),
            object: 0x5_6700_0514,
        },
    );
    m.insert(
        "array_mixed",
        Variant::array(vec![
            Variant::Int(1),
            s("a"),
            Variant::Nil,
            Variant::Bool(true),
            Variant::Float(2.5),
        ]),
    );
    m.insert(
        "array_typed_int",
        Variant::Array(Box::new(Array {
            element_type: ContainerType::Builtin(2),
            elements: vec![Variant::Int(1), Variant::Int(2), Variant::Int(3)],
        })),
    );
    m.insert(
        "array_typed_class_node_empty",
        Variant::Array(Box::new(Array {
            element_type: ContainerType::ClassName("EncodedObjectAsID".into()),
            elements: vec![],
        })),
    );
    m.insert(
        "dictionary_mixed_keys",
        Variant::dictionary(vec![
            (Variant::Int(1), s("x")),
            (s("b"), Variant::array(vec![Variant::Bool(true)])),
            (Variant::Vector2i(Vector2i { x: 1, y: 2 }), Variant::Nil),
        ]),
    );
    m.insert(
        "dictionary_typed_string_int",
        Variant::Dictionary(Box::new(Dictionary {
            key_type: ContainerType::Builtin(4),
            value_type: ContainerType::Builtin(2),
            entries: vec![(s("a"), Variant::Int(1)), (s("b"), Variant::Int(2))],
        })),
    );
    m.insert(
        "dictionary_typed_value_only",
        Variant::Dictionary(Box::new(Dictionary {
            key_type: ContainerType::Untyped,
            value_type: ContainerType::Builtin(3),
            entries: vec![(Variant::Int(1), Variant::Float(0.5))],
        })),
    );
    m.insert(
        "packed_byte_array_len3",
        Variant::PackedByteArray(vec![0, 1, 255]),
    );
    m.insert(
        "packed_int64_array",
        Variant::PackedInt64Array(vec![1, -1, i64::MAX]),
    );
    m.insert(
        "packed_float32_array",
        Variant::PackedFloat32Array(vec![0.5, -1.25, 0.1]),
    );
    m.insert(
        "packed_string_array",
        Variant::PackedStringArray(vec!["".into(), "a".into(), "abcd".into(), "日本".into()]),
    );
    m.insert(
        "packed_vector4_array",
        Variant::PackedVector4Array(vec![Vector4 {
            x: 1.0,
            y: 2.0,
            z: 3.0,
            w: 4.0,
        }]),
    );
    m
}

#[test]
fn every_engine_encoding_round_trips_byte_for_byte() {
    let cases = load("godot-variants.json");
    assert!(cases.len() > 100, "fixture unexpectedly small");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let bytes = hex(case["hex"].as_str().unwrap());
        match decode(&bytes) {
            Ok((v, used)) => {
                let again = encode(&v).unwrap();
                if used != bytes.len() || again != bytes {
                    failures.push(format!(
                        "{name}: used {used}/{}; re-encoded {} want {}",
                        bytes.len(),
                        to_hex(&again),
                        to_hex(&bytes)
                    ));
                }
                // The engine's type, except where it writes an invalid object as NIL.
                let ty = case["type"].as_u64().unwrap() as u32;
                if v.type_id() != ty && bytes != [0, 0, 0, 0] {
                    failures.push(format!("{name}: type {} want {ty}", v.type_id()));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn selected_engine_encodings_decode_to_known_values() {
    let cases = load("godot-variants.json");
    let by_name: HashMap<&str, &Value> = cases
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c))
        .collect();
    let want = expected();
    for (name, value) in &want {
        let case = by_name
            .get(name)
            .unwrap_or_else(|| panic!("fixture has no case {name}"));
        let bytes = hex(case["hex"].as_str().unwrap());
        let (got, _) = decode(&bytes).unwrap();
        assert_eq!(&got, value, "{name}");
        // And the Rust value encodes to the engine's bytes.
        assert_eq!(to_hex(&encode(value).unwrap()), to_hex(&bytes), "{name}");
    }
    // NaN has no equality: check the encoding and the decoded class instead.
    let nan = hex(by_name["float_nan"]["hex"].as_str().unwrap());
    assert!(matches!(decode(&nan).unwrap().0, Variant::Float(f) if f.is_nan()));
    assert_eq!(encode(&Variant::Float(f64::NAN)).unwrap(), nan);
}

/// Expected error code for the malformed inputs where we can be specific.
fn expected_error(name: &str) -> Option<&'static str> {
    Some(match name {
        "empty" | "header_truncated" | "bool_truncated" | "int_truncated" => "truncated",
        "int64_flag_truncated" | "float64_truncated" | "vector2_truncated" => "truncated",
        "string_unpadded" | "string_length_past_end" | "array_count_past_end" => "truncated",
        "array_count_huge" | "dictionary_missing_value" | "packed_byte_array_len_past_end" => {
            "truncated"
        }
        "packed_int32_array_count_huge" => "truncated",
        "unknown_type_39" | "unknown_type_255" => "unknown_type",
        "string_invalid_utf8" => "invalid_utf8",
        "string_length_negative" => "invalid_length",
        "node_path_old_format" | "array_typed_bad_builtin_type" => "invalid_data",
        "object_full_null" => "objects_not_allowed",
        "array_nested_depth_1025" => "too_deep",
        _ => return None,
    })
}

#[test]
fn we_refuse_exactly_what_the_engine_refuses() {
    let cases = load("godot-bytes-to-var.json");
    assert!(cases.len() >= 30);
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let bytes = hex(case["hex"].as_str().unwrap());
        let ty = case["result_type"].as_u64().unwrap() as u32;
        let engine_refused = ty == 0 && !case["errors"].as_array().unwrap().is_empty();
        match (decode(&bytes), engine_refused) {
            (Ok((v, _)), false) if v.type_id() == ty => {}
            (Ok((v, _)), false) => failures.push(format!("{name}: type {} want {ty}", v.type_id())),
            (Ok((v, _)), true) => failures.push(format!("{name}: accepted {v:?}, engine refused")),
            (Err(e), true) => match expected_error(name) {
                Some(code) if code != e.code => failures.push(format!("{name}: {e}, want {code}")),
                _ => assert!(e.offset <= bytes.len(), "{name}: offset past the input"),
            },
            (Err(e), false) => failures.push(format!("{name}: refused ({e}), engine accepted")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn engine_decoding_quirks_we_share() {
    let cases = load("godot-bytes-to-var.json");
    let get = |n: &str| {
        let c = cases.iter().find(|c| c["name"] == n).unwrap();
        decode(&hex(c["hex"].as_str().unwrap())).unwrap()
    };
    // Trailing bytes are ignored; the consumed length says where the value ended.
    assert_eq!(get("nil_trailing_bytes"), (Variant::Nil, 4));
    // Any non-zero u32 is true.
    assert_eq!(get("bool_value_2").0, Variant::Bool(true));
    // The text of a string ends at its first NUL.
    assert_eq!(get("string_with_nul").0, s("a"));
    // Double-precision math types are accepted (and narrowed).
    assert_eq!(
        get("vector2_f64_flag").0,
        Variant::Vector2(Vector2 { x: 1.0, y: -1.0 })
    );
    // Bit 31 of an array count (the old "shared" flag) is ignored.
    assert_eq!(
        get("array_shared_flag").0,
        Variant::array(vec![Variant::Int(7)])
    );
    assert_eq!(get("object_as_id_zero").0, Variant::Object(0));
    assert_eq!(get("object_as_id").0, Variant::Object(1));
}
