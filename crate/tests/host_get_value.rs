//! `object_get_value`: the one-call typed read. It must give exactly the bytes `object_get` +
//! `value_read` give, allocate no handle, and refuse bad input with the same typed errors.
#![cfg(not(target_arch = "wasm32"))]

mod host_common;

use host_common::{Guest, Scene, SceneBridge};
use ugc_wasm::abi::AbiError;
use ugc_wasm::host::{HostConfig, Manifest, ScriptHost};
use ugc_wasm::variant::{type_id, Variant, Vector3};

const NODE: u64 = 77;

const MANIFEST: &str = r#"{
  "extends": "Node3D",
  "properties": [
    { "name": "speed", "type": "float", "default": 1.5 },
    { "name": "count", "type": "int", "default": 7 },
    { "name": "label", "type": "String", "default": "hi" }
  ]
}"#;

fn host() -> ScriptHost {
    let scene = Scene::with_node(
        NODE,
        "Node3D",
        &[
            (
                "position",
                Variant::Vector3(Vector3 {
                    x: 1.5,
                    y: -2.0,
                    z: 3.25,
                }),
            ),
            ("visible", Variant::Bool(true)),
            ("name", Variant::StringName("Mover".into())),
        ],
    );
    let mut config = HostConfig::new(NODE, Manifest::parse(MANIFEST.as_bytes()).unwrap());
    config.handle_key = Some(3);
    ScriptHost::new(config, Box::new(SceneBridge(scene)))
}

fn f32s(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|f| f.to_le_bytes()).collect()
}

/// What `object_get` + `value_read` give for `name`.
fn via_handles(h: &mut ScriptHost, me: i32, name: &str) -> Vec<u8> {
    let v = h.object_get(me, name.as_bytes());
    assert!(v > 0, "{name}: {}", h.last_error());
    let mut out = Vec::new();
    let n = h.value_read(v, &mut out);
    assert_eq!(n as usize, out.len(), "{name}: {}", h.last_error());
    assert_eq!(h.release(v), 0);
    out
}

#[test]
fn reads_byte_identically_to_object_get_plus_value_read() {
    let mut h = host();
    let me = h.self_object();
    // Engine properties, declared properties, and an engine property with a queued write.
    assert_eq!(
        h.object_set_value(
            me,
            b"scale",
            type_id::VECTOR3 as i32,
            &f32s(&[2.0, 3.0, 4.0])
        ),
        0
    );
    let cases = [
        ("position", type_id::VECTOR3),
        ("visible", type_id::BOOL),
        ("name", type_id::STRING_NAME),
        ("speed", type_id::FLOAT),
        ("count", type_id::INT),
        ("label", type_id::STRING),
        ("scale", type_id::VECTOR3),
    ];
    for (name, ty) in cases {
        let expected = via_handles(&mut h, me, name);
        let live = h.stats().live_handles;
        let mut out = vec![0xAA; 3];
        let n = h.object_get_value(me, name.as_bytes(), ty as i32, &mut out);
        assert_eq!(n as usize, expected.len(), "{name}: {}", h.last_error());
        assert_eq!(out, expected, "{name}");
        assert_eq!(h.stats().live_handles, live, "no handle allocated");
    }
    assert_eq!(
        via_handles(&mut h, me, "scale"),
        f32s(&[2.0, 3.0, 4.0]),
        "the node's own queued write is visible"
    );
    assert_eq!(h.stats().abi_errors, 0);
}

#[test]
fn declared_writes_are_visible_and_ints_widen_to_float_only() {
    let mut h = host();
    let me = h.self_object();
    assert_eq!(
        h.object_set_value(me, b"speed", type_id::FLOAT as i32, &4.5f64.to_le_bytes()),
        0
    );
    let mut out = Vec::new();
    assert_eq!(
        h.object_get_value(me, b"speed", type_id::FLOAT as i32, &mut out),
        8
    );
    assert_eq!(out, 4.5f64.to_le_bytes());
    // INT read as FLOAT widens, like an INT written to a FLOAT property.
    assert_eq!(
        h.object_get_value(me, b"count", type_id::FLOAT as i32, &mut out),
        8
    );
    assert_eq!(out, 7.0f64.to_le_bytes());
    // Never the other way: a FLOAT read as INT, or a BOOL read as INT, is wrong_type.
    for (name, ty) in [
        ("speed", type_id::INT),
        ("visible", type_id::INT),
        ("position", type_id::VECTOR3I),
        ("label", type_id::STRING_NAME),
    ] {
        let r = h.object_get_value(me, name.as_bytes(), ty as i32, &mut out);
        assert_eq!(r, AbiError::WrongType.code(), "{name}");
        assert!(out.is_empty(), "{name}: nothing produced");
        assert!(
            h.last_error().starts_with("object_get_value: wrong_type"),
            "{}",
            h.last_error()
        );
    }
}

