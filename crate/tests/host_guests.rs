//! The SDK examples (guest/out/, built by scripts/build-guests.sh) running under wasmi with a
//! `ScriptHost` and a fake scene: each one's real effect on the scene is checked.
// Native only: uses crates (wasmi, proptest, wasm-smith) or files that the wasm32 build of the tests lacks.
#![cfg(not(target_arch = "wasm32"))]

mod host_common;

use host_common::{example, Guest, Scene, SceneBridge, EXAMPLES};
use std::f64::consts::{PI, TAU};
use ugc_wasm::host::{BatchEntry, Manifest};
use ugc_wasm::variant::{type_id, Variant, Vector3};

const NODE: u64 = 0x1_0000_0042;

fn vec3(v: Option<Variant>) -> Vector3 {
    match v {
        Some(Variant::Vector3(v)) => v,
        other => panic!("expected a Vector3, got {other:?}"),
    }
}

fn float(v: &Variant) -> f64 {
    match v {
        Variant::Float(f) => *f,
        other => panic!("expected a float, got {other:?}"),
    }
}

/// Runs one frame: `_process`, then Godot applies the batch. Checks the guest leaked no handle.
fn frame(guest: &mut Guest, scene: &host_common::SharedScene, delta: f64) -> Vec<BatchEntry> {
    guest.process(delta);
    let batch = guest.host().take_batch();
    scene.borrow_mut().apply(&batch);
    assert_eq!(guest.host().stats().live_handles, 0, "handles leaked");
    batch
}

#[test]
fn every_example_declares_abi_v1_and_a_valid_manifest() {
    for name in EXAMPLES {
        let wasm = example(name);
        let manifest = Manifest::from_module(&wasm).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_ne!(manifest, Manifest::default(), "{name} has no manifest");
        let version = wasmparser::Parser::new(0)
            .parse_all(&wasm)
            .filter_map(|p| match p.unwrap() {
                wasmparser::Payload::CustomSection(s) if s.name() == "ugc_abi" => {
                    Some(s.data().to_vec())
                }
                _ => None,
            })
            .next()
            .unwrap_or_else(|| panic!("{name} has no ugc_abi section"));
        assert_eq!(version, 1u32.to_le_bytes(), "{name}");
    }
}

#[test]
fn avatar_bob_bobs_and_sways_its_node_over_frames() {
    let base = Vector3 {
        x: 1.0,
        y: 2.0,
        z: 3.0,
    };
    let scene = Scene::with_node(NODE, "Node3D", &[("position", Variant::Vector3(base))]);
    let mut guest = Guest::new(
        &example("avatar_bob"),
        NODE,
        Box::new(SceneBridge(scene.clone())),
    );
    guest.ready();
    let (amplitude, frequency) = (0.1, 1.5);
    let mut t = 0.0;
    let mut ys = Vec::new();
    for _ in 0..40 {
        let batch = frame(&mut guest, &scene, 1.0 / 30.0);
        t += 1.0 / 30.0;
        assert_eq!(batch.len(), 2, "position and rotation each frame");
        let p = vec3(scene.borrow().property(NODE, "position"));
        let r = vec3(scene.borrow().property(NODE, "rotation"));
        let phase = t * frequency * TAU;
        let want_y = 2.0 + (phase.sin() * amplitude) as f32;
        assert!((p.y - want_y).abs() < 1e-5, "y {} vs {want_y}", p.y);
        assert_eq!((p.x, p.z), (1.0, 3.0), "bob is vertical only");
        let want_roll = ((phase * 0.5).sin() * amplitude * 0.25) as f32;
        assert!((r.z - want_roll).abs() < 1e-5);
        ys.push(p.y);
    }
    let (lo, hi) = ys
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &y| (lo.min(y), hi.max(y)));
    assert!(hi - lo > 0.15 && hi - lo <= 0.2 + 1e-5, "range {lo}..{hi}");

    // A bigger amplitude set by the game takes effect on the next frame.
    guest.set_property("amplitude", Variant::Float(1.0));
    let mut ys = Vec::new();
    for _ in 0..40 {
        frame(&mut guest, &scene, 1.0 / 30.0);
        ys.push(vec3(scene.borrow().property(NODE, "position")).y);
    }
    let spread =
        ys.iter().cloned().fold(f32::MIN, f32::max) - ys.iter().cloned().fold(f32::MAX, f32::min);
    assert!(spread > 1.5, "spread {spread}");
    assert_eq!(guest.host().stats().abi_errors, 0);
}

