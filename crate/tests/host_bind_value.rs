//! `object_bind_value`: a property tied to guest memory, written once per frame by the harvest
//! when its bytes changed — the zero-call per-frame write. Same rules and batch entries as
//! `object_set_value`; bad input refused with typed errors; bindings die with their host.
#![cfg(not(target_arch = "wasm32"))]

mod host_common;

use host_common::{Guest, Scene, SceneBridge, SharedGuest};
use ugc_wasm::abi::AbiError;
use ugc_wasm::host::{BatchEntry, HostConfig, Manifest, ScriptHost};
use ugc_wasm::variant::{type_id, Variant, Vector3};

const NODE: u64 = 77;
const OTHER: u64 = 78;
const VEC3: i32 = type_id::VECTOR3 as i32;

const MANIFEST: &str = r#"{
  "extends": "Node3D",
  "properties": [ { "name": "speed", "type": "float", "default": 1.5 } ]
}"#;

fn v3(x: f32, y: f32, z: f32) -> Variant {
    Variant::Vector3(Vector3 { x, y, z })
}

fn raw3(x: f32, y: f32, z: f32) -> Vec<u8> {
    [x, y, z].iter().flat_map(|f| f.to_le_bytes()).collect()
}

fn host() -> ScriptHost {
    let scene = Scene::with_node(NODE, "Node3D", &[("position", v3(1.0, 2.0, 3.0))]);
    scene.borrow_mut().objects.insert(
        OTHER,
        host_common::FakeObject {
            class: "Node3D".into(),
            properties: [("position".to_owned(), v3(9.0, 9.0, 9.0))].into(),
        },
    );
    let mut config = HostConfig::new(NODE, Manifest::parse(MANIFEST.as_bytes()).unwrap());
    config.handle_key = Some(5);
    ScriptHost::new(config, Box::new(SceneBridge(scene)))
}

fn bind(h: &mut ScriptHost, obj: i32, name: &str, ty: i32, ptr: u32, seed: &mut Vec<u8>) -> i32 {
    h.object_bind_value(obj, name.as_bytes(), ty, ptr, 1024, seed)
}

#[test]
fn binding_seeds_the_current_value_and_harvest_writes_only_changes() {
    let mut h = host();
    let me = h.self_object();
    let mut seed = Vec::new();
    assert_eq!(bind(&mut h, me, "position", VEC3, 16, &mut seed), 12);
    assert_eq!(seed, raw3(1.0, 2.0, 3.0), "the engine's value");
    assert_eq!(h.bindings().borrow().layout(), vec![16, 12]);

    // Unchanged bytes: no write.
    assert_eq!(h.harvest_bindings(&seed), Some(0));
    assert!(h.take_batch().is_empty());

    assert_eq!(h.harvest_bindings(&raw3(1.5, 2.0, 3.0)), Some(1));
    assert_eq!(
        h.take_batch(),
        vec![BatchEntry::Set {
            object: NODE,
            property: "position".into(),
            value: v3(1.5, 2.0, 3.0),
        }]
    );
    // Reads see the harvested value; the layout length is checked.
    let mut out = Vec::new();
    assert_eq!(h.object_get_value(me, b"position", VEC3, &mut out), 12);
    assert_eq!(out, raw3(1.5, 2.0, 3.0));
    assert_eq!(h.harvest_bindings(&[0; 11]), None);
    assert_eq!(h.stats().abi_errors, 0);
}

#[test]
fn a_bound_property_is_written_through_its_bytes_until_unbound() {
    let mut h = host();
    let me = h.self_object();
    let mut seed = Vec::new();
    assert_eq!(bind(&mut h, me, "position", VEC3, 0, &mut seed), 12);
    h.harvest_bindings(&raw3(4.0, 0.0, 0.0));
    let r = h.object_set_value(me, b"position", VEC3, &raw3(0.0, 0.0, 0.0));
    assert_eq!(r, AbiError::NotAllowed.code());
    assert!(
        h.last_error().contains("bound to guest memory"),
        "{}",
        h.last_error()
    );

    // ty NIL unbinds; reads keep the last value sent; writes work again.
    assert_eq!(bind(&mut h, me, "position", 0, 0, &mut seed), 0);
    assert!(h.bindings().borrow().is_empty());
    let mut out = Vec::new();
    assert_eq!(h.object_get_value(me, b"position", VEC3, &mut out), 12);
    assert_eq!(out, raw3(4.0, 0.0, 0.0));
    assert_eq!(
        h.object_set_value(me, b"position", VEC3, &raw3(5.0, 0.0, 0.0)),
        0
    );
    let r = bind(&mut h, me, "position", 0, 0, &mut seed);
    assert_eq!(r, AbiError::NotFound.code());
}

