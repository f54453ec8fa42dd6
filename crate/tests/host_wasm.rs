//! The host behind real wasm calls (wasmi): pointer checks, output buffers that are too small,
//! the `log` trap, and the examples after `prepare` (fuel metering) with the fuel running out.
// Native only: uses crates (wasmi, proptest, wasm-smith) or files that the wasm32 build of the tests lacks.
#![cfg(not(target_arch = "wasm32"))]

mod host_common;

use host_common::{example, Guest, Scene, SceneBridge, EXAMPLES};
use ugc_wasm::abi::AbiError;
use ugc_wasm::host::{HostConfig, Manifest, NoObjects, ScriptHost};
use ugc_wasm::prepare::{prepare, PrepareOptions};
use ugc_wasm::variant::Variant;

fn wat_guest(body: &str) -> Guest {
    let wat = format!(
        r#"(module
          (import "ugc" "log" (func $log (param i32 i32)))
          (import "ugc" "last_error" (func $last_error (param i32 i32) (result i32)))
          (import "ugc" "new_string" (func $new_string (param i32 i32) (result i32)))
          (import "ugc" "value_read" (func $value_read (param i32 i32 i32) (result i32)))
          (import "ugc" "var_to_bytes" (func $var_to_bytes (param i32 i32 i32) (result i32)))
          (import "ugc" "release" (func $release (param i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "hello")
          (global $h (export "h") (mut i32) (i32.const 0))
          {body})"#
    );
    let wasm = wat::parse_str(&wat).unwrap();
    let mut config = HostConfig::new(1, Manifest::default());
    config.handle_key = Some(9);
    Guest::with_host(&wasm, ScriptHost::new(config, Box::new(NoObjects)))
}

fn byte(g: &Guest, at: usize) -> u8 {
    g.memory().data(&g.store)[at]
}

#[test]
fn pointers_outside_memory_are_bad_pointer_and_log_traps() {
    let mut g = wat_guest(
        r#"(func (export "strings") (result i32)
             (drop (call $new_string (i32.const 65530) (i32.const 100)))
             (call $new_string (i32.const -1) (i32.const 2)))
           (func (export "bad_log") (call $log (i32.const 65535) (i32.const 2)))
           (func (export "good_log") (call $log (i32.const 0) (i32.const 5)))"#,
    );
    let f = g
        .instance
        .get_typed_func::<(), i32>(&g.store, "strings")
        .unwrap();
    assert_eq!(
        f.call(&mut g.store, ()).unwrap(),
        AbiError::BadPointer.code()
    );
    assert_eq!(g.host().stats().abi_errors, 2);
    assert!(g.host().last_error().contains("bad_pointer"));
    g.try_call("good_log").unwrap();
    assert_eq!(g.host().take_logs(), vec!["hello".to_string()]);
    let trap = g.try_call("bad_log").unwrap_err();
    assert!(trap.to_string().contains("bad_pointer"), "{trap}");
}

#[test]
fn output_buffers_too_small_get_nothing_but_the_full_length() {
    let mut g = wat_guest(
        r#"(func (export "run") (result i32)
             (global.set $h (call $new_string (i32.const 0) (i32.const 5)))
             ;; cap 3 < 5: nothing written at 100, the full length returned
             (call $value_read (global.get $h) (i32.const 100) (i32.const 3)))
           (func (export "read_all") (result i32)
             (call $value_read (global.get $h) (i32.const 200) (i32.const 5)))
           (func (export "bytes_small") (result i32)
             (call $var_to_bytes (global.get $h) (i32.const 300) (i32.const 4)))
           (func (export "cap_outside") (result i32)
             (call $value_read (global.get $h) (i32.const 65534) (i32.const 5)))
           (func (export "err") (result i32)
             (drop (call $release (i32.const 424242)))
             ;; a 4-byte buffer gets the first 4 bytes of the message; the full length returns
             (call $last_error (i32.const 400) (i32.const 4)))"#,
    );
    let call = |g: &mut Guest, name: &str| {
        g.instance
            .get_typed_func::<(), i32>(&g.store, name)
            .unwrap()
            .call(&mut g.store, ())
            .unwrap()
    };
    assert_eq!(call(&mut g, "run"), 5);
    assert_eq!(byte(&g, 100), 0, "nothing written");
    assert_eq!(call(&mut g, "read_all"), 5);
    assert_eq!(&g.memory().data(&g.store)[200..205], b"hello");
    let full = call(&mut g, "bytes_small");
    assert_eq!(full, 4 + 4 + 8, "header, length, padded text");
    assert_eq!(byte(&g, 300), 0);
    assert_eq!(call(&mut g, "cap_outside"), AbiError::BadPointer.code());
    let n = call(&mut g, "err");
    let msg = g.host().last_error().to_owned();
    assert_eq!(n as usize, msg.len());
    assert_eq!(&g.memory().data(&g.store)[400..404], &msg.as_bytes()[..4]);
}

#[test]
fn examples_run_after_prepare_and_stop_when_fuel_runs_out() {
    let opts = PrepareOptions {
        max_memory_pages: 1024,
        max_table_elements: 10_000,
        metering: true,
    };
    for name in EXAMPLES {
        let prepared = prepare(&example(name), &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(prepared.fuel_exported, "{name}");
    }
    let prepared = prepare(&example("avatar_bob"), &opts).unwrap();
    let node = 5;
    let scene = Scene::with_node(
        node,
        "Node3D",
        &[("position", Variant::Vector3(Default::default()))],
    );
    let manifest = Manifest::from_module(&prepared.bytes).unwrap();
    let mut config = HostConfig::new(node, manifest);
    config.handle_key = Some(11);
    let host = ScriptHost::new(config, Box::new(SceneBridge(scene.clone())));
    let mut g = Guest::with_host(&prepared.bytes, host);
    g.set_fuel(1_000_000);
    g.ready();
    for _ in 0..5 {
        g.set_fuel(1_000_000);
        g.try_process(0.016).unwrap();
        let used = 1_000_000 - g.fuel();
        assert!(used > 0 && used < 1_000_000, "fuel used {used}");
        let batch = g.host().take_batch();
        assert_eq!(batch.len(), 2);
    }
    // Too little fuel: the call traps and the counter says why.
    g.set_fuel(10);
    assert!(g.try_process(0.016).is_err());
    assert!(
        g.fuel() < 0,
        "fuel_exhausted is told apart by a negative counter"
    );
}
