//! Hostile call sequences: random ABI calls with random handles (live, released, forged, from
//! results) and random bytes never panic, always return a handle/count or a known error code,
//! and never exceed the handle limit.
// Native only: uses crates (wasmi, proptest, wasm-smith) or files that the wasm32 build of the tests lacks.
#![cfg(not(target_arch = "wasm32"))]

mod host_common;

use host_common::{Scene, SceneBridge};
use proptest::prelude::*;
use ugc_wasm::host::{HostConfig, Manifest, ScriptHost};
use ugc_wasm::variant::{self, Variant};

const MANIFEST: &str = r#"{ "extends": "MeshInstance3D",
  "properties": [ { "name": "p", "type": "float" }, { "name": "a", "type": "Array" } ],
  "signals": [ { "name": "s", "args": [ { "name": "x", "type": "int" } ] } ] }"#;

const NAMES: &[&str] = &[
    "p",
    "a",
    "position",
    "scale",
    "free",
    "call",
    "rotate_y",
    "to_global",
    "s",
    "blend_shapes/x",
    "get_class",
    "set_script",
    "\u{ff}",
];

#[derive(Debug, Clone)]
enum Op {
    NewInt(i64),
    NewFloat(f64),
    NewString(Vec<u8>),
    NewValue(i32, Vec<u8>),
    FromBytes(Vec<u8>),
    FromValidBytes(u8),
    Handle(u8, usize, i32),
    Pair(u8, usize, usize, i32),
    Object(u8, usize, usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<i64>().prop_map(Op::NewInt),
        any::<f64>().prop_map(Op::NewFloat),
        proptest::collection::vec(any::<u8>(), 0..12).prop_map(Op::NewString),
        (-2i32..41, proptest::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(t, b)| Op::NewValue(t, b)),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Op::FromBytes),
        any::<u8>().prop_map(Op::FromValidBytes),
        (0u8..12, any::<usize>(), -2i32..5).prop_map(|(k, h, i)| Op::Handle(k, h, i)),
        (0u8..6, any::<usize>(), any::<usize>(), -2i32..5)
            .prop_map(|(k, a, b, i)| Op::Pair(k, a, b, i)),
        (0u8..4, any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(k, o, n, v)| Op::Object(k, o, n, v)),
    ]
}

fn sample_bytes(seed: u8) -> Vec<u8> {
    let v = match seed % 4 {
        0 => Variant::array(vec![Variant::Int(seed.into()), Variant::String("k".into())]),
        1 => Variant::dictionary(vec![(
            Variant::Int(1),
            Variant::PackedInt32Array(vec![1, 2]),
        )]),
        2 => Variant::PackedVector3Array(vec![Default::default(); 2]),
        _ => Variant::Float(f64::from(seed)),
    };
    variant::encode(&v).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_call_sequences_never_panic(ops in proptest::collection::vec(op(), 1..120)) {
        let scene = Scene::with_node(1, "MeshInstance3D", &[("position", Variant::Vector3(Default::default()))]);
        let mut config = HostConfig::new(1, Manifest::parse(MANIFEST.as_bytes()).unwrap());
        config.max_live_handles = 32;
        let mut h = ScriptHost::new(config, Box::new(SceneBridge(scene)));
        // Handles the guest has seen, plus forged ones.
        let mut pool: Vec<i32> = vec![0, 1, -1, 0x7fff_ffff, 12345];
        let mut out = Vec::new();
        for op in ops {
            let pick = |i: usize, pool: &Vec<i32>| pool[i % pool.len()];
            let r = match op {
                Op::NewInt(v) => h.new_int(v),
                Op::NewFloat(v) => h.new_float(v),
                Op::NewString(b) => h.new_string(&b),
                Op::NewValue(t, b) => h.new_value(t, &b),
                Op::FromBytes(b) => h.var_from_bytes(&b),
                Op::FromValidBytes(s) => h.var_from_bytes(&sample_bytes(s)),
                Op::Handle(k, x, i) => {
                    let x = pick(x, &pool);
                    match k {
                        0 => h.retain(x),
                        1 => h.release(x),
                        2 => h.type_of(x),
                        3 => h.value_read(x, &mut out),
                        4 => h.var_to_bytes(x, &mut out),
                        5 => h.array_len(x),
                        6 => h.array_get(x, i),
                        7 => h.dict_len(x),
                        8 => h.dict_keys(x),
                        9 => {
                            let _ = h.as_float(x);
                            let _ = h.as_int(x);
                            0
                        }
                        10 => h.array_new(),
                        _ => if i > 0 { h.self_object() } else { h.dict_new() },
                    }
                }
                Op::Pair(k, a, b, i) => {
                    let (a, b) = (pick(a, &pool), pick(b, &pool));
                    match k {
                        0 => h.array_push(a, b),
                        1 => h.array_set(a, i, b),
                        2 => h.dict_set(a, b, a),
                        3 => h.dict_get(a, b),
                        4 => h.emit_signal(b"s", b),
                        _ => h.dict_set(a, a, b),
                    }
                }
                Op::Object(k, o, n, v) => {
                    let (o, v) = (pick(o, &pool), pick(v, &pool));
                    let name = NAMES[n % NAMES.len()].as_bytes();
                    match k {
                        0 => h.object_get(o, name),
                        1 => h.object_set(o, name, v),
                        2 => h.object_call(o, name, v),
                        _ => h.emit_signal(name, v),
                    }
                }
            };
            prop_assert!(r >= -11, "unknown code {}", r);
            if r > 0 {
                pool.push(r);
            }
            prop_assert!(h.stats().live_handles <= 32);
        }
        let _ = h.take_batch_bytes();
        h.reset();
        prop_assert_eq!(h.stats().live_handles, 0);
    }
}