#[test]
fn toggle_prop_emits_toggled_and_scales_itself() {
    let scene = Scene::with_node(NODE, "MeshInstance3D", &[]);
    let mut guest = Guest::new(
        &example("toggle_prop"),
        NODE,
        Box::new(SceneBridge(scene.clone())),
    );
    guest.set_property("on", Variant::Bool(true));
    let batch = guest.host().take_batch();
    let s = 1.25f32;
    assert_eq!(
        batch,
        vec![
            BatchEntry::Set {
                object: NODE,
                property: "scale".into(),
                value: Variant::Vector3(Vector3 { x: s, y: s, z: s }),
            },
            BatchEntry::Emit {
                object: NODE,
                signal: "toggled".into(),
                args: vec![Variant::Bool(true)],
            },
        ]
    );
    guest.set_property("pressed_scale", Variant::Float(2.0));
    assert!(guest.host().take_batch().is_empty(), "only `on` toggles");
    guest.set_property("on", Variant::Bool(false));
    let batch = guest.host().take_batch();
    scene.borrow_mut().apply(&batch);
    assert_eq!(
        scene.borrow().property(NODE, "scale"),
        Some(Variant::Vector3(Vector3 {
            x: 1.0,
            y: 1.0,
            z: 1.0
        }))
    );
    assert_eq!(
        scene.borrow().signals,
        vec![(NODE, "toggled".to_string(), vec![Variant::Bool(false)])]
    );
    assert_eq!(guest.host().stats().live_handles, 0);
    // The batch crosses to Godot as one Variant Array.
    guest.set_property("on", Variant::Bool(true));
    let bytes = guest.host().take_batch_bytes().unwrap();
    let decoded = ugc_wasm::variant::decode_exact(&bytes).unwrap();
    let Variant::Array(a) = decoded else {
        panic!("batch is an Array")
    };
    assert_eq!(a.elements.len(), 2);
}

#[test]
fn face_driver_maps_inputs_to_blend_shape_weights() {
    let scene = Scene::with_node(NODE, "MeshInstance3D", &[]);
    let mut guest = Guest::new(
        &example("face_driver"),
        NODE,
        Box::new(SceneBridge(scene.clone())),
    );
    let inputs = Variant::dictionary(vec![
        ("smile".into(), Variant::Float(0.8)),
        ("jaw".into(), Variant::Float(0.2)),
        ("surprise".into(), Variant::Int(3)), // clamped to 1
        ("unknown".into(), Variant::Float(1.0)),
    ]);
    let ret = guest.call_method("express", vec![inputs.clone()]);
    let Variant::Dictionary(weights) = ret else {
        panic!("express returns a Dictionary, got {ret:?}")
    };
    let weight = |name: &str| {
        weights
            .entries
            .iter()
            .find(|(k, _)| *k == Variant::String(name.into()))
            .map(|(_, v)| float(v))
            .unwrap_or_else(|| panic!("no weight {name}"))
    };
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(close(weight("mouthSmileLeft"), 0.8));
    assert!(close(weight("eyeSquintRight"), 0.8 * 0.3));
    assert!(close(weight("jawOpen"), (0.2f64 + 0.4).min(1.0)));
    assert!(close(weight("browInnerUp"), 1.0));
    assert!(close(weight("mouthFrownLeft"), 0.0));
    assert_eq!(weights.entries.len(), 8);

    // The same weights were written to the mesh, one blend shape each.
    let batch = guest.host().take_batch();
    scene.borrow_mut().apply(&batch);
    assert_eq!(batch.len(), 8);
    let on_mesh = scene
        .borrow()
        .property(NODE, "blend_shapes/mouthSmileLeft")
        .unwrap();
    assert!(close(float(&on_mesh), 0.8));

    guest.set_property("intensity", Variant::Float(0.5));
    let Variant::Dictionary(half) = guest.call_method("express", vec![inputs]) else {
        panic!()
    };
    let smile = half
        .entries
        .iter()
        .find(|(k, _)| *k == Variant::String("mouthSmileLeft".into()))
        .map(|(_, v)| float(v))
        .unwrap();
    assert!(close(smile, 0.4));
    assert_eq!(guest.host().stats().live_handles, 0);
    // The only errors: `dict_get` of the one input the caller left out ("sad"), once per call.
    let errors: Vec<_> = guest.host().errors().cloned().collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors
        .iter()
        .all(|e| e.function == "dict_get" && e.code == ugc_wasm::abi::AbiError::NotFound));

    // A wrong argument is reported, not a crash: the method logs why and returns nil.
    let nil = guest.call_method("express", vec![Variant::Int(1)]);
    assert_eq!(nil, Variant::Nil);
    let logs = guest.host().take_logs();
    assert_eq!(logs, vec!["face_driver.express: wrong_type".to_string()]);
    assert_eq!(guest.host().stats().live_handles, 0);
}

