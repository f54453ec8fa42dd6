//! Names a hostile guest controls: every name-taking ABI function (`object_get`,
//! `object_get_value`, `object_set`, `object_set_value`, `object_bind_value`, `object_call`,
//! `emit_signal`) refuses a name past `abi::MAX_NAME_LEN` with `bad_value` before anything else,
//! accepts one of exactly the cap, and a prefix rule (`blend_shapes/`) grants only well-formed
//! segments (`not_allowed` otherwise). Run through real guest code under wasmi.
#![cfg(not(target_arch = "wasm32"))]

mod host_common;

use host_common::{Guest, Scene, SceneBridge};
use ugc_wasm::abi::{AbiError, MAX_NAME_LEN};
use ugc_wasm::host::names::MAX_SEGMENT_LEN;
use ugc_wasm::host::{BatchEntry, HostConfig, Manifest, ScriptHost};
use ugc_wasm::variant::Variant;

const NODE: u64 = 77;
/// Where the test puts names in guest memory (two pages: room for a 64 KiB name).
const NAME_AT: usize = 4096;

/// Each export is one call of one name-taking function on object `obj` with the name at
/// `(ptr, len)`: values are floats (type 3), from offset 0; outputs and bound bytes go to 64.
const NAMER: &str = r#"
(module
  (import "ugc" "object_get" (func $get (param i32 i32 i32) (result i32)))
  (import "ugc" "object_get_value" (func $get_value (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "ugc" "object_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "object_set_value" (func $set_value (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "ugc" "object_bind_value" (func $bind (param i32 i32 i32 i32 i32) (result i32)))
  (import "ugc" "object_call" (func $call (param i32 i32 i32 i32) (result i32)))
  (import "ugc" "emit_signal" (func $emit (param i32 i32 i32) (result i32)))
  (import "ugc" "new_float" (func $new_float (param f64) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 0) "\00\00\00\00\00\00\f8\3f")
  (func (export "get") (param i32 i32 i32) (result i32)
    (call $get (local.get 0) (local.get 1) (local.get 2)))
  (func (export "get_value") (param i32 i32 i32) (result i32)
    (call $get_value (local.get 0) (local.get 1) (local.get 2) (i32.const 3) (i32.const 64) (i32.const 8)))
  (func (export "set") (param i32 i32 i32) (result i32)
    (call $set (local.get 0) (local.get 1) (local.get 2) (call $new_float (f64.const 2.5))))
  (func (export "set_value") (param i32 i32 i32) (result i32)
    (call $set_value (local.get 0) (local.get 1) (local.get 2) (i32.const 3) (i32.const 0) (i32.const 8)))
  (func (export "bind") (param i32 i32 i32) (result i32)
    (call $bind (local.get 0) (local.get 1) (local.get 2) (i32.const 3) (i32.const 64)))
  (func (export "call") (param i32 i32 i32) (result i32)
    (call $call (local.get 0) (local.get 1) (local.get 2) (i32.const 0)))
  (func (export "emit") (param i32 i32 i32) (result i32)
    (call $emit (local.get 1) (local.get 2) (i32.const 0))))
"#;

/// Every name-taking export, with the ABI function it calls.
const FUNCTIONS: &[(&str, &str)] = &[
    ("get", "object_get"),
    ("get_value", "object_get_value"),
    ("set", "object_set"),
    ("set_value", "object_set_value"),
    ("bind", "object_bind_value"),
    ("call", "object_call"),
    ("emit", "emit_signal"),
];

/// A name of exactly `len` bytes: `p` then `a`s (a property, method or signal of that length).
fn name_of(len: usize) -> String {
    format!("p{}", "a".repeat(len - 1))
}

/// A MeshInstance3D node declaring a float property and a signal whose names are exactly at the
/// cap, so both sides of the cap reach the same later checks.
fn guest() -> (Guest, i32) {
    let longest = name_of(MAX_NAME_LEN);
    let manifest = format!(
        r#"{{ "extends": "MeshInstance3D",
             "properties": [ {{ "name": "{longest}", "type": "float" }} ],
             "signals": [ {{ "name": "{longest}" }} ] }}"#
    );
    let scene = Scene::with_node(NODE, "MeshInstance3D", &[]);
    let mut config = HostConfig::new(NODE, Manifest::parse(manifest.as_bytes()).unwrap());
    config.handle_key = Some(3);
    let host = ScriptHost::new(config, Box::new(SceneBridge(scene)));
    let mut g = Guest::with_host(&wat::parse_str(NAMER).unwrap(), host);
    let me = g.host().self_object();
    (g, me)
}

/// Writes `name` into guest memory and calls `export` on `obj` with it.
fn call(g: &mut Guest, export: &str, obj: i32, name: &[u8]) -> i32 {
    let memory = g.memory();
    memory.write(&mut g.store, NAME_AT, name).unwrap();
    let f = g
        .instance
        .get_typed_func::<(i32, i32, i32), i32>(&g.store, export)
        .unwrap();
    f.call(&mut g.store, (obj, NAME_AT as i32, name.len() as i32))
        .unwrap()
}

/// Asserts the last call was refused with `code` by `function`, and counted.
fn assert_refused(g: &mut Guest, got: i32, code: AbiError, function: &str, errors_before: u64) {
    let host = g.host();
    assert_eq!(got, code.code(), "{function}: {}", host.last_error());
    assert_eq!(host.stats().abi_errors, errors_before + 1, "{function}");
    let record = host.errors().last().unwrap();
    assert_eq!((record.function, record.code), (function, code));
}

#[test]
fn a_name_of_exactly_the_cap_reaches_the_usual_checks() {
    let (mut g, me) = guest();
    let longest = name_of(MAX_NAME_LEN);
    // The declared property and signal: stored, read back, emitted.
    assert_eq!(call(&mut g, "set_value", me, longest.as_bytes()), 0);
    assert_eq!(call(&mut g, "set", me, longest.as_bytes()), 0);
    assert!(call(&mut g, "get", me, longest.as_bytes()) > 0);
    assert_eq!(call(&mut g, "get_value", me, longest.as_bytes()), 8);
    assert_eq!(call(&mut g, "emit", me, longest.as_bytes()), 0);
    assert_eq!(g.host().stats().abi_errors, 0, "{}", g.host().last_error());
    assert_eq!(g.host().property(&longest), Some(Ok(Variant::Float(2.5))));
    // Binding a declared property, and calling a method no rule lists, are refused by the
    // rules, not by the cap.
    for export in ["bind", "call"] {
        let before = g.host().stats().abi_errors;
        let r = call(&mut g, export, me, longest.as_bytes());
        let function = FUNCTIONS.iter().find(|(e, _)| *e == export).unwrap().1;
        assert_refused(&mut g, r, AbiError::NotAllowed, function, before);
    }
    let batch = g.host().take_batch();
    assert!(
        matches!(&batch[..], [BatchEntry::Emit { signal, .. }] if *signal == longest),
        "{batch:?}"
    );
}

#[test]
fn one_byte_past_the_cap_is_bad_value_at_every_name_taking_function() {
    let (mut g, me) = guest();
    let too_long = name_of(MAX_NAME_LEN + 1);
    for (export, function) in FUNCTIONS {
        let before = g.host().stats().abi_errors;
        let r = call(&mut g, export, me, too_long.as_bytes());
        assert_refused(&mut g, r, AbiError::BadValue, function, before);
        let message = g.host().last_error().to_owned();
        assert_eq!(
            message,
            format!(
                "{function}: bad_value: a name is at most {MAX_NAME_LEN} bytes, got {}",
                MAX_NAME_LEN + 1
            )
        );
    }
    assert!(g.host().take_batch().is_empty(), "nothing was queued");
    assert_eq!(
        g.host().property(&name_of(MAX_NAME_LEN)),
        Some(Ok(Variant::Float(0.0)))
    );
}

#[test]
fn the_cap_is_checked_before_the_handle_the_utf8_and_the_rules() {
    let (mut g, me) = guest();
    // Not UTF-8, on a forged handle, 64 KiB long: the length alone refuses it, and neither the
    // error log nor `last_error` holds the name.
    let hostile = vec![0xffu8; 64 * 1024];
    for (export, function) in FUNCTIONS {
        for obj in [me, 0x7654_3210] {
            let before = g.host().stats().abi_errors;
            let r = call(&mut g, export, obj, &hostile);
            assert_refused(&mut g, r, AbiError::BadValue, function, before);
            assert!(
                g.host().last_error().len() < 100,
                "{}",
                g.host().last_error()
            );
        }
    }
    // Under the cap, the same bytes meet the usual checks in their usual order.
    let short = vec![0xffu8; MAX_NAME_LEN];
    let before = g.host().stats().abi_errors;
    let r = call(&mut g, "get", 0x7654_3210, &short);
    assert_refused(&mut g, r, AbiError::BadHandle, "object_get", before);
    let r = call(&mut g, "get", me, &short);
    assert_refused(&mut g, r, AbiError::BadUtf8, "object_get", before + 1);
}

#[test]
fn a_prefix_rule_grants_only_well_formed_segments() {
    let (mut g, me) = guest();
    let longest = format!("blend_shapes/{}", "s".repeat(MAX_SEGMENT_LEN));
    for ok in [
        "blend_shapes/smile",
        "blend_shapes/Key 1.001",
        longest.as_str(),
    ] {
        assert_eq!(call(&mut g, "set_value", me, ok.as_bytes()), 0, "{ok}");
        assert_eq!(call(&mut g, "set", me, ok.as_bytes()), 0, "{ok}");
        assert!(call(&mut g, "get", me, ok.as_bytes()) > 0, "{ok}");
        assert_eq!(call(&mut g, "get_value", me, ok.as_bytes()), 8, "{ok}");
        assert_eq!(call(&mut g, "bind", me, ok.as_bytes()), 8, "{ok}");
        assert_eq!(g.host().stats().abi_errors, 0, "{}", g.host().last_error());
    }
    let too_long = format!("{longest}s");
    let malformed: &[&[u8]] = &[
        b"blend_shapes/",
        b"blend_shapes/a/b",
        b"blend_shapes/a:b",
        b"blend_shapes/a\0b",
        b"blend_shapes/a\nb",
        b"blend_shapes/\x7f",
        too_long.as_bytes(),
    ];
    for name in malformed {
        for (export, function) in &FUNCTIONS[..5] {
            let before = g.host().stats().abi_errors;
            let r = call(&mut g, export, me, name);
            assert_refused(&mut g, r, AbiError::NotAllowed, function, before);
            assert!(
                g.host().last_error().contains("name segment"),
                "{}",
                g.host().last_error()
            );
        }
    }
    // Only the well-formed writes reached the batch.
    let batch = g.host().take_batch();
    assert!(batch.iter().all(|e| match e {
        BatchEntry::Set { property, .. } => !malformed.contains(&property.as_bytes()),
        _ => false,
    }));
}

#[test]
fn a_manifest_name_past_the_cap_is_refused_at_load() {
    let json = |len: usize| {
        format!(
            r#"{{ "properties": [ {{ "name": "{}", "type": "int" }} ] }}"#,
            name_of(len)
        )
    };
    Manifest::parse(json(MAX_NAME_LEN).as_bytes()).unwrap();
    let e = Manifest::parse(json(MAX_NAME_LEN + 1).as_bytes()).unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        ("bad_name", "properties[0].name")
    );
}

