//! Every `ScriptHost` ABI function, success and error paths: forged, stale and foreign handles,
//! wrong types, out-of-range indices, the handle limit, bad UTF-8, malformed Variant bytes,
//! reference semantics, capabilities and the batch.
// Native only: uses crates (wasmi, proptest, wasm-smith) or files that the wasm32 build of the tests lacks.
#![cfg(not(target_arch = "wasm32"))]

mod host_common;

use host_common::{Scene, SceneBridge};
use ugc_wasm::abi::AbiError;
use ugc_wasm::host::{BatchEntry, Capabilities, HostConfig, Manifest, NoObjects, ScriptHost};
use ugc_wasm::variant::{self, type_id, Variant, Vector3};

const NODE: u64 = 77;

const MANIFEST: &str = r#"{
  "extends": "Node3D",
  "properties": [
    { "name": "speed", "type": "float", "default": 1.5 },
    { "name": "label", "type": "String", "default": "hi" },
    { "name": "items", "type": "Array" }
  ],
  "signals": [ { "name": "hit", "args": [ { "name": "power", "type": "int" } ] }, { "name": "any" } ]
}"#;

fn host_with(key: u64, limit: usize) -> ScriptHost {
    let scene = Scene::with_node(
        NODE,
        "Node3D",
        &[(
            "position",
            Variant::Vector3(Vector3 {
                x: 1.0,
                y: 2.0,
                z: 3.0,
            }),
        )],
    );
    let mut config = HostConfig::new(NODE, Manifest::parse(MANIFEST.as_bytes()).unwrap());
    config.handle_key = Some(key);
    config.max_live_handles = limit;
    ScriptHost::new(config, Box::new(SceneBridge(scene)))
}

fn host() -> ScriptHost {
    host_with(1, 1024)
}

fn err(code: AbiError) -> i32 {
    code.code()
}

/// Asserts the last call failed with `code` and that it was counted and explained.
fn assert_failed(h: &ScriptHost, got: i32, code: AbiError, errors_before: u64) {
    assert_eq!(got, err(code), "last error: {}", h.last_error());
    assert_eq!(h.stats().abi_errors, errors_before + 1);
    assert!(
        h.last_error().contains(code.name()),
        "message '{}' names {}",
        h.last_error(),
        code.name()
    );
}

#[test]
fn scalars_round_trip_and_type_of_reports_godot_types() {
    let mut h = host();
    let i = h.new_int(-42);
    let f = h.new_float(2.5);
    let b = h.new_bool(7);
    let s = h.new_string("héllo".as_bytes());
    assert!([i, f, b, s].iter().all(|&x| x > 0));
    assert_eq!(h.type_of(i), type_id::INT as i32);
    assert_eq!(h.type_of(f), type_id::FLOAT as i32);
    assert_eq!(h.type_of(b), type_id::BOOL as i32);
    assert_eq!(h.type_of(s), type_id::STRING as i32);
    assert_eq!(h.type_of(0), type_id::NIL as i32);
    assert_eq!(h.as_int(i), -42);
    assert_eq!(h.as_int(b), 1);
    assert_eq!(h.as_float(f), 2.5);
    assert_eq!(h.as_float(i), -42.0);
    let mut out = Vec::new();
    assert_eq!(h.value_read(s, &mut out), 6);
    assert_eq!(out, "héllo".as_bytes());
    assert_eq!(h.value_read(i, &mut out), 8);
    assert_eq!(out, (-42i64).to_le_bytes());
    assert_eq!(h.value_read(b, &mut out), 1);
    assert_eq!(out, [1]);
    assert_eq!(h.stats().abi_errors, 0);
}

