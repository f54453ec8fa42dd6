//! Shared instancing under wasmi: one instance serving several nodes, each with its own
//! `ScriptHost` (slot, handle table, `self`) and one batch sink for all (docs/ABI.md "Instancing").

mod host_common;

use host_common::{Guest, Scene, SceneBridge, SharedGuest};
use ugc_wasm::abi::AbiError;
use ugc_wasm::host::{BatchEntry, NoObjects};
use ugc_wasm::variant::{type_id, Variant, Vector3};
use wasmi::Val;

/// Per-node counters at `1024 + 4·slot`; `_process` writes `position = (slot, counter, 0)`.
const SHARED: &str = r#"
(module
  (import "ugc" "node_slot" (func $slot (result i32)))
  (import "ugc" "self" (func $self (result i32)))
  (import "ugc" "new_value" (func $new_value (param i32 i32 i32) (result i32)))
  (import "ugc" "object_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "object_get" (func $get (param i32 i32 i32) (result i32)))
  (import "ugc" "release" (func $release (param i32) (result i32)))
  (import "ugc" "type_of" (func $type_of (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "position")
  (global $kept (mut i32) (i32.const 0))
  (func $cell (result i32) (i32.add (i32.const 1024) (i32.shl (call $slot) (i32.const 2))))
  (func (export "_process") (param f64)
    (local $c i32) (local $self i32) (local $v i32)
    (local.set $c (i32.add (i32.load (call $cell)) (i32.const 1)))
    (i32.store (call $cell) (local.get $c))
    (f32.store (i32.const 16) (f32.convert_i32_s (call $slot)))
    (f32.store (i32.const 20) (f32.convert_i32_s (local.get $c)))
    (f32.store (i32.const 24) (f32.const 0))
    (local.set $self (call $self))
    (local.set $v (call $new_value (i32.const 9) (i32.const 16) (i32.const 12)))
    (drop (call $set (local.get $self) (i32.const 0) (i32.const 8) (local.get $v)))
    (drop (call $release (local.get $v)))
    (drop (call $release (local.get $self))))
  (func (export "slot") (result i32) (call $slot))
  (func (export "counter") (result i32) (i32.load (call $cell)))
  (func (export "keep_self") (global.set $kept (call $self)))
  (func (export "use_kept") (result i32) (call $type_of (global.get $kept)))
  ;; Reads position of the node whose `self` handle was kept: only valid for that node.
  (func (export "read_kept") (result i32) (call $get (global.get $kept) (i32.const 0) (i32.const 8)))
)"#;

fn module() -> Vec<u8> {
    wat::parse_str(SHARED).expect("valid WAT")
}

const NODES: &[(u64, &str)] = &[(101, "Node3D"), (102, "Node3D"), (103, "Node3D")];

fn shared() -> SharedGuest {
    SharedGuest::new(&module(), NODES, || Box::new(NoObjects))
}

fn i32_of(v: Option<Val>) -> i32 {
    match v {
        Some(Val::I32(i)) => i,
        other => panic!("expected an i32, got {other:?}"),
    }
}

#[test]
fn node_slot_is_each_nodes_slot_and_zero_for_a_node_instance() {
    let mut g = shared();
    for node in 0..NODES.len() {
        assert_eq!(i32_of(g.call(node, "slot", &[]).unwrap()), node as i32);
        assert_eq!(g.host(node).node_slot(), node as i32);
    }
    let mut single = Guest::new(&module(), 7, Box::new(NoObjects));
    let slot = single
        .instance
        .get_typed_func::<(), i32>(&single.store, "slot")
        .unwrap()
        .call(&mut single.store, ())
        .unwrap();
    assert_eq!(slot, 0);
}

#[test]
fn per_node_state_lives_in_slot_indexed_memory() {
    let mut g = shared();
    for _ in 0..3 {
        for node in 0..NODES.len() {
            g.call(node, "_process", &[Val::F64(0.1.into())]).unwrap();
        }
    }
    g.call(1, "_process", &[Val::F64(0.1.into())]).unwrap();
    let counters: Vec<i32> = (0..NODES.len())
        .map(|n| i32_of(g.call(n, "counter", &[]).unwrap()))
        .collect();
    assert_eq!(counters, [3, 4, 3]);
}

#[test]
fn one_take_drains_every_nodes_writes_in_call_order() {
    let mut g = shared();
    for node in [2, 0, 1] {
        g.call(node, "_process", &[Val::F64(0.1.into())]).unwrap();
    }
    assert_eq!(g.host(1).stats().batch_len, 3, "the sink is shared");
    let batch = g.host(0).take_batch();
    let writes: Vec<(u64, Vector3)> = batch
        .iter()
        .map(|e| match e {
            BatchEntry::Set {
                object,
                property,
                value: Variant::Vector3(v),
            } if property == "position" => (*object, *v),
            other => panic!("unexpected entry {other:?}"),
        })
        .collect();
    let v = |x: f32| Vector3 { x, y: 1.0, z: 0.0 };
    assert_eq!(writes, [(103, v(2.0)), (101, v(0.0)), (102, v(1.0))]);
    for node in 0..NODES.len() {
        assert!(g.host(node).take_batch().is_empty());
        assert_eq!(g.host(node).stats().live_handles, 0);
    }
}

#[test]
fn a_handle_is_refused_while_running_for_another_node() {
    let mut g = shared();
    g.call(0, "keep_self", &[]).unwrap();
    assert_eq!(
        i32_of(g.call(0, "use_kept", &[]).unwrap()),
        type_id::OBJECT as i32
    );
    let other = i32_of(g.call(1, "use_kept", &[]).unwrap());
    assert!(
        other == AbiError::BadHandle.code() || other == AbiError::StaleHandle.code(),
        "got {other}"
    );
    assert_eq!(g.host(1).stats().abi_errors, 1);
    assert_eq!(g.host(0).stats().abi_errors, 0);
}

#[test]
fn a_node_reads_writes_another_node_of_the_instance_queued() {
    // Node 0 keeps its own `self`, writes its position, then reads it back before Godot applied
    // the batch: the shared sink's pending value answers, not the scene.
    let scene = Scene::with_node(
        101,
        "Node3D",
        &[("position", Variant::Vector3(Vector3::default()))],
    );
    let mut g = SharedGuest::new(&module(), NODES, || Box::new(SceneBridge(scene.clone())));
    g.call(0, "keep_self", &[]).unwrap();
    g.call(0, "_process", &[Val::F64(0.1.into())]).unwrap();
    let h = i32_of(g.call(0, "read_kept", &[]).unwrap());
    assert!(h > 0);
    let value = g.host(0).take_returned(h).unwrap();
    assert_eq!(
        value,
        Variant::Vector3(Vector3 {
            x: 0.0,
            y: 1.0,
            z: 0.0
        })
    );
}

#[test]
fn avatar_bob_animates_every_node_of_one_shared_instance_from_its_own_base() {
    use host_common::{example, FakeObject};
    let wasm = example("avatar_bob");
    let m = ugc_wasm::host::Manifest::from_module(&wasm).unwrap();
    assert_eq!(m.instancing, ugc_wasm::host::Instancing::Shared);
    let nodes: &[(u64, &str)] = &[(11, "Node3D"), (12, "Node3D"), (13, "Node3D")];
    let scene = Scene::with_node(11, "Node3D", &[]);
    for (i, (id, class)) in nodes.iter().enumerate() {
        let base = Vector3 {
            x: i as f32,
            y: 10.0 * i as f32,
            z: -(i as f32),
        };
        scene.borrow_mut().objects.insert(
            *id,
            FakeObject {
                class: class.to_string(),
                properties: [("position".to_string(), Variant::Vector3(base))].into(),
            },
        );
    }
    let mut g = SharedGuest::new(&wasm, nodes, || Box::new(SceneBridge(scene.clone())));
    for node in 0..nodes.len() {
        g.call(node, "_ready", &[]).unwrap();
    }
    // Node 1 runs twice as many frames: its time runs ahead of the others', alone.
    let dt = 1.0 / 30.0;
    for frame in 0..6 {
        for node in 0..nodes.len() {
            if node == 1 || frame % 2 == 0 {
                g.call(node, "_process", &[Val::F64(dt.into())]).unwrap();
            }
        }
        let batch = g.host(0).take_batch();
        scene.borrow_mut().apply(&batch);
    }
    for (i, (id, _)) in nodes.iter().enumerate() {
        let frames = if i == 1 { 6.0 } else { 3.0 };
        let Some(Variant::Vector3(p)) = scene.borrow().property(*id, "position") else {
            panic!("node {id} has a position")
        };
        // y = base + amplitude · sin(2π · frequency · t) with the defaults 0.1 m and 1.5 Hz.
        let expected = 10.0 * i as f64 + 0.1 * (std::f64::consts::TAU * 1.5 * frames * dt).sin();
        assert!(
            (p.y as f64 - expected).abs() < 1e-4,
            "node {id}: {} vs {expected}",
            p.y
        );
        assert_eq!(
            (p.x, p.z),
            (i as f32, -(i as f32)),
            "node {id} keeps its own base"
        );
        assert_eq!(g.host(i).stats().live_handles, 0);
    }
}