#[test]
fn the_glues_early_refusal_is_the_hosts_own_error() {
    let (mut g, me) = guest();
    let too_long = vec![b'a'; MAX_NAME_LEN + 1];
    let mut out = Vec::new();
    for (_, function) in FUNCTIONS {
        let h = g.host();
        let direct = match *function {
            "object_get" => h.object_get(me, &too_long),
            "object_get_value" => h.object_get_value(me, &too_long, 3, &mut out),
            "object_set" => h.object_set(me, &too_long, 0),
            "object_set_value" => h.object_set_value(me, &too_long, 3, &[0; 8]),
            "object_bind_value" => h.object_bind_value(me, &too_long, 3, 64, 1 << 17, &mut out),
            "object_call" => h.object_call(me, &too_long, 0),
            _ => h.emit_signal(&too_long, 0),
        };
        let direct_record = h.errors().last().cloned().unwrap();
        let direct_message = h.last_error().to_owned();
        let early = h.name_too_long(function, too_long.len() as u32);
        assert_eq!(
            (direct, early),
            (AbiError::BadValue.code(), AbiError::BadValue.code())
        );
        assert_eq!(h.errors().last(), Some(&direct_record), "{function}");
        assert_eq!(h.last_error(), direct_message);
        assert!(out.is_empty(), "{function} wrote no output");
    }
}