#[test]
fn wrong_types_are_refused_with_wrong_type() {
    let mut h = host();
    let s = h.new_string(b"x");
    let before = h.stats().abi_errors;
    assert_eq!(h.as_int(s), 0);
    assert_eq!(h.stats().abi_errors, before + 1);
    assert!(h.last_error().contains("wrong_type"));
    assert!(h.as_float(s).is_nan());
    let n = h.stats().abi_errors;
    let r = h.array_len(s);
    assert_failed(&h, r, AbiError::WrongType, n);
    let n = h.stats().abi_errors;
    let r = h.dict_len(s);
    assert_failed(&h, r, AbiError::WrongType, n);
    let n = h.stats().abi_errors;
    let r = h.object_get(s, b"position");
    assert_failed(&h, r, AbiError::WrongType, n);
    let a = h.array_new();
    let n = h.stats().abi_errors;
    let mut out = Vec::new();
    let r = h.value_read(a, &mut out);
    assert_failed(&h, r, AbiError::WrongType, n);
    let n = h.stats().abi_errors;
    let r = h.new_value(type_id::ARRAY as i32, &[]);
    assert_failed(&h, r, AbiError::WrongType, n);
}

#[test]
fn forged_stale_and_foreign_handles_are_detected() {
    let mut h = host_with(1, 1024);
    let mut other = host_with(2, 1024);
    let mine = h.new_int(1);
    let theirs = other.new_int(1);

    for forged in [12345, -7, i32::MAX] {
        let n = h.stats().abi_errors;
        let r = h.retain(forged);
        assert_failed(&h, r, AbiError::BadHandle, n);
    }
    let n = h.stats().abi_errors;
    let r = h.release(0);
    assert_failed(&h, r, AbiError::BadHandle, n);

    // A handle from another script's table is never valid here.
    let n = h.stats().abi_errors;
    let r = h.type_of(theirs);
    assert!(r == err(AbiError::BadHandle) || r == err(AbiError::StaleHandle));
    assert_eq!(h.stats().abi_errors, n + 1);

    assert_eq!(h.release(mine), 0);
    for op in 0..4 {
        let n = h.stats().abi_errors;
        let r = match op {
            0 => h.release(mine),
            1 => h.retain(mine),
            2 => h.type_of(mine),
            _ => h.array_push(mine, 0),
        };
        assert_failed(&h, r, AbiError::StaleHandle, n);
    }
    // The slot is reused, but the old handle stays stale.
    let again = h.new_int(2);
    assert_ne!(again, mine);
    assert_eq!(h.type_of(mine), err(AbiError::StaleHandle));
    assert_eq!(h.as_int(again), 2);
}

#[test]
fn retain_and_release_count_references() {
    let mut h = host();
    let x = h.new_int(5);
    assert_eq!(h.retain(x), 0);
    assert_eq!(h.release(x), 0);
    assert_eq!(h.as_int(x), 5, "one reference left");
    assert_eq!(h.release(x), 0);
    assert_eq!(h.type_of(x), err(AbiError::StaleHandle));
    assert_eq!(h.stats().live_handles, 0);
}

#[test]
fn the_handle_limit_stops_a_leaking_guest() {
    let mut h = host_with(3, 16);
    let handles: Vec<i32> = (0..16).map(|i| h.new_int(i)).collect();
    assert!(handles.iter().all(|&x| x > 0));
    let n = h.stats().abi_errors;
    let r = h.new_int(99);
    assert_failed(&h, r, AbiError::HandleLimit, n);
    let r = h.array_new();
    assert_eq!(r, err(AbiError::HandleLimit));
    assert_eq!(h.release(handles[0]), 0);
    assert!(h.new_int(99) > 0, "room again after a release");
    h.reset();
    assert_eq!(h.stats().live_handles, 0);
    assert_eq!(h.type_of(handles[1]), err(AbiError::StaleHandle));
}

#[test]
fn the_handle_limit_is_exact_whatever_the_key() {
    for key in 0..50 {
        let mut h = host_with(key, 8);
        let live: Vec<i32> = (0..8).map(|i| h.new_int(i)).collect();
        assert!(live.iter().all(|&x| x > 0), "key {key}: {live:?}");
        assert_eq!(h.new_int(8), err(AbiError::HandleLimit), "key {key}");
        assert_eq!(h.stats().live_handles, 8);
    }
}

#[test]
fn handles_are_always_positive_i32() {
    // Handles with the top bit set would read as error codes in the guest.
    let mut h = host_with(0xdead_beef, 4096);
    for i in 0..4000 {
        let x = h.new_int(i);
        assert!(x > 0, "handle {x:#x}");
    }
}

