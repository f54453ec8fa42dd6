//! The wasm-bindgen bindings (`ugc_wasm::web`) in a real browser: validate, policy, prepare, abi.
//! Run with `wasm-pack test --headless --chrome crate`.
#![cfg(target_arch = "wasm32")]

use serde_json::{json, Value};
use ugc_wasm::web::{abi, prepare, validate, JsPolicy};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A module importing `ugc.log` and declaring ABI version 1, as a real script does.
const GUEST: &str = r#"
(module
  (@custom "ugc_abi" "\01\00\00\00")
  (import "ugc" "log" (func $log (param i32 i32)))
  (memory 2)
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "spin") (loop $l (br $l))))
"#;

fn wasm(source: &str) -> Vec<u8> {
    wat::parse_str(source).expect("fixture WAT parses")
}

fn to_json(value: JsValue) -> Value {
    serde_wasm_bindgen::from_value(value).expect("binding returns plain data")
}

/// A plain JS object (not a `Map`), as JS callers pass options.
fn js_object(value: &Value) -> JsValue {
    use serde::Serialize;
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .expect("serializable")
}

fn policy(json: Option<&str>) -> JsPolicy {
    JsPolicy::new(json.map(str::to_owned)).unwrap_or_else(|_| panic!("policy {json:?} parses"))
}

fn verdict(bytes: &[u8], policy: &JsPolicy) -> Value {
    to_json(validate(bytes, policy).expect("validate returns a verdict"))
}

#[wasm_bindgen_test]
fn accepts_a_valid_script_with_its_report() {
    let verdict = verdict(&wasm(GUEST), &policy(None));
    assert_eq!(verdict["ok"], json!(true));
    assert_eq!(verdict["errors"], json!([]));
    let report = &verdict["report"];
    assert_eq!(report["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(report["abi_version"], json!(1));
    assert_eq!(report["imports"][0]["name"], json!("log"));
    let add = report["exports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "add")
        .expect("add is reported");
    assert_eq!(add["signature"]["params"], json!(["i32", "i32"]));
}

#[wasm_bindgen_test]
fn refuses_a_forbidden_import_with_code_and_offset() {
    let bytes =
        wasm(r#"(module (import "env" "system" (func (param i32))) (func (export "run")))"#);
    let verdict = verdict(&bytes, &policy(None));
    assert_eq!(verdict["ok"], json!(false));
    let codes: Vec<&str> = verdict["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"import_not_allowed"), "{codes:?}");
    assert!(verdict["errors"][0]["offset"].is_u64());
    // The module parses, so the policy-free report is still there.
    assert!(verdict["report"].is_object());
}

#[wasm_bindgen_test]
fn refuses_garbage_as_malformed_without_a_report() {
    let verdict = verdict(
        &[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xff],
        &policy(None),
    );
    assert_eq!(verdict["ok"], json!(false));
    assert_eq!(verdict["errors"][0]["code"], json!("malformed"));
    assert_eq!(verdict["report"], Value::Null);
}

#[wasm_bindgen_test]
fn a_partial_policy_overrides_the_script_profile() {
    let bytes = wasm(GUEST);
    let strict = policy(Some(r#"{ "max_memory_pages": 1 }"#));
    let verdict = verdict(&bytes, &strict);
    assert_eq!(verdict["ok"], json!(false));
    assert_eq!(verdict["errors"][0]["code"], json!("memory_too_large"));
    let limits = to_json(strict.limits().unwrap());
    assert_eq!(limits["maxMemoryPages"], json!(1));
    assert_eq!(limits["fuel"], json!(10_000_000));
    assert_eq!(
        to_json(strict.to_json().unwrap())["max_memory_pages"],
        json!(1)
    );
}

#[wasm_bindgen_test]
fn a_bad_policy_is_a_bad_argument_error() {
    for json in [
        r#"{ "no_such_field": 1 }"#,
        r#"{ "fuel_per_call": "lots" }"#,
        "42",
        "{",
    ] {
        let err = JsPolicy::new(Some(json.to_owned())).err().expect("refused");
        assert_eq!(to_json(err)["code"], json!("bad_argument"), "{json}");
    }
}

#[wasm_bindgen_test]
fn prepare_caps_memory_and_adds_the_reserved_exports() {
    let options = js_object(&json!({
        "maxMemoryPages": 4, "maxTableElements": 100, "metering": true
    }));
    let prepared = prepare(&wasm(GUEST), options).expect("prepares");
    let module =
        js_sys::WebAssembly::Module::new(&js_sys::Uint8Array::from(prepared.as_slice()).into())
            .expect("the prepared module compiles");
    let exports: Vec<String> = js_sys::WebAssembly::Module::exports(&module)
        .iter()
        .map(|e| {
            js_sys::Reflect::get(&e, &"name".into())
                .unwrap()
                .as_string()
                .unwrap()
        })
        .collect();
    assert!(exports.contains(&"__ugc_fuel".to_owned()), "{exports:?}");
    assert!(exports.contains(&"__ugc_memory".to_owned()), "{exports:?}");
    assert!(exports.contains(&"add".to_owned()));
}

#[wasm_bindgen_test]
fn prepare_refuses_a_memory_larger_than_the_cap() {
    let options = js_object(&json!({
        "maxMemoryPages": 1, "maxTableElements": 100, "metering": true
    }));
    let err = prepare(&wasm(GUEST), options).expect_err("2 pages do not fit under a cap of 1");
    assert_eq!(to_json(err)["code"], json!("memory_exceeds_cap"));
}

#[wasm_bindgen_test]
fn abi_lists_the_host_functions() {
    let abi = to_json(abi().unwrap());
    assert_eq!(abi["version"], json!(1));
    let log = abi["imports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["module"] == "ugc" && f["name"] == "log")
        .expect("ugc.log is in the ABI");
    assert_eq!(log["params"], json!(["i32", "i32"]));
}