#[test]
fn bad_input_is_refused_with_typed_errors() {
    let mut h = host();
    let me = h.self_object();
    let not_object = h.new_int(1);
    let mut seed = Vec::new();
    let cases: Vec<(i32, &str, i32, u32, AbiError)> = vec![
        (0, "position", VEC3, 0, AbiError::BadHandle),
        (0x7fff_0000, "position", VEC3, 0, AbiError::BadHandle),
        (not_object, "position", VEC3, 0, AbiError::WrongType),
        (
            me,
            "position",
            type_id::STRING as i32,
            0,
            AbiError::WrongType,
        ),
        (me, "position", type_id::RID as i32, 0, AbiError::WrongType),
        (me, "position", 999, 0, AbiError::BadValue),
        (
            me,
            "position",
            type_id::FLOAT as i32,
            0,
            AbiError::WrongType,
        ),
        (me, "speed", type_id::FLOAT as i32, 0, AbiError::NotAllowed),
        (
            me,
            "name",
            type_id::STRING_NAME as i32,
            0,
            AbiError::WrongType,
        ),
        (me, "name", type_id::VECTOR3 as i32, 0, AbiError::NotAllowed),
        (me, "script", VEC3, 0, AbiError::NotAllowed),
        (me, "position", VEC3, 1013, AbiError::BadPointer),
        (me, "position", VEC3, u32::MAX, AbiError::BadPointer),
    ];
    for (obj, name, ty, ptr, expected) in cases {
        let r = bind(&mut h, obj, name, ty, ptr, &mut seed);
        assert_eq!(
            r,
            expected.code(),
            "{name} ty {ty} ptr {ptr}: {}",
            h.last_error()
        );
        assert!(seed.is_empty(), "nothing to copy on an error");
        assert!(h.last_error().starts_with("object_bind_value: "));
    }
    let r = h.object_bind_value(me, &[0xff, 0xfe], VEC3, 0, 1024, &mut seed);
    assert_eq!(r, AbiError::BadUtf8.code());
    assert!(h.bindings().borrow().is_empty());
}

#[test]
fn a_script_binds_at_most_64_properties() {
    let limit = ugc_wasm::host::bindings::MAX_BINDINGS_PER_HOST;
    let names: Vec<String> = (0..=limit).map(|i| format!("blend_shapes/s{i}")).collect();
    let shapes: Vec<(&str, Variant)> = names
        .iter()
        .map(|n| (n.as_str(), Variant::Float(0.0)))
        .collect();
    let scene = Scene::with_node(NODE, "MeshInstance3D", &shapes);
    let mut config = HostConfig::new(NODE, Manifest::parse(MANIFEST.as_bytes()).unwrap());
    config.self_class = "MeshInstance3D".into();
    let mut h = ScriptHost::new(config, Box::new(SceneBridge(scene)));
    let me = h.self_object();
    let mut seed = Vec::new();
    let float = type_id::FLOAT as i32;
    for i in 0..limit {
        let r = bind(
            &mut h,
            me,
            &format!("blend_shapes/s{i}"),
            float,
            8 * i as u32,
            &mut seed,
        );
        assert_eq!(r, 8, "{}", h.last_error());
    }
    let r = bind(
        &mut h,
        me,
        &format!("blend_shapes/s{limit}"),
        float,
        0,
        &mut seed,
    );
    assert_eq!(r, AbiError::HandleLimit.code());
    // Rebinding one already bound moves it: not a new binding.
    assert_eq!(
        bind(&mut h, me, "blend_shapes/s0", float, 1000, &mut seed),
        8
    );
    assert_eq!(h.bindings().borrow().len(), limit);
}