#[test]
fn bad_utf8_is_refused() {
    let mut h = host();
    let n = h.stats().abi_errors;
    let r = h.new_string(&[0x66, 0xff, 0x6f]);
    assert_failed(&h, r, AbiError::BadUtf8, n);
    let me = h.self_object();
    let n = h.stats().abi_errors;
    let r = h.object_get(me, &[0xc3]);
    assert_failed(&h, r, AbiError::BadUtf8, n);
    let n = h.stats().abi_errors;
    let r = h.emit_signal(&[0xe2, 0x82], 0);
    assert_failed(&h, r, AbiError::BadUtf8, n);
    let n = h.stats().abi_errors;
    h.log(&[b'o', b'k', 0xff]);
    assert_eq!(h.stats().abi_errors, n + 1);
    assert_eq!(h.take_logs(), vec!["ok\u{fffd}".to_string()]);
}

#[test]
fn new_value_and_value_read_use_the_raw_layouts() {
    let mut h = host();
    let floats: Vec<u8> = [1.0f32, -2.0, 3.5]
        .iter()
        .flat_map(|f| f.to_le_bytes())
        .collect();
    let v = h.new_value(type_id::VECTOR3 as i32, &floats);
    assert_eq!(h.type_of(v), type_id::VECTOR3 as i32);
    let mut out = Vec::new();
    assert_eq!(h.value_read(v, &mut out), 12);
    assert_eq!(out, floats);

    // Transform3D: 9 basis floats (rows) + origin.
    let t: Vec<u8> = (0..12).flat_map(|i| (i as f32).to_le_bytes()).collect();
    let th = h.new_value(type_id::TRANSFORM3D as i32, &t);
    let mut bytes = Vec::new();
    assert!(h.var_to_bytes(th, &mut bytes) > 0);
    let Variant::Transform3D(tr) = variant::decode_exact(&bytes).unwrap() else {
        panic!()
    };
    assert_eq!(tr.basis.rows[1].x, 3.0);
    assert_eq!(tr.origin.z, 11.0);

    let p = h.new_value(
        type_id::PACKED_INT32_ARRAY as i32,
        &[1, 0, 0, 0, 2, 0, 0, 0],
    );
    assert_eq!(h.array_len(p), 2);
    let np = h.new_value(type_id::NODE_PATH as i32, b"/root/a/b:c:d");
    assert_eq!(h.value_read(np, &mut out), 13);
    assert_eq!(out, b"/root/a/b:c:d");

    for (ty, bytes) in [
        (type_id::VECTOR3 as i32, &floats[..8]),
        (type_id::PACKED_VECTOR3_ARRAY as i32, &floats[..10]),
        (type_id::INT as i32, &floats[..4]),
        (99, &floats[..]),
        (-1, &floats[..]),
    ] {
        let n = h.stats().abi_errors;
        let r = h.new_value(ty, bytes);
        assert_failed(&h, r, AbiError::BadValue, n);
    }
}

#[test]
fn var_bytes_round_trip_and_malformed_bytes_are_bad_value() {
    let mut h = host();
    let value = Variant::dictionary(vec![
        (
            "a".into(),
            Variant::array(vec![Variant::Int(1), Variant::Float(0.5)]),
        ),
        (
            "v".into(),
            Variant::PackedVector3Array(vec![Vector3::default(); 3]),
        ),
    ]);
    let bytes = variant::encode(&value).unwrap();
    let d = h.var_from_bytes(&bytes);
    assert_eq!(h.type_of(d), type_id::DICTIONARY as i32);
    let mut out = Vec::new();
    assert_eq!(h.var_to_bytes(d, &mut out), bytes.len() as i32);
    assert_eq!(variant::decode_exact(&out).unwrap(), value);

    for bad in [&bytes[..bytes.len() - 1], &[0xff, 0xff, 0, 0][..], &[][..]] {
        let n = h.stats().abi_errors;
        let r = h.var_from_bytes(bad);
        assert_failed(&h, r, AbiError::BadValue, n);
    }
    // An object id in guest bytes would be a forged reference.
    let forged = variant::encode(&Variant::Object(NODE)).unwrap();
    let n = h.stats().abi_errors;
    let r = h.var_from_bytes(&forged);
    assert_failed(&h, r, AbiError::NotAllowed, n);
}

