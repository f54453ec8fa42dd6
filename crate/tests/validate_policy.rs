//! The policy layer: every refusal, with its code and offset, and what the defaults accept.

use ugc_wasm::policy::{Feature, Policy};
use ugc_wasm::{validate, ValidationError, ViolationCode as C};

/// Module text with the ABI section every `ugc` importer needs.
const ABI: &str = r#"(@custom "ugc_abi" "\01\00\00\00")"#;

fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).unwrap_or_else(|e| panic!("bad test WAT: {e}\n{wat}"))
}

fn refused(wat: &str, policy: &Policy) -> ValidationError {
    match validate(&wasm(wat), policy) {
        Ok(r) => panic!("accepted, expected a refusal: {r:#?}"),
        Err(e) => e,
    }
}

fn codes(wat: &str) -> Vec<C> {
    refused(wat, &Policy::default()).codes()
}

fn accepted(wat: &str) -> ugc_wasm::ModuleReport {
    validate(&wasm(wat), &Policy::default()).unwrap_or_else(|e| panic!("refused: {e}"))
}

#[test]
fn empty_module_is_accepted() {
    let r = accepted("(module)");
    assert_eq!(r.size, 8);
    assert!(r.imports.is_empty() && r.features_used.is_empty());
}

#[test]
fn structural_errors() {
    let p = Policy::default();
    let e = validate(&[], &p).unwrap_err();
    assert_eq!(e.codes(), [C::Malformed]);
    let e = validate(b"\0asx\x01\0\0\0", &p).unwrap_err();
    assert_eq!(e.codes(), [C::Malformed]);
    assert_eq!(e.errors[0].offset, Some(0));
    let full = wasm("(module (func (export \"f\") (result i32) i32.const 1))");
    let e = validate(&full[..full.len() - 3], &p).unwrap_err();
    assert_eq!(e.codes(), [C::Malformed]);
    let e = refused("(module (func (result i32) i64.const 1))", &p);
    assert_eq!(e.codes(), [C::Invalid]);
    assert!(e.errors[0].offset.is_some());
}

#[test]
fn host_import_with_abi_section_is_accepted() {
    let r = accepted(&format!(
        r#"(module (import "ugc" "log" (func (param i32 i32))) {ABI})"#
    ));
    assert_eq!(r.abi_version, Some(1));
    assert_eq!(r.imports.len(), 1);
    assert_eq!(
        r.imports[0].signature.as_ref().unwrap().params,
        ["i32", "i32"]
    );
}

