//! Module-level effects of prepare: caps, reserved exports, errors, and robustness on arbitrary
//! and mutated input (never a panic; valid input always gives valid output).

mod prepare_util;

use prepare_util::*;
use proptest::prelude::*;
use ugc_wasm::prepare::{prepare, Strategy, FUEL_EXPORT, MEMORY_EXPORT};
use wasmi::Val;

#[test]
fn memory_grow_past_the_cap_returns_minus_one() {
    // Declared max 100 pages, cap 16 (see `options`).
    let source = wat(r#"
      (module (memory 1 100)
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#);
    for metering in [false, true] {
        let mut guest = Guest::new(&prepared(&source, metering, Strategy::Local)).unwrap();
        if metering {
            guest.set_fuel(1 << 40);
        }
        assert_eq!(guest.call("grow", &[Val::I32(15)]).unwrap(), "[I32(1)]");
        assert_eq!(guest.call("grow", &[Val::I32(1)]).unwrap(), "[I32(-1)]");
        assert_eq!(guest.call("grow", &[Val::I32(0)]).unwrap(), "[I32(16)]");
    }
}

#[test]
fn memory_without_maximum_gets_the_cap() {
    let source = wat(r#"(module (memory 2)
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#);
    let mut guest = Guest::new(&prepared(&source, false, Strategy::Local)).unwrap();
    assert_eq!(guest.call("grow", &[Val::I32(15)]).unwrap(), "[I32(-1)]");
    assert_eq!(guest.call("grow", &[Val::I32(14)]).unwrap(), "[I32(2)]");
}

#[test]
fn table_grow_past_the_cap_returns_minus_one() {
    let source = wat(r#"
      (module (table 10 funcref)
        (func (export "grow") (param i32) (result i32)
          (table.grow (ref.null func) (local.get 0))))"#);
    let mut guest = Guest::new(&prepared(&source, true, Strategy::Local)).unwrap();
    guest.set_fuel(1 << 40);
    assert_eq!(guest.call("grow", &[Val::I32(55)]).unwrap(), "[I32(-1)]");
    assert_eq!(guest.call("grow", &[Val::I32(54)]).unwrap(), "[I32(10)]");
}

#[test]
fn initial_sizes_above_the_caps_are_refused() {
    let memory = prepare(&wat("(module (memory 17))"), &options(true)).unwrap_err();
    assert_eq!(memory.code, "memory_exceeds_cap");
    let table = prepare(&wat("(module (table 65 funcref))"), &options(true)).unwrap_err();
    assert_eq!(table.code, "table_exceeds_cap");
}

#[test]
fn reserved_exports_are_added() {
    let source = wat(r#"(module (memory (export "mem") 1)
        (func (export "poke") (i32.store8 (i32.const 5) (i32.const 42))))"#);
    let out = prepare(&source, &options(true)).unwrap();
    assert!(out.fuel_exported && out.memory_exported);
    let mut guest = Guest::new(&out.bytes).unwrap();
    guest.set_fuel(1000);
    guest.call("poke", &[]).unwrap();
    let memory = guest
        .instance
        .get_memory(&guest.store, MEMORY_EXPORT)
        .unwrap();
    assert_eq!(
        memory.data(&guest.store)[5],
        42,
        "__ugc_memory is the guest's memory"
    );
}

#[test]
fn imported_memory_is_capped_and_exported() {
    let source = wat(r#"(module (import "env" "memory" (memory 1)))"#);
    let out = prepare(&source, &options(false)).unwrap();
    let mut saw_cap = false;
    let mut saw_export = false;
    for payload in wasmparser::Parser::new(0).parse_all(&out.bytes) {
        match payload.unwrap() {
            wasmparser::Payload::ImportSection(section) => {
                for imports in section {
                    if let wasmparser::Imports::Single(_, import) = imports.unwrap() {
                        if let wasmparser::TypeRef::Memory(m) = import.ty {
                            saw_cap = m.maximum == Some(16);
                        }
                    }
                }
            }
            wasmparser::Payload::ExportSection(section) => {
                saw_export = section
                    .into_iter()
                    .any(|e| e.unwrap().name == MEMORY_EXPORT);
            }
            _ => {}
        }
    }
    assert!(saw_cap && saw_export);
}

#[test]
fn module_without_memory_gets_only_the_fuel_export() {
    let source = wat(r#"(module (func (export "f") (result i32) (i32.const 3)))"#);
    let out = prepare(&source, &options(true)).unwrap();
    assert!(out.fuel_exported && !out.memory_exported);
    let mut guest = Guest::new(&out.bytes).unwrap();
    assert!(guest
        .instance
        .get_memory(&guest.store, MEMORY_EXPORT)
        .is_none());
    let (result, used) = guest.metered_call(100, "f", &[]);
    assert_eq!(result.unwrap(), "[I32(3)]");
    assert_eq!(used, 1);
}

#[test]
fn unmetered_output_has_no_fuel_export() {
    let out = prepare(&wat("(module)"), &options(false)).unwrap();
    assert!(!out.fuel_exported);
    let guest = Guest::new(&out.bytes).unwrap();
    assert!(guest
        .instance
        .get_global(&guest.store, FUEL_EXPORT)
        .is_none());
}

#[test]
fn guest_cannot_use_reserved_names_or_the_fuel_global() {
    let export = wat(r#"(module (global (export "__ugc_fuel") (mut i64) (i64.const 0)))"#);
    assert_eq!(
        prepare(&export, &options(true)).unwrap_err().code,
        "reserved_name"
    );
    // An invalid module naming the global metering appends must not become a valid one.
    let sneaky = wat(r#"(module (global (mut i64) (i64.const 0))
        (func (global.set 0 (i64.const 1))))"#);
    let mut bytes = sneaky.clone();
    // Patch `global.set 0` into `global.set 1` (the fuel global's index after prepare).
    let at = bytes.windows(2).rposition(|w| w == [0x24, 0x00]).unwrap();
    bytes[at + 1] = 1;
    let err = prepare(&bytes, &options(true)).unwrap_err();
    assert_eq!(err.code, "invalid_index");
    assert!(err.offset.is_some());
}

#[test]
fn garbage_is_an_error_with_a_code() {
    for bytes in [
        &b""[..],
        b"\0asm",
        b"\0asm\x01\0\0\0\x01\xff",
        b"not wasm at all",
    ] {
        let err = prepare(bytes, &options(true)).unwrap_err();
        assert!(!err.code.is_empty() && !err.to_string().is_empty());
    }
}

fn check_no_panic_and_valid_output(bytes: &[u8]) {
    let input_valid = wasmparser::Validator::new().validate_all(bytes).is_ok();
    for strategy in [Strategy::Local, Strategy::Naive] {
        for metering in [false, true] {
            let result =
                ugc_wasm::prepare::prepare_with_strategy(bytes, &options(metering), strategy);
            if let (true, Ok(out)) = (input_valid, result) {
                wasmparser::Validator::new()
                    .validate_all(&out.bytes)
                    .expect("valid input gives valid output");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        check_no_panic_and_valid_output(&bytes);
        // Mostly-valid header so the section parsers get exercised too.
        let mut with_header = b"\0asm\x01\0\0\0".to_vec();
        with_header.append(&mut bytes);
        check_no_panic_and_valid_output(&with_header);
    }

    #[test]
    fn mutated_modules_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        truncate in any::<prop::sample::Index>(),
    ) {
        let mut bytes = wat(KERNELS);
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        check_no_panic_and_valid_output(&bytes);
        bytes.truncate(truncate.index(bytes.len() + 1));
        check_no_panic_and_valid_output(&bytes);
    }
}

#[test]
fn kernels_prepare_to_valid_modules_with_every_strategy() {
    let source = wat(KERNELS);
    for strategy in ALL_STRATEGIES {
        prepared(&source, true, strategy);
    }
}