#[test]
fn arrays_share_like_gdscript() {
    let mut h = host();
    let outer = h.array_new();
    let inner = h.array_new();
    assert_eq!(h.array_push(outer, inner), 0);
    let one = h.new_int(1);
    // Mutating `inner` through its own handle is visible through `outer`.
    assert_eq!(h.array_push(inner, one), 0);
    let again = h.array_get(outer, 0);
    assert_eq!(h.array_len(again), 1);
    let two = h.new_int(2);
    assert_eq!(h.array_push(again, two), 0);
    assert_eq!(h.array_len(inner), 2, "array_get returned the same Array");

    // Scalars are copied.
    assert_eq!(h.array_set(inner, 0, two), 0);
    let e0 = h.array_get(inner, 0);
    assert_eq!(h.as_int(e0), 2);
    assert_eq!(h.release(two), 0);
    assert_eq!(h.as_int(e0), 2);

    // Nil elements come back as a NIL handle, not 0.
    assert_eq!(h.array_push(inner, 0), 0);
    let nil = h.array_get(inner, 2);
    assert!(nil > 0);
    assert_eq!(h.type_of(nil), type_id::NIL as i32);

    for i in [3, -1, i32::MAX] {
        let n = h.stats().abi_errors;
        let r = h.array_get(inner, i);
        assert_failed(&h, r, AbiError::OutOfRange, n);
    }
    let n = h.stats().abi_errors;
    let r = h.array_set(inner, 3, one);
    assert_failed(&h, r, AbiError::OutOfRange, n);

    // An Array may hold itself (GDScript allows it); encoding it is refused, not a crash.
    assert_eq!(h.array_push(outer, outer), 0);
    let mut out = Vec::new();
    let n = h.stats().abi_errors;
    let r = h.var_to_bytes(outer, &mut out);
    assert_failed(&h, r, AbiError::BadValue, n);
}

#[test]
fn packed_arrays_take_matching_elements() {
    let mut h = host();
    let p = h.new_value(type_id::PACKED_BYTE_ARRAY as i32, &[1, 2]);
    let v = h.new_int(200);
    assert_eq!(h.array_push(p, v), 0);
    let big = h.new_int(300);
    let n = h.stats().abi_errors;
    let r = h.array_push(p, big);
    assert_failed(&h, r, AbiError::BadValue, n);
    let s = h.new_string(b"x");
    let n = h.stats().abi_errors;
    let r = h.array_set(p, 0, s);
    assert_failed(&h, r, AbiError::WrongType, n);
    let mut out = Vec::new();
    assert_eq!(h.value_read(p, &mut out), 3);
    assert_eq!(out, [1, 2, 200]);
    let e = h.array_get(p, 2);
    assert_eq!(h.as_int(e), 200);

    let vp = h.new_value(type_id::PACKED_VECTOR3_ARRAY as i32, &[]);
    let vec: Vec<u8> = [1.0f32, 2.0, 3.0]
        .iter()
        .flat_map(|f| f.to_le_bytes())
        .collect();
    let v3 = h.new_value(type_id::VECTOR3 as i32, &vec);
    assert_eq!(h.array_push(vp, v3), 0);
    assert_eq!(h.value_read(vp, &mut out), 12);
    assert_eq!(out, vec);
    // Shared: a second handle sees the push.
    let d = h.dict_new();
    let k = h.new_string(b"verts");
    assert_eq!(h.dict_set(d, k, vp), 0);
    assert_eq!(h.array_push(vp, v3), 0);
    let through_dict = h.dict_get(d, k);
    assert_eq!(h.array_len(through_dict), 2);
}

