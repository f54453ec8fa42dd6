//! `object_set_value`: the one-call typed write. It must queue exactly what `new_value` +
//! `object_set` queue, allocate no handle, and refuse bad input with the same typed errors.
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
    { "name": "label", "type": "String", "default": "hi" }
  ]
}"#;

fn host() -> ScriptHost {
    let scene = Scene::with_node(NODE, "Node3D", &[]);
    let mut config = HostConfig::new(NODE, Manifest::parse(MANIFEST.as_bytes()).unwrap());
    config.handle_key = Some(3);
    ScriptHost::new(config, Box::new(SceneBridge(scene)))
}

fn f32s(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|f| f.to_le_bytes()).collect()
}

/// Values of several types, in `new_value`'s raw encoding, with an engine property taking them.
fn samples() -> Vec<(&'static str, u32, Vec<u8>)> {
    vec![
        ("position", type_id::VECTOR3, f32s(&[1.5, -2.0, 3.25])),
        ("rotation", type_id::VECTOR3, f32s(&[0.0, 0.5, 0.0])),
        ("scale", type_id::VECTOR3, f32s(&[2.0, 2.0, 2.0])),
        ("visible", type_id::BOOL, vec![1]),
        ("position", type_id::VECTOR3, f32s(&[f32::MAX, 0.0, -0.0])),
    ]
}

#[test]
fn queues_byte_identically_to_new_value_plus_object_set() {
    let mut one = host();
    let mut two = host();
    let me1 = one.self_object();
    let me2 = two.self_object();
    for (name, ty, raw) in samples() {
        let live = one.stats().live_handles;
        assert_eq!(
            one.object_set_value(me1, name.as_bytes(), ty as i32, &raw),
            0,
            "{name}: {}",
            one.last_error()
        );
        assert_eq!(one.stats().live_handles, live, "no handle allocated");
        let v = two.new_value(ty as i32, &raw);
        assert!(v > 0, "{}", two.last_error());
        assert_eq!(two.object_set(me2, name.as_bytes(), v), 0);
        assert_eq!(two.release(v), 0);
    }
    let a = one.take_batch_bytes().unwrap();
    let b = two.take_batch_bytes().unwrap();
    assert!(!a.is_empty());
    assert_eq!(a, b);
    assert_eq!(one.stats().abi_errors, 0);
}

#[test]
fn the_nodes_reads_see_the_write() {
    let mut h = host();
    let me = h.self_object();
    let raw = f32s(&[4.0, 5.0, 6.0]);
    assert_eq!(
        h.object_set_value(me, b"position", type_id::VECTOR3 as i32, &raw),
        0
    );
    let p = h.object_get(me, b"position");
    let mut out = Vec::new();
    assert_eq!(h.value_read(p, &mut out), 12);
    assert_eq!(out, raw);
}

#[test]
fn declared_properties_are_stored_and_coerced_not_queued() {
    let mut h = host();
    let me = h.self_object();
    let two = 2i64.to_le_bytes();
    assert_eq!(
        h.object_set_value(me, b"speed", type_id::INT as i32, &two),
        0
    );
    assert_eq!(h.property("speed"), Some(Ok(Variant::Float(2.0))));
    assert_eq!(
        h.object_set_value(me, b"label", type_id::STRING as i32, b"bye"),
        0
    );
    assert_eq!(h.property("label"), Some(Ok(Variant::String("bye".into()))));
    assert!(h.take_batch().is_empty());
    let r = h.object_set_value(me, b"label", type_id::FLOAT as i32, &1.0f64.to_le_bytes());
    assert_eq!(r, AbiError::WrongType.code());
    assert!(h.last_error().starts_with("object_set_value: wrong_type"));
}

/// (object handle, name, type, raw value, the error expected).
type Case<'a> = (i32, &'a [u8], i32, &'a [u8], AbiError);

