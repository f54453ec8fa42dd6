//! Runs the `ugc-wasm` binary: exit statuses, line format, JSON shapes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ABI: &str = r#"(@custom "ugc_abi" "\01\00\00\00")"#;

/// A scratch directory per test (removed on drop).
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("ugc-wasm-cli-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn wat(&self, name: &str, wat: &str) -> PathBuf {
        self.file(name, &wat::parse_str(wat).unwrap())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ugc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ugc-wasm"))
        .args(args)
        .output()
        .expect("run ugc-wasm")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = ugc(args);
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn validate(path: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["validate", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (code, out, _) = run(&args);
    (code, out)
}

/// The codes of the `code: message` lines a rejection prints.
fn codes(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| l.split(':').next().unwrap().to_owned())
        .collect()
}

#[test]
fn malformed_inputs_are_rejected_with_exit_1() {
    let s = Scratch::new("malformed");
    let full = wat::parse_str("(module (func (export \"f\") (result i32) i32.const 7))").unwrap();
    let random: Vec<u8> = (0u32..200)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    for (name, bytes) in [
        ("empty.wasm", &b""[..]),
        ("magic.wasm", &b"\x7fELF\x01\0\0\0"[..]),
        ("truncated.wasm", &full[..full.len() - 4]),
        ("random.wasm", &random[..]),
    ] {
        let path = s.file(name, bytes);
        let (code, out) = validate(&path, &[]);
        assert_eq!(code, 1, "{name}: {out}");
        assert_eq!(codes(&out), ["malformed"], "{name}: {out}");
        let (code, out, _) = run(&["inspect", path.to_str().unwrap()]);
        assert_eq!(code, 1, "{name}");
        assert!(out.starts_with("malformed: "), "{name}: {out}");
    }
    // The offset is printed when known.
    let (_, out) = validate(&s.file("magic2.wasm", b"\x7fELF\x01\0\0\0"), &[]);
    assert!(out.trim_end().ends_with("(offset 0)"), "{out}");
}

#[test]
fn refused_imports() {
    let s = Scratch::new("imports");
    let cases = [
        (r#"(import "ugc" "nope" (func))"#, "import_not_allowed"),
        (
            r#"(import "ugc" "log" (func (param i64)))"#,
            "import_signature_mismatch",
        ),
        (
            r#"(import "env" "memory" (memory 1))"#,
            "import_kind_not_allowed",
        ),
        (
            r#"(import "env" "table" (table 1 funcref))"#,
            "import_kind_not_allowed",
        ),
        (
            r#"(import "env" "global" (global i32))"#,
            "import_kind_not_allowed",
        ),
        (r#"(import "ugc" "__ugc_x" (func))"#, "reserved_name"),
    ];
    for (i, (import, code)) in cases.iter().enumerate() {
        let path = s.wat(&format!("m{i}.wasm"), &format!("(module {import} {ABI})"));
        let (status, out) = validate(&path, &[]);
        assert_eq!(status, 1, "{import}");
        assert_eq!(codes(&out), [*code], "{import}: {out}");
        assert!(out.contains("(offset "), "{out}");
    }
    // A tag import: a feature error by default, a refused import kind once exceptions are on.
    let tag = s.wat("tag.wasm", r#"(module (import "env" "tag" (tag)))"#);
    assert_eq!(codes(&validate(&tag, &[]).1), ["feature_not_allowed"]);
    let policy = s.file(
        "exceptions.json",
        br#"{"features": ["exceptions", "simd", "bulk_memory", "multi_value", "reference_types"]}"#,
    );
    let (status, out) = validate(&tag, &["--policy", policy.to_str().unwrap()]);
    assert_eq!(status, 1);
    assert_eq!(codes(&out), ["import_kind_not_allowed"], "{out}");
}

#[test]
fn memory_and_table_shapes() {
    let s = Scratch::new("memory");
    for (wat, code) in [
        ("(module (memory 1 1 shared))", "feature_not_allowed"),
        ("(module (memory i64 1))", "feature_not_allowed"),
        ("(module (memory 1) (memory 1))", "feature_not_allowed"),
        ("(module (memory 2000))", "memory_too_large"),
        ("(module (table 20000 funcref))", "table_too_large"),
        (r#"(module (func (export "__ugc_fuel")))"#, "reserved_name"),
        (
            r#"(module (func (export "_process") (param f32)))"#,
            "lifecycle_signature_mismatch",
        ),
    ] {
        let path = s.wat("m.wasm", wat);
        let (status, out) = validate(&path, &[]);
        assert_eq!(
            (status, codes(&out)),
            (1, vec![code.to_owned()]),
            "{wat}: {out}"
        );
    }
}

#[test]
fn valid_modules_with_default_features() {
    let s = Scratch::new("valid");
    let path = s.wat(
        "ok.wasm",
        &format!(
            r#"(module
                (import "ugc" "log" (func $log (param i32 i32)))
                (memory (export "memory") 1)
                (table 1 externref)
                (func (export "_ready") i32.const 0 i32.const 0 call $log)
                (func (export "_process") (param f64))
                (func (param v128) (result v128) local.get 0 local.get 0 f32x4.mul)
                (func i32.const 0 i32.const 0 i32.const 0 memory.fill)
                (func (result i32 i64) i32.const 0 i64.const 0)
                {ABI})"#
        ),
    );
    let (status, out) = validate(&path, &[]);
    assert_eq!(status, 0, "{out}");
    assert!(out.starts_with("ok: "), "{out}");
    assert!(
        out.contains("note: memory 0: maximum (none declared) lowered"),
        "{out}"
    );

    let (status, out) = validate(&path, &["--json"]);
    assert_eq!(status, 0);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["abi_version"], 1);
    assert_eq!(report["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(report["memories"][0]["effective"]["maximum"], 1024);
    let used: Vec<&str> = report["features_used"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        used,
        ["reference_types", "multi_value", "bulk_memory", "simd"]
    );
    assert_eq!(report["exports"][2]["name"], "_process");
    assert_eq!(report["exports"][2]["signature"]["params"][0], "f64");
}

#[test]
fn rejection_json() {
    let s = Scratch::new("json");
    let path = s.wat(
        "bad.wasm",
        r#"(module (import "env" "a" (func)) (import "env" "b" (global i32)))"#,
    );
    let (status, out) = validate(&path, &["--json"]);
    assert_eq!(status, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"], false);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["code"], "import_not_allowed");
    assert_eq!(errors[1]["code"], "import_kind_not_allowed");
    assert!(errors[0]["offset"].is_u64() && errors[0]["message"].is_string());
}

#[test]
fn wasi_profile_and_policy_files() {
    let s = Scratch::new("wasi");
    let path = s.wat(
        "wasi.wasm",
        r#"(module
            (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))
            (memory (export "memory") 4096)
            (func (export "_start")))"#,
    );
    let (status, out) = validate(&path, &[]);
    assert_eq!(status, 1);
    assert_eq!(
        codes(&out),
        [
            "import_not_allowed",
            "import_not_allowed",
            "memory_too_large"
        ]
    );
    let (status, out) = validate(&path, &["--profile", "wasi"]);
    assert_eq!(status, 0, "{out}");
    // A policy file on top of a profile: only the fields it names change.
    let small = s.file("small.json", br#"{ "max_memory_pages": 100 }"#);
    let (status, out) = validate(
        &path,
        &["--profile", "wasi", "--policy", small.to_str().unwrap()],
    );
    assert_eq!(status, 1);
    assert_eq!(codes(&out), ["memory_too_large"], "{out}");
    let big = s.file(
        "big.json",
        br#"{ "max_memory_pages": 4096, "imports": [] }"#,
    );
    let (status, out) = validate(&path, &["--policy", big.to_str().unwrap()]);
    assert_eq!(
        (status, codes(&out)),
        (1, vec!["import_not_allowed".to_owned(); 2])
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    let s = Scratch::new("usage");
    let ok = s.wat("ok.wasm", "(module)");
    let ok = ok.to_str().unwrap();
    let missing = s.0.join("missing.wasm");
    let missing = missing.to_str().unwrap();
    let (code, _, err) = run(&["validate", missing]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
    assert_eq!(run(&["inspect", missing]).0, 2);
    for (name, text) in [
        ("syntax.json", &b"{ not json"[..]),
        ("unknown.json", &br#"{ "max_memories_pages": 1 }"#[..]),
        ("feature.json", &br#"{ "features": ["warp_drive"] }"#[..]),
        ("array.json", &b"[]"[..]),
    ] {
        let policy = s.file(name, text);
        let (code, out, err) = run(&["validate", ok, "--policy", policy.to_str().unwrap()]);
        assert_eq!(code, 2, "{name}: {out}");
        assert!(err.contains("invalid policy"), "{name}: {err}");
    }
    let (code, _, err) = run(&["validate", ok, "--policy", missing]);
    assert_eq!(code, 2, "{err}");
    // Clap's own usage errors.
    assert_eq!(run(&[]).0, 2);
    assert_eq!(run(&["validate"]).0, 2);
    assert_eq!(run(&["frobnicate"]).0, 2);
    assert_eq!(run(&["validate", ok, "--profile", "kernel"]).0, 2);
    assert_eq!(run(&["validate", ok, "--bogus"]).0, 2);
}

#[test]
fn help_for_every_command() {
    for args in [
        &["--help"][..],
        &["validate", "--help"],
        &["inspect", "--help"],
        &["abi", "--help"],
    ] {
        let (code, out, _) = run(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(out.contains("Usage: ugc-wasm"), "{args:?}: {out}");
    }
}

#[test]
fn inspect_describes_any_valid_module() {
    let s = Scratch::new("inspect");
    // Refused by the default policy (tail calls, two memories, env import) but valid wasm.
    let path = s.wat(
        "any.wasm",
        r#"(module (import "env" "f" (func)) (memory 1) (memory 2 3)
            (func $g (return_call 0)) (@custom "hello" "abc"))"#,
    );
    assert_eq!(validate(&path, &[]).0, 1);
    let (code, out, _) = run(&["inspect", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("env.f func () -> ()"), "{out}");
    assert!(out.contains("memory 1: 2..3 pages"), "{out}");
    assert!(
        out.contains("features used: tail_call, multi_memory"),
        "{out}"
    );
    assert!(out.contains("hello (3 bytes)"), "{out}");
    let (code, out, _) = run(&["inspect", path.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["memories"][1]["declared"]["maximum"], 3);
    assert_eq!(v["memories"][1]["capped"], false);
    assert_eq!(v["custom_sections"][0]["name"], "hello");
}

#[test]
fn abi_command() {
    let (code, out, _) = run(&["abi", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v, serde_json::to_value(ugc_wasm::abi::describe()).unwrap());
    assert!(v["version"].is_u64());
    assert_eq!(v["imports"][0]["module"], "ugc");
    let (code, out, _) = run(&["abi"]);
    assert_eq!(code, 0);
    assert!(out.contains("ugc.log(i32, i32) -> ()"), "{out}");
    let (code, out, _) = run(&["abi", "--wasi", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["imports"].as_array().unwrap().len(), 46);
}