#[test]
fn dictionaries_keep_order_and_godot_key_equality() {
    let mut h = host();
    let d = h.dict_new();
    let keys = ["b", "a", "c"];
    for (i, k) in keys.iter().enumerate() {
        let kh = h.new_string(k.as_bytes());
        let vh = h.new_int(i as i64);
        assert_eq!(h.dict_set(d, kh, vh), 0);
    }
    // StringName and String with the same text are the same key; int 1 and float 1.0 are not.
    let sn = h.new_value(type_id::STRING_NAME as i32, b"a");
    let got = h.dict_get(d, sn);
    assert_eq!(h.as_int(got), 1);
    let one = h.new_int(1);
    let onef = h.new_float(1.0);
    assert_eq!(h.dict_set(d, one, one), 0);
    let n = h.stats().abi_errors;
    let r = h.dict_get(d, onef);
    assert_failed(&h, r, AbiError::NotFound, n);
    assert_eq!(h.dict_len(d), 4);
    // Overwrite keeps the position.
    let zero = h.new_int(0);
    let kb = h.new_string(b"b");
    assert_eq!(h.dict_set(d, kb, zero), 0);
    let ks = h.dict_keys(d);
    assert_eq!(h.array_len(ks), 4);
    let first = h.array_get(ks, 0);
    let mut out = Vec::new();
    h.value_read(first, &mut out);
    assert_eq!(out, b"b");
    // Nil and containers are valid keys; containers compare by content.
    assert_eq!(h.dict_set(d, 0, one), 0);
    let key = h.array_new();
    h.array_push(key, one);
    assert_eq!(h.dict_set(d, key, zero), 0);
    let same_content = h.array_new();
    h.array_push(same_content, one);
    let back = h.dict_get(d, same_content);
    assert_eq!(h.as_int(back), 0);
    // A Dictionary may even be a key of itself (no panic, one more entry).
    let len = h.dict_len(d);
    assert_eq!(h.dict_set(d, d, one), 0);
    assert_eq!(h.dict_len(d), len + 1);
    let n = h.stats().abi_errors;
    let r = h.dict_get(one, one);
    assert_failed(&h, r, AbiError::WrongType, n);
}

#[test]
fn large_decoded_dictionaries_stay_fast() {
    // 50 000 distinct keys: quadratic insertion would take minutes.
    let entries = (0..50_000)
        .map(|i| (Variant::Int(i), Variant::Int(i * 2)))
        .collect();
    let bytes = variant::encode(&Variant::dictionary(entries)).unwrap();
    let mut h = host_with(5, 1024);
    let d = h.var_from_bytes(&bytes);
    assert_eq!(h.dict_len(d), 50_000);
    let k = h.new_int(49_999);
    let v = h.dict_get(d, k);
    assert_eq!(h.as_int(v), 99_998);
}

#[test]
fn deep_nesting_built_by_the_guest_drops_without_overflow() {
    let mut h = host_with(6, 1024);
    let mut current = h.array_new();
    for i in 0..200_000 {
        let next = h.array_new();
        assert!(next > 0, "iteration {i}: {}", h.last_error());
        assert_eq!(h.array_push(next, current), 0);
        assert_eq!(h.release(current), 0);
        current = next;
    }
    let mut out = Vec::new();
    assert_eq!(h.var_to_bytes(current, &mut out), err(AbiError::BadValue));
    h.reset(); // drops the 200 000-deep chain
    assert_eq!(h.stats().live_handles, 0);
}

#[test]
fn declared_properties_are_served_host_side() {
    let mut h = host();
    let me = h.self_object();
    let speed = h.object_get(me, b"speed");
    assert_eq!(h.as_float(speed), 1.5);
    // The game sets a property before the module runs: the script sees it.
    h.set_property("speed", Variant::Int(3)).unwrap();
    let speed = h.object_get(me, b"speed");
    assert_eq!(h.as_float(speed), 3.0, "ints widen to float properties");
    assert_eq!(
        h.set_property("speed", Variant::String("fast".into()))
            .unwrap_err()
            .code,
        AbiError::WrongType
    );
    assert_eq!(
        h.set_property("nope", Variant::Nil).unwrap_err().code,
        AbiError::NotFound
    );
    // The guest writes its own property: stored, not queued.
    let label = h.new_string(b"bye");
    assert_eq!(h.object_set(me, b"label", label), 0);
    assert_eq!(h.property("label"), Some(Ok(Variant::String("bye".into()))));
    assert!(h.take_batch().is_empty());
    let n = h.stats().abi_errors;
    let r = h.object_set(me, b"label", speed);
    assert_failed(&h, r, AbiError::WrongType, n);
    // Array properties keep reference semantics.
    let items = h.object_get(me, b"items");
    let x = h.new_int(1);
    assert_eq!(h.array_push(items, x), 0);
    assert_eq!(
        h.property("items"),
        Some(Ok(Variant::array(vec![Variant::Int(1)])))
    );
}