#[test]
fn sphere_mesh_generates_consistent_arrays() {
    let scene = Scene::with_node(NODE, "MeshInstance3D", &[]);
    let mut guest = Guest::new(&example("sphere_mesh"), NODE, Box::new(SceneBridge(scene)));
    for (rings, segments, radius) in [(8i64, 16i64, 0.5f64), (3, 5, 2.0), (64, 128, 1.0)] {
        guest
            .host()
            .set_property("rings", Variant::Int(rings))
            .unwrap();
        guest
            .host()
            .set_property("segments", Variant::Int(segments))
            .unwrap();
        guest
            .host()
            .set_property("radius", Variant::Float(radius))
            .unwrap();
        let Variant::Dictionary(mesh) = guest.call_method("generate", vec![]) else {
            panic!("generate returns a Dictionary")
        };
        let get = |k: &str| {
            mesh.entries
                .iter()
                .find(|(key, _)| *key == Variant::String(k.into()))
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        let (Variant::PackedVector3Array(vertices), Variant::PackedVector3Array(normals)) =
            (get("vertices"), get("normals"))
        else {
            panic!("vertices and normals are PackedVector3Arrays")
        };
        let Variant::PackedVector2Array(uvs) = get("uvs") else {
            panic!()
        };
        let Variant::PackedInt32Array(indices) = get("indices") else {
            panic!()
        };
        let n = ((rings + 1) * (segments + 1)) as usize;
        assert_eq!(vertices.len(), n);
        assert_eq!(normals.len(), n);
        assert_eq!(uvs.len(), n);
        assert_eq!(indices.len(), (rings * segments * 6) as usize);
        assert!(indices.iter().all(|&i| i >= 0 && (i as usize) < n));
        for (v, nrm) in vertices.iter().zip(&normals) {
            let len = |v: &Vector3| ((v.x * v.x + v.y * v.y + v.z * v.z) as f64).sqrt();
            assert!((len(v) - radius).abs() < 1e-4 * radius.max(1.0));
            assert!((len(nrm) - 1.0).abs() < 1e-4);
        }
        // Poles at ±radius on Y.
        assert!((vertices[0].y as f64 - radius).abs() < 1e-5);
        assert!((vertices[n - 1].y as f64 + radius).abs() < 1e-5);
        assert_eq!(guest.host().stats().live_handles, 0);
    }
    // Out-of-range sizes are clamped to the buffers.
    guest
        .host()
        .set_property("rings", Variant::Int(10_000))
        .unwrap();
    let Variant::Dictionary(mesh) = guest.call_method("generate", vec![]) else {
        panic!()
    };
    let Some((_, Variant::PackedVector3Array(v))) = mesh.entries.first() else {
        panic!()
    };
    assert_eq!(v.len(), 65 * 129);
}

#[test]
fn c_spinner_rotates_and_counts_turns() {
    let scene = Scene::with_node(NODE, "Node3D", &[]);
    let mut guest = Guest::new(
        &example("c_spinner"),
        NODE,
        Box::new(SceneBridge(scene.clone())),
    );
    guest
        .host()
        .set_property("speed", Variant::Float(PI))
        .unwrap();
    // 2 s per turn at π rad/s: 45 frames of 0.1 s make two full turns and a quarter.
    for _ in 0..45 {
        frame(&mut guest, &scene, 0.1);
    }
    let scene = scene.borrow();
    assert_eq!(scene.calls.len(), 45);
    assert!(scene.calls.iter().all(|(id, m, args)| *id == NODE
        && m == "rotate_y"
        && (float(&args[0]) - 0.1 * PI).abs() < 1e-12));
    let turns: Vec<_> = scene
        .signals
        .iter()
        .map(|(_, s, a)| (s.as_str(), a.clone()))
        .collect();
    assert_eq!(
        turns,
        vec![
            ("turned", vec![Variant::Int(1)]),
            ("turned", vec![Variant::Int(2)])
        ]
    );
    let rotation = vec3(scene.property(NODE, "rotation"));
    assert!((rotation.y as f64 - 4.5 * PI).abs() < 1e-4);
    assert_eq!(guest.host().stats().abi_errors, 0);
}

#[test]
fn examples_declare_the_types_the_host_enforces() {
    let m = Manifest::from_module(&example("sphere_mesh")).unwrap();
    assert_eq!(m.property("rings").unwrap().type_id, type_id::INT);
    assert_eq!(
        m.method("generate").unwrap().return_type,
        type_id::DICTIONARY
    );
    let m = Manifest::from_module(&example("c_spinner")).unwrap();
    assert_eq!(m.signal("turned").unwrap().args[0].type_id, type_id::INT);
}

#[test]
fn every_example_passes_the_default_policy() {
    let policy = ugc_wasm::policy::Policy::default();
    for name in EXAMPLES {
        let wasm = example(name);
        let report = ugc_wasm::validate::validate(&wasm, &policy)
            .unwrap_or_else(|e| panic!("{name} is refused: {e}"));
        assert!(!report.imports.is_empty(), "{name} imports from ugc");
    }
}

#[test]
fn the_sdk_self_test_passes_against_the_host() {
    let wasm = example("sdk_selftest");
    ugc_wasm::validate::validate(&wasm, &ugc_wasm::policy::Policy::default()).unwrap();
    let scene = Scene::with_node(NODE, "Node3D", &[]);
    let mut guest = Guest::new(&wasm, NODE, Box::new(SceneBridge(scene)));
    let run = guest
        .instance
        .get_typed_func::<(), i32>(&guest.store, "run")
        .unwrap();
    let failed = run.call(&mut guest.store, ()).unwrap();
    let logs = guest.host().take_logs();
    assert_eq!(failed, 0, "{logs:?}");
    assert_eq!(
        guest.host().stats().live_handles,
        0,
        "the SDK released everything"
    );
    let batch = guest.host().take_batch();
    assert_eq!(
        batch.last(),
        Some(&BatchEntry::Emit {
            object: NODE,
            signal: "done".into(),
            args: vec![Variant::Int(38)],
        })
    );
    assert_eq!(
        guest.host().property("label"),
        Some(Ok(Variant::String("bye".into())))
    );
}

/// `PerNode` tables are all-zero statics (their initial value is an associated constant): they
/// cost linear memory, not bytes in the module. With the value stored in the static, avatar_bob
/// shipped 650 KB of zeros in its data section.
#[test]
fn examples_ship_no_zero_filled_per_node_tables() {
    for name in EXAMPLES {
        let wasm = example(name);
        assert!(
            wasm.len() < 64 * 1024,
            "{name}.wasm is {} bytes",
            wasm.len()
        );
    }
}