/// A guest binding its node's position in `_ready` and moving it in `_process` with plain
/// memory writes: no host call per frame.
const MOVER: &str = r#"
(module
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "object_bind_value" (func $bind (param i32 i32 i32 i32 i32) (result i32)))
  (import "ugc" "node_slot" (func $slot (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "position")
  (func $addr (result i32) (i32.add (i32.const 64) (i32.mul (call $slot) (i32.const 12))))
  (func (export "_ready")
    (if (i32.ne (call $bind (call $self) (i32.const 0) (i32.const 8) (i32.const 9) (call $addr))
                (i32.const 12))
      (then unreachable)))
  (func (export "_process") (param $delta f64)
    (f32.store (call $addr)
      (f32.add (f32.load (call $addr)) (f32.demote_f64 (local.get $delta))))))
"#;

fn mover() -> Vec<u8> {
    wat::parse_str(MOVER).unwrap()
}

#[test]
fn a_guest_moves_its_node_with_memory_writes_only() {
    let scene = Scene::with_node(NODE, "Node3D", &[("position", v3(1.0, 0.0, 0.0))]);
    let mut config = HostConfig::new(NODE, Manifest::default());
    config.self_class = "Node3D".into();
    let host = ScriptHost::new(config, Box::new(SceneBridge(scene.clone())));
    let mut guest = Guest::with_host(&mover(), host);
    guest.ready();
    for _ in 0..3 {
        guest.process(0.5);
        assert_eq!(guest.harvest(), Some(1));
        let batch = guest.host().take_batch();
        scene.borrow_mut().apply(&batch);
    }
    assert_eq!(
        scene.borrow().property(NODE, "position"),
        Some(v3(2.5, 0.0, 0.0))
    );
    assert_eq!(guest.host().stats().abi_errors, 0);
    // A frame without a change writes nothing.
    assert_eq!(guest.harvest(), Some(0));
}

#[test]
fn a_shared_instance_harvests_every_node_into_one_column_and_drops_a_gone_nodes_bindings() {
    let nodes: Vec<(u64, &str)> = (0..3).map(|i| (100 + i, "Node3D")).collect();
    let scene = Scene::with_node(100, "Node3D", &[("position", v3(0.0, 0.0, 0.0))]);
    for (id, _) in &nodes[1..] {
        scene.borrow_mut().objects.insert(
            *id,
            host_common::FakeObject {
                class: "Node3D".into(),
                properties: [("position".to_owned(), v3(0.0, 0.0, 0.0))].into(),
            },
        );
    }
    let mut guest = SharedGuest::new(&mover(), &nodes, || Box::new(SceneBridge(scene.clone())));
    for node in 0..3 {
        guest.call(node, "_ready", &[]).unwrap();
        guest
            .call(
                node,
                "_process",
                &[wasmi::Val::F64((0.25 * (node + 1) as f64).into())],
            )
            .unwrap();
    }
    assert_eq!(guest.harvest(), Some(3));
    let bytes = guest.host(0).take_batch_bytes().unwrap();
    // One tag-3 entry: [3, "position", PackedInt64Array ids, PackedVector3Array values].
    let Ok(Variant::Array(batch)) = ugc_wasm::variant::decode_exact(&bytes) else {
        panic!("a batch is an Array")
    };
    assert_eq!(batch.elements.len(), 1, "one columnar entry");
    let Variant::Array(entry) = &batch.elements[0] else {
        panic!("an entry is an Array")
    };
    assert_eq!(entry.elements[0], Variant::Int(3));
    assert_eq!(
        entry.elements[2],
        Variant::PackedInt64Array(vec![100, 101, 102])
    );

    // Node 1 goes: its binding goes with it, the others stay in the layout.
    let gone = guest.store.data_mut().hosts.remove(1);
    drop(gone);
    let layout = guest.host(0).bindings().borrow().layout();
    assert_eq!(layout, vec![64, 12, 88, 12]);
}

/// The SDK example: `PerNode::bind` of position and rotation, then memory writes only.
#[test]
fn the_drifter_example_moves_every_node_without_a_host_call_per_frame() {
    let wasm = host_common::example("drifter");
    let nodes: Vec<(u64, &str)> = (0..4).map(|i| (200 + i, "Node3D")).collect();
    let scene = Scene::with_node(200, "Node3D", &[]);
    for (i, (id, _)) in nodes.iter().enumerate() {
        let start = [
            ("position".to_owned(), v3(i as f32 * 10.0, 1.0, 0.0)),
            ("rotation".to_owned(), v3(0.0, 0.0, 0.0)),
        ];
        scene.borrow_mut().objects.insert(
            *id,
            host_common::FakeObject {
                class: "Node3D".into(),
                properties: start.into(),
            },
        );
    }
    let mut guest = SharedGuest::new(&wasm, &nodes, || Box::new(SceneBridge(scene.clone())));
    for node in 0..nodes.len() {
        guest.call(node, "_ready", &[]).unwrap();
    }
    let errors: u64 = (0..nodes.len())
        .map(|n| guest.host(n).stats().abi_errors)
        .sum();
    assert_eq!(errors, 0, "{}", guest.host(0).last_error());
    for _ in 0..3 {
        for node in 0..nodes.len() {
            guest
                .call(node, "_process", &[wasmi::Val::F64(0.5.into())])
                .unwrap();
        }
        assert_eq!(
            guest.harvest(),
            Some(2 * nodes.len()),
            "position and rotation of every node"
        );
        let batch = guest.host(0).take_batch();
        scene.borrow_mut().apply(&batch);
    }
    // 1.5 s of a 4 s turn on a 0.5 m circle around each node's start.
    let angle = 1.5 / 4.0 * std::f64::consts::TAU;
    for (i, (id, _)) in nodes.iter().enumerate() {
        let Some(Variant::Vector3(p)) = scene.borrow().property(*id, "position") else {
            panic!("node {id} has a position")
        };
        assert!(
            (p.x - (i as f32 * 10.0 + (angle.cos() * 0.5) as f32)).abs() < 1e-4,
            "{p:?}"
        );
        assert!(
            (p.z - (angle.sin() * 0.5) as f32).abs() < 1e-4 && p.y == 1.0,
            "{p:?}"
        );
    }
}