#[test]
fn node_reads_go_to_the_bridge_and_see_queued_writes() {
    let mut h = host();
    let me = h.self_object();
    let p = h.object_get(me, b"position");
    let mut out = Vec::new();
    assert_eq!(h.value_read(p, &mut out), 12);
    assert_eq!(&out[4..8], &2.0f32.to_le_bytes());
    let floats: Vec<u8> = [9.0f32, 9.0, 9.0]
        .iter()
        .flat_map(|f| f.to_le_bytes())
        .collect();
    let v = h.new_value(type_id::VECTOR3 as i32, &floats);
    assert_eq!(h.object_set(me, b"position", v), 0);
    let p2 = h.object_get(me, b"position");
    h.value_read(p2, &mut out);
    assert_eq!(out, floats, "reads see the script's own queued write");
    let batch = h.take_batch();
    assert_eq!(
        batch,
        vec![BatchEntry::Set {
            object: NODE,
            property: "position".into(),
            value: Variant::Vector3(Vector3 {
                x: 9.0,
                y: 9.0,
                z: 9.0
            }),
        }]
    );
    // After the batch is taken, reads go to Godot again.
    let p3 = h.object_get(me, b"position");
    h.value_read(p3, &mut out);
    assert_eq!(&out[0..4], &1.0f32.to_le_bytes());
    // A property Godot does not have.
    let n = h.stats().abi_errors;
    let r = h.object_get(me, b"visible");
    assert_failed(&h, r, AbiError::NotFound, n);
}

#[test]
fn capabilities_refuse_escapes_with_the_name_in_the_message() {
    let mut h = host();
    let me = h.self_object();
    let v = h.new_int(1);
    for (name, op) in [
        ("set_script", 0),
        ("call", 0),
        ("free", 0),
        ("get_tree", 0),
        ("script", 1),
        ("owner", 2),
    ] {
        let n = h.stats().abi_errors;
        let r = match op {
            0 => h.object_call(me, name.as_bytes(), 0),
            1 => h.object_set(me, name.as_bytes(), v),
            _ => h.object_get(me, name.as_bytes()),
        };
        assert_failed(&h, r, AbiError::NotAllowed, n);
        assert!(h.last_error().contains(name), "{}", h.last_error());
    }
    // Read-only and unlisted properties.
    let n = h.stats().abi_errors;
    let r = h.object_set(me, b"name", v);
    assert_failed(&h, r, AbiError::NotAllowed, n);
    let n = h.stats().abi_errors;
    let r = h.object_get(me, b"process_mode");
    assert_failed(&h, r, AbiError::NotAllowed, n);
    assert!(h.take_batch().is_empty(), "nothing refused was queued");
}

#[test]
fn calls_are_queried_or_queued_by_kind() {
    let mut h = host();
    let me = h.self_object();
    let args = h.array_new();
    let floats: Vec<u8> = [1.0f32, 1.0, 1.0]
        .iter()
        .flat_map(|f| f.to_le_bytes())
        .collect();
    let v = h.new_value(type_id::VECTOR3 as i32, &floats);
    assert_eq!(h.array_push(args, v), 0);
    // Query: answered now by the bridge.
    let r = h.object_call(me, b"to_global", args);
    let mut out = Vec::new();
    assert_eq!(h.value_read(r, &mut out), 12);
    assert_eq!(&out[4..8], &3.0f32.to_le_bytes());
    // Command: queued, returns nil.
    let angle = h.new_float(0.5);
    let a2 = h.array_new();
    h.array_push(a2, angle);
    assert_eq!(h.object_call(me, b"rotate_y", a2), 0);
    assert_eq!(
        h.take_batch(),
        vec![BatchEntry::Call {
            object: NODE,
            method: "rotate_y".into(),
            args: vec![Variant::Float(0.5)],
        }]
    );
    let n = h.stats().abi_errors;
    let r = h.object_call(me, b"rotate_y", v);
    assert_failed(&h, r, AbiError::WrongType, n);
}