#[test]
fn refused_imports_name_the_import() {
    let cases = [
        (r#"(import "ugc" "nope" (func))"#, C::ImportNotAllowed),
        (
            r#"(import "env" "log" (func (param i32 i32)))"#,
            C::ImportNotAllowed,
        ),
        (
            r#"(import "ugc" "log" (func (param i32)))"#,
            C::ImportSignatureMismatch,
        ),
        (
            r#"(import "ugc" "log" (func (param i32 i32) (result i32)))"#,
            C::ImportSignatureMismatch,
        ),
        (
            r#"(import "env" "memory" (memory 1))"#,
            C::ImportKindNotAllowed,
        ),
        (
            r#"(import "env" "table" (table 1 funcref))"#,
            C::ImportKindNotAllowed,
        ),
        (
            r#"(import "env" "g" (global i32))"#,
            C::ImportKindNotAllowed,
        ),
        (r#"(import "ugc" "__ugc_fuel" (func))"#, C::ReservedName),
    ];
    for (import, code) in cases {
        let e = refused(&format!("(module {import} {ABI})"), &Policy::default());
        assert_eq!(e.codes(), [code], "{import}: {e}");
        assert!(e.errors[0].offset.is_some());
    }
    // Tags need the exceptions proposal: refused as a feature first, by kind when allowed.
    let mut p = Policy::default();
    p.features.insert(Feature::Exceptions);
    let e = refused(r#"(module (import "env" "t" (tag)))"#, &p);
    assert_eq!(e.codes(), [C::ImportKindNotAllowed], "{e}");
    assert!(e.errors[0].message.contains("`env`.`t`"), "{e}");
}

#[test]
fn every_violation_is_reported() {
    let e = refused(
        r#"(module
            (import "ugc" "a" (func))
            (import "ugc" "b" (func))
            (import "env" "m" (memory 1))
            (func (export "__ugc_x"))
            (func (export "_ready") (param i32)))"#,
        &Policy::default(),
    );
    assert_eq!(
        e.codes(),
        [
            C::ImportNotAllowed,
            C::ImportNotAllowed,
            C::ImportKindNotAllowed,
            C::ReservedName,
            C::LifecycleSignatureMismatch,
            C::AbiVersionMissing
        ],
        "{e}"
    );
}

#[test]
fn abi_version_section() {
    let import = r#"(import "ugc" "log" (func (param i32 i32)))"#;
    assert_eq!(codes(&format!("(module {import})")), [C::AbiVersionMissing]);
    assert_eq!(
        codes(&format!(
            r#"(module {import} (@custom "ugc_abi" "\02\00\00\00"))"#
        )),
        [C::AbiVersionUnsupported]
    );
    assert_eq!(
        codes(&format!(
            r#"(module {import} (@custom "ugc_abi" "\01\00"))"#
        )),
        [C::AbiVersionMalformed]
    );
    assert_eq!(
        codes(&format!("(module {import} {ABI} {ABI})")),
        [C::AbiVersionMalformed]
    );
    // Without host imports the section is optional, but still checked when present.
    assert_eq!(accepted("(module)").abi_version, None);
    assert_eq!(
        codes(r#"(module (@custom "ugc_abi" "\07\00\00\00"))"#),
        [C::AbiVersionUnsupported]
    );
    let p = Policy {
        abi_versions: vec![1, 2],
        ..Policy::default()
    };
    let r = validate(
        &wasm(&format!(
            r#"(module {import} (@custom "ugc_abi" "\02\00\00\00"))"#
        )),
        &p,
    )
    .unwrap();
    assert_eq!(r.abi_version, Some(2));
}

#[test]
fn lifecycle_exports() {
    accepted(
        r#"(module
            (func (export "_ready")) (func (export "_enter_tree")) (func (export "_exit_tree"))
            (func (export "_process") (param f64)) (func (export "_physics_process") (param f64))
            (func (export "anything_else") (param i32) (result i64) i64.const 0))"#,
    );
    for bad in [
        r#"(func (export "_process") (param f32))"#,
        r#"(func (export "_process"))"#,
        r#"(func (export "_ready") (result i32) i32.const 0)"#,
        r#"(global (export "_ready") i32 (i32.const 0))"#,
        r#"(memory (export "_exit_tree") 1)"#,
    ] {
        assert_eq!(
            codes(&format!("(module {bad})")),
            [C::LifecycleSignatureMismatch],
            "{bad}"
        );
    }
}

#[test]
fn reserved_export_names() {
    assert_eq!(
        codes(r#"(module (memory (export "__ugc_memory") 1))"#),
        [C::ReservedName]
    );
    assert_eq!(
        codes(r#"(module (global (export "__ugc_fuel") (mut i64) (i64.const 0)))"#),
        [C::ReservedName]
    );
    accepted(r#"(module (memory (export "_ugc_memory") 1))"#);
}

#[test]
fn memory_limits() {
    // At the cap: fine. Above: refused. Maximum absent or larger: accepted and capped.
    let r = accepted("(module (memory 1024 1024))");
    assert!(!r.memories[0].capped);
    assert_eq!(codes("(module (memory 1025))"), [C::MemoryTooLarge]);
    let r = accepted("(module (memory 1))");
    assert!(r.memories[0].capped);
    assert_eq!(r.memories[0].declared.maximum, None);
    assert_eq!(r.memories[0].effective.maximum, Some(1024));
    assert_eq!(r.notes.len(), 1);
    let r = accepted("(module (memory 2 65536))");
    assert!(r.memories[0].capped);
    assert_eq!(r.memories[0].effective.maximum, Some(1024));
    assert_eq!(r.memories[0].declared.maximum, Some(65536));
}

#[test]
fn memory_kinds_are_features() {
    assert_eq!(
        codes("(module (memory 1 1 shared))"),
        [C::FeatureNotAllowed]
    );
    assert_eq!(codes("(module (memory i64 1))"), [C::FeatureNotAllowed]);
    assert_eq!(
        codes("(module (memory 1) (memory 1))"),
        [C::FeatureNotAllowed]
    );
    // With multi-memory allowed, the policy's memory count still applies.
    let mut p = Policy::default();
    p.features.insert(Feature::MultiMemory);
    assert_eq!(
        refused("(module (memory 1) (memory 1) (memory 1))", &p).codes(),
        [C::TooManyMemories]
    );
    p.max_memories = 3;
    validate(&wasm("(module (memory 1) (memory 1) (memory 1))"), &p).unwrap();
}

#[test]
fn table_limits() {
    let r = accepted("(module (table 10000 funcref))");
    assert!(r.tables[0].capped);
    assert_eq!(r.tables[0].effective.maximum, Some(10_000));
    assert_eq!(codes("(module (table 10001 funcref))"), [C::TableTooLarge]);
    let r = accepted("(module (table 1 20000 funcref))");
    assert_eq!(r.tables[0].effective.maximum, Some(10_000));
    let p = Policy {
        max_tables: 1,
        ..Policy::default()
    };
    assert_eq!(
        refused("(module (table 1 funcref) (table 1 externref))", &p).codes(),
        [C::TooManyTables]
    );
}

#[test]
fn count_and_size_limits() {
    let p = Policy {
        max_functions: 1,
        max_globals: 1,
        max_exports: 1,
        max_imports: 0,
        max_data_segments: 1,
        max_element_segments: 1,
        max_locals_per_function: 2,
        max_function_body_size: 8,
        max_custom_sections_size: 10,
        ..Policy::default()
    };
    let e = refused(
        r#"(module
            (import "ugc" "log" (func (param i32 i32)))
            (memory 1) (table 2 funcref)
            (global i32 (i32.const 0)) (global i32 (i32.const 0))
            (func (export "a") (local i32 i32 i32))
            (func (export "b") i32.const 1 i32.const 2 i32.add i32.const 3 i32.add drop)
            (elem (i32.const 0) 0) (elem (i32.const 1) 1)
            (data (i32.const 0) "a") (data (i32.const 1) "b")
            (@custom "ugc_abi" "\01\00\00\00") (@custom "big" "0123456789"))"#,
        &p,
    );
    let mut got = e.codes();
    got.sort_by_key(|c| c.as_str());
    let mut want = vec![
        C::TooManyImports,
        C::TooManyFunctions,
        C::TooManyGlobals,
        C::TooManyExports,
        C::TooManyElementSegments,
        C::TooManyDataSegments,
        C::TooManyLocals,
        C::FunctionBodyTooLarge,
        C::CustomSectionsTooLarge,
    ];
    want.sort_by_key(|c| c.as_str());
    assert_eq!(got, want, "{e}");
    assert!(e.errors.iter().all(|v| v.offset.is_some()));
}

#[test]
fn module_size_limit() {
    let p = Policy {
        max_module_size: 8,
        ..Policy::default()
    };
    validate(&wasm("(module)"), &p).unwrap();
    let e = validate(&wasm("(module (memory 1))"), &p).unwrap_err();
    assert_eq!(e.codes(), [C::ModuleTooLarge]);
    assert_eq!(e.errors[0].offset, None);
}

#[test]
fn default_features_are_accepted() {
    let r = accepted(
        r#"(module
            (memory 1)
            (table $t 2 externref)
            (global $g (mut i32) (i32.const 0))
            (global (export "g") (mut i32) (i32.const 0))
            (func $simd (param v128) (result v128) local.get 0 local.get 0 i32x4.add)
            (func $bulk i32.const 0 i32.const 0 i32.const 1 memory.copy)
            (func $refs (result externref) ref.null extern)
            (func $multi (result i32 i32) i32.const 1 i32.const 2)
            (func $sext (param i32) (result i32) local.get 0 i32.extend8_s)
            (func $sat (param f32) (result i32) local.get 0 i32.trunc_sat_f32_s)
            (func $block (result i32) (block (param) (result i32 i32) i32.const 1 i32.const 2) drop))"#,
    );
    let names: Vec<&str> = r.features_used.iter().map(|f| f.name()).collect();
    assert_eq!(
        names,
        [
            "mutable_global",
            "saturating_float_to_int",
            "sign_extension",
            "reference_types",
            "multi_value",
            "bulk_memory",
            "simd"
        ]
    );
}

#[test]
fn off_by_default_features_are_refused() {
    for wat in [
        "(module (func (return_call 0)))",
        "(module (func (param v128) (result v128) local.get 0 local.get 0 local.get 0 f32x4.relaxed_madd))",
        "(module (tag))",
        "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))",
        "(module (type (struct)))",
        "(module (memory 1 1 shared) (func i32.const 0 i32.const 0 i32.atomic.store))",
    ] {
        let e = refused(wat, &Policy::default());
        assert_eq!(e.codes(), [C::FeatureNotAllowed], "{wat}: {e}");
    }
}

#[test]
fn features_can_be_narrowed() {
    let p = Policy::from_json(r#"{"features": []}"#).unwrap();
    let e = refused("(module (func (param v128)))", &p);
    assert_eq!(e.codes(), [C::FeatureNotAllowed], "{e}");
    let e = refused(
        "(module (func (param i32) (result i32) local.get 0 i32.extend8_s))",
        &p,
    );
    assert_eq!(e.codes(), [C::FeatureNotAllowed], "{e}");
    validate(&wasm("(module (func (param f64)))"), &p).unwrap();
}

#[test]
fn components_are_refused() {
    let e = validate(b"\0asm\x0d\0\x01\0", &Policy::default()).unwrap_err();
    assert_eq!(e.codes(), [C::ComponentNotAllowed]);
}

#[test]
fn wasi_profile() {
    let p = Policy::wasi();
    let wat = r#"(module
        (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_open"
            (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
        (memory (export "memory") 16384)
        (func (export "_start")))"#;
    let r = validate(&wasm(wat), &p).unwrap();
    assert_eq!(r.imports.len(), 3);
    assert_eq!(r.abi_version, None);
    // The script profile refuses the same module (imports and memory size).
    let e = refused(wat, &Policy::script());
    assert!(
        e.has(C::ImportNotAllowed) && e.has(C::MemoryTooLarge),
        "{e}"
    );
    let e = refused(
        r#"(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i64 i32 i32) (result i32))))"#,
        &p,
    );
    assert_eq!(e.codes(), [C::ImportSignatureMismatch]);
    let e = refused(
        r#"(module (import "wasi_snapshot_preview1" "fd_frobnicate" (func)))"#,
        &p,
    );
    assert_eq!(e.codes(), [C::ImportNotAllowed]);
    // 4 GiB, the most a 32-bit memory can have, fits the WASI cap.
    validate(&wasm("(module (memory 65536))"), &p).unwrap();
    assert_eq!(codes("(module (memory 65536))"), [C::MemoryTooLarge]);
}

#[test]
fn error_display_and_json() {
    let e = refused(r#"(module (import "env" "x" (func)))"#, &Policy::default());
    let line = e.to_string();
    assert!(
        line.starts_with("import_not_allowed: import `env`.`x`"),
        "{line}"
    );
    assert!(line.ends_with(")") && line.contains("(offset "), "{line}");
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["errors"][0]["code"], "import_not_allowed");
    assert!(json["errors"][0]["offset"].is_u64());
    let e = validate(
        &wasm("(module (memory 1))"),
        &Policy {
            max_module_size: 1,
            ..Policy::default()
        },
    )
    .unwrap_err();
    assert!(!e.to_string().contains("offset"));
    assert!(serde_json::to_value(&e).unwrap()["errors"][0]["offset"].is_null());
}

#[test]
fn wasi_import_list() {
    let imports = ugc_wasm::abi::wasi_imports();
    assert_eq!(imports.len(), 46);
    let names: std::collections::BTreeSet<&str> = imports.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names.len(), imports.len(), "duplicate WASI names");
    for f in &imports {
        assert_eq!(f.module, "wasi_snapshot_preview1");
        let errno = f.results == [ugc_wasm::abi::ValType::I32];
        assert_eq!(errno, f.name != "proc_exit", "{}", f.name);
    }
    // The policy profile is built from the same list.
    assert_eq!(Policy::wasi().imports, imports);
}

#[test]
fn lifecycle_table() {
    use ugc_wasm::abi::{lifecycle_export, ValType, LIFECYCLE_EXPORTS};
    for name in [
        "_ready",
        "_process",
        "_physics_process",
        "_enter_tree",
        "_exit_tree",
    ] {
        assert!(LIFECYCLE_EXPORTS.iter().any(|l| l.name == name), "{name}");
    }
    assert_eq!(lifecycle_export("_process").unwrap().params, [ValType::F64]);
    assert_eq!(
        lifecycle_export("_physics_process").unwrap().params,
        [ValType::F64]
    );
    assert!(lifecycle_export("_ready").unwrap().params.is_empty());
    assert!(lifecycle_export("main").is_none());
}