#[test]
fn bad_input_is_refused_with_typed_errors_and_nothing_is_queued() {
    let mut h = host();
    let me = h.self_object();
    let not_object = h.new_int(1);
    let v3 = f32s(&[1.0, 2.0, 3.0]);
    let vec3 = type_id::VECTOR3 as i32;
    let cases: Vec<Case> = vec![
        (0, b"position", vec3, &v3, AbiError::BadHandle),
        (0x7fff_0000, b"position", vec3, &v3, AbiError::BadHandle),
        (not_object, b"position", vec3, &v3, AbiError::WrongType),
        (me, b"\xff\xfe", vec3, &v3, AbiError::BadUtf8),
        (me, b"position", vec3, &v3[..8], AbiError::BadValue),
        (me, b"position", 999, &v3, AbiError::BadValue),
        (me, b"position", -1, &v3, AbiError::BadValue),
        (
            me,
            b"name",
            type_id::STRING as i32,
            b"x",
            AbiError::NotAllowed,
        ),
        (
            me,
            b"script",
            type_id::NIL as i32,
            b"",
            AbiError::NotAllowed,
        ),
        (
            me,
            b"process_mode",
            type_id::INT as i32,
            &[0; 8],
            AbiError::NotAllowed,
        ),
    ];
    for (obj, name, ty, value, code) in cases {
        let n = h.stats().abi_errors;
        let r = h.object_set_value(obj, name, ty, value);
        assert_eq!(r, code.code(), "{:?}: {}", name, h.last_error());
        assert_eq!(h.stats().abi_errors, n + 1);
        assert!(
            h.last_error()
                .starts_with(&format!("object_set_value: {}", code.name())),
            "{}",
            h.last_error()
        );
        let last = h.errors().last().unwrap();
        assert_eq!((last.function, last.code), ("object_set_value", code));
    }
    assert!(h.take_batch().is_empty(), "nothing refused was queued");
    assert_eq!(h.stats().live_handles, 2, "self and the int only");
}

/// The import under wasmi, with the glue's pointer checks: the name, then the value.
const GUEST: &str = r#"
(module
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "object_set_value"
    (func $set_value (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "position")
  (func (export "write") (param $np i32) (param $vp i32) (param $vl i32) (result i32)
    (f32.store (i32.const 16) (f32.const 7))
    (f32.store (i32.const 20) (f32.const 8))
    (f32.store (i32.const 24) (f32.const 9))
    (call $set_value (call $self) (local.get $np) (i32.const 8)
      (i32.const 9) (local.get $vp) (local.get $vl))))"#;

#[test]
fn the_guest_import_writes_and_reports_bad_pointers() {
    let wasm = wat::parse_str(GUEST).unwrap();
    let mut g = Guest::with_host(&wasm, host());
    let f = g
        .instance
        .get_typed_func::<(i32, i32, i32), i32>(&g.store, "write")
        .unwrap();
    assert_eq!(f.call(&mut g.store, (0, 16, 12)).unwrap(), 0);
    let batch = g.host().take_batch();
    assert_eq!(batch.len(), 1);
    match &batch[0] {
        ugc_wasm::host::BatchEntry::Set {
            object,
            property,
            value,
        } => {
            assert_eq!((*object, property.as_str()), (NODE, "position"));
            assert_eq!(
                *value,
                Variant::Vector3(Vector3 {
                    x: 7.0,
                    y: 8.0,
                    z: 9.0
                })
            );
        }
        other => panic!("expected a set, got {other:?}"),
    }
    for (np, vp, vl) in [(65_530, 16, 12), (0, 65_530, 12), (0, -1, 12), (0, 16, -1)] {
        let r = f.call(&mut g.store, (np, vp, vl)).unwrap();
        assert_eq!(r, AbiError::BadPointer.code(), "({np}, {vp}, {vl})");
        assert!(g
            .host()
            .last_error()
            .starts_with("object_set_value: bad_pointer"));
    }
    assert!(g.host().take_batch().is_empty());
}