#[test]
fn signals_must_be_declared_and_match_their_arguments() {
    let mut h = host();
    let args = h.array_new();
    let power = h.new_int(9);
    h.array_push(args, power);
    assert_eq!(h.emit_signal(b"hit", args), 0);
    assert_eq!(h.emit_signal(b"any", 0), 0);
    let n = h.stats().abi_errors;
    let r = h.emit_signal(b"missing", 0);
    assert_failed(&h, r, AbiError::NotFound, n);
    let n = h.stats().abi_errors;
    let r = h.emit_signal(b"hit", 0);
    assert_failed(&h, r, AbiError::BadValue, n);
    let wrong = h.array_new();
    let s = h.new_string(b"x");
    h.array_push(wrong, s);
    let n = h.stats().abi_errors;
    let r = h.emit_signal(b"hit", wrong);
    assert_failed(&h, r, AbiError::WrongType, n);

    let bytes = h.take_batch_bytes().unwrap();
    let expected = Variant::array(vec![
        Variant::array(vec![
            Variant::Int(2),
            Variant::Int(NODE as i64),
            Variant::StringName("hit".into()),
            Variant::array(vec![Variant::Int(9)]),
        ]),
        Variant::array(vec![
            Variant::Int(2),
            Variant::Int(NODE as i64),
            Variant::StringName("any".into()),
            Variant::array(vec![]),
        ]),
    ]);
    assert_eq!(variant::decode_exact(&bytes).unwrap(), expected);
    assert!(h.take_batch().is_empty());
}

#[test]
fn gone_objects_and_no_bridge_are_object_gone() {
    let mut config = HostConfig::new(NODE, Manifest::default());
    config.self_class = "Node3D".into();
    let mut h = ScriptHost::new(config, Box::new(NoObjects));
    let me = h.self_object();
    let n = h.stats().abi_errors;
    let r = h.object_get(me, b"position");
    assert_failed(&h, r, AbiError::ObjectGone, n);
}

#[test]
fn capabilities_none_leaves_only_declared_properties() {
    let mut config = HostConfig::new(NODE, Manifest::parse(MANIFEST.as_bytes()).unwrap());
    config.capabilities = Capabilities::none();
    let mut h = ScriptHost::new(config, Box::new(NoObjects));
    let me = h.self_object();
    assert!(h.object_get(me, b"speed") > 0);
    assert_eq!(h.object_get(me, b"position"), err(AbiError::NotAllowed));
}

#[test]
fn error_log_and_last_error_are_bounded_and_precise() {
    let mut h = host();
    for _ in 0..1000 {
        h.release(1);
    }
    let stats = h.stats();
    assert_eq!(stats.abi_errors, 1000);
    assert_eq!(h.errors().count(), ugc_wasm::host::LOG_CAPACITY);
    assert!(stats.dropped_log_entries >= 1000 - ugc_wasm::host::LOG_CAPACITY as u64);
    let e = h.errors().last().unwrap();
    assert_eq!((e.function, e.code), ("release", AbiError::BadHandle));
    assert!(h.last_error().starts_with("release: bad_handle"));
    assert_eq!(
        h.bad_pointer("new_string", 70000, 10),
        err(AbiError::BadPointer)
    );
    assert!(h.last_error().contains("70000"));
}

#[test]
fn lent_values_and_returned_handles_follow_the_ownership_rules() {
    let mut h = host();
    let lent = h.lend(Variant::array(vec![Variant::Int(1)])).unwrap();
    // The guest retains the borrowed Array, so it outlives the call.
    assert_eq!(h.retain(lent), 0);
    h.end_lend(lent).unwrap();
    assert_eq!(h.array_len(lent), 1);
    // A returned handle passes to the host.
    let ret = h.new_float(4.0);
    assert_eq!(h.take_returned(ret).unwrap(), Variant::Float(4.0));
    assert_eq!(h.type_of(ret), err(AbiError::StaleHandle));
    assert_eq!(h.take_returned(0).unwrap(), Variant::Nil);
    assert_eq!(h.take_returned(123).unwrap_err().code, AbiError::BadHandle);
}