/// (object handle, name, type, the error expected).
type Case<'a> = (i32, &'a [u8], i32, AbiError);

#[test]
fn bad_input_is_refused_with_typed_errors() {
    let mut h = host();
    let me = h.self_object();
    let not_object = h.new_int(1);
    let vec3 = type_id::VECTOR3 as i32;
    let cases: Vec<Case> = vec![
        (0, b"position", vec3, AbiError::BadHandle),
        (0x7fff_0000, b"position", vec3, AbiError::BadHandle),
        (not_object, b"position", vec3, AbiError::WrongType),
        (me, b"\xff\xfe", vec3, AbiError::BadUtf8),
        (me, b"position", 999, AbiError::BadValue),
        (me, b"position", -1, AbiError::BadValue),
        // A bad type is refused before the capability rules are consulted.
        (me, b"script", -1, AbiError::BadValue),
        (me, b"script", type_id::OBJECT as i32, AbiError::NotAllowed),
        (me, b"rotation", vec3, AbiError::NotFound),
        (me, b"position", type_id::FLOAT as i32, AbiError::WrongType),
    ];
    for (obj, name, ty, code) in cases {
        let n = h.stats().abi_errors;
        let mut out = Vec::new();
        let r = h.object_get_value(obj, name, ty, &mut out);
        assert_eq!(r, code.code(), "{:?}: {}", name, h.last_error());
        assert_eq!(h.stats().abi_errors, n + 1);
        assert!(
            h.last_error()
                .starts_with(&format!("object_get_value: {}", code.name())),
            "{}",
            h.last_error()
        );
        let last = h.errors().last().unwrap();
        assert_eq!((last.function, last.code), ("object_get_value", code));
    }
    assert_eq!(h.stats().live_handles, 2, "self and the int only");
}

/// The import under wasmi, with the glue's pointer checks: the name, then the output.
const GUEST: &str = r#"
(module
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "object_get_value"
    (func $get_value (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "position")
  (func (export "read") (param $np i32) (param $op i32) (param $cap i32) (result i32)
    (call $get_value (call $self) (local.get $np) (i32.const 8)
      (i32.const 9) (local.get $op) (local.get $cap))))"#;

#[test]
fn the_guest_import_writes_when_it_fits_and_reports_bad_pointers() {
    let wasm = wat::parse_str(GUEST).unwrap();
    let mut g = Guest::with_host(&wasm, host());
    let f = g
        .instance
        .get_typed_func::<(i32, i32, i32), i32>(&g.store, "read")
        .unwrap();
    let memory = g.instance.get_memory(&g.store, "memory").unwrap();
    let expected = f32s(&[1.5, -2.0, 3.25]);
    // Too small: the length, nothing written.
    assert_eq!(f.call(&mut g.store, (0, 32, 11)).unwrap(), 12);
    assert_eq!(memory.data(&g.store)[32..44], [0; 12]);
    assert_eq!(f.call(&mut g.store, (0, 32, 12)).unwrap(), 12);
    assert_eq!(memory.data(&g.store)[32..44], expected[..]);
    for (np, op, cap) in [(65_530, 32, 12), (0, 65_530, 12), (0, -1, 12), (0, 32, -1)] {
        let r = f.call(&mut g.store, (np, op, cap)).unwrap();
        assert_eq!(r, AbiError::BadPointer.code(), "({np}, {op}, {cap})");
        assert!(g
            .host()
            .last_error()
            .starts_with("object_get_value: bad_pointer"));
    }
}
