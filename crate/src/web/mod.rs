//! wasm-bindgen bindings: the only Rust that knows about JS.
//!
//! `js-glue/src/core.js` is the one JS module calling these; the public JS API (`createRuntime`) is
//! built on top of them. Errors cross as plain `{ code, message, offset }` objects.

mod convert;
mod host;
mod policy;
mod variant_js;

use wasm_bindgen::prelude::*;

use crate::prepare::PrepareOptions;
use convert::{error_object, to_js, Verdict};
pub use host::{manifest_instancing, meter_cell, scratch_buffer, JsHostGroup, JsScriptHost};

/// Every allocation is charged to the script whose host call made it (crate/src/host/account.rs):
/// the crate's memory serves every script of the page, and each one's share is bounded.
#[global_allocator]
static ALLOCATOR: crate::host::account::Counting = crate::host::account::Counting;
pub use policy::JsPolicy;

/// Runs once when the module is instantiated: readable panics in debug builds (`npm run build -- --dev`).
#[wasm_bindgen(start)]
fn start() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
}

/// `{ ok, report, errors: [{ code, message, offset }] }` for `bytes` under `policy`: the same codes and
/// report as the CLI. Never throws for a bad module: rejection is data. `report` is the policy-free
/// description (`inspect`) when the module is refused but still parses, `null` otherwise.
#[wasm_bindgen]
pub fn validate(bytes: &[u8], policy: &JsPolicy) -> Result<JsValue, JsValue> {
    to_js(&Verdict::of(bytes, policy.inner()))
}

/// Options for [`prepare`], as JS passes them.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsPrepareOptions {
    max_memory_pages: u32,
    max_table_elements: u32,
    metering: bool,
}

/// The prepared module (memory and table caps, fuel metering, `__ugc_*` exports). Throws
/// `{ code, message, offset }` when the module cannot be prepared.
#[wasm_bindgen]
pub fn prepare(bytes: &[u8], options: JsValue) -> Result<Vec<u8>, JsValue> {
    let options: JsPrepareOptions = serde_wasm_bindgen::from_value(options)
        .map_err(|err| error_object("bad_argument", &format!("prepare options: {err}"), None))?;
    let options = PrepareOptions {
        max_memory_pages: options.max_memory_pages,
        max_table_elements: options.max_table_elements,
        metering: options.metering,
    };
    crate::prepare::prepare(bytes, &options)
        .map(|prepared| prepared.bytes)
        .map_err(|err| error_object(err.code, &err.message, err.offset))
}

/// `{ version, imports: [{ module, name, params, results }] }`: the host ABI (`ugc_wasm::abi::describe`).
#[wasm_bindgen]
pub fn abi() -> Result<JsValue, JsValue> {
    to_js(&crate::abi::describe())
}

/// The default capability rules as JSON (`ugc_wasm::host::Capabilities::to_json`, docs/CAPABILITIES.md).
#[wasm_bindgen]
pub fn capabilities() -> Result<JsValue, JsValue> {
    to_js(&crate::host::Capabilities::default_rules().to_json())
}
