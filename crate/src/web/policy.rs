//! `JsPolicy`: a policy parsed once from JS (a partial JSON object over the `script` profile, exactly as
//! the CLI reads `--policy`) and kept on the Rust side, so validating many modules does not re-parse it.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{error_object, to_js};
use crate::policy::Policy;

#[wasm_bindgen]
pub struct JsPolicy {
    inner: Policy,
}

/// What `load` takes from the policy, under the JS option names.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoadLimits {
    fuel: u64,
    max_memory_pages: u32,
    max_table_elements: u32,
    max_live_handles: u32,
    max_host_memory: f64,
    metering: bool,
    timeout_ms: u32,
}

#[wasm_bindgen]
impl JsPolicy {
    /// `json`: a policy as JSON text, possibly partial; `undefined` for the `script` profile.
    /// Throws `{ code: "bad_argument", message }` for unknown fields, wrong types or non-objects.
    #[wasm_bindgen(constructor)]
    pub fn new(json: Option<String>) -> Result<JsPolicy, JsValue> {
        let inner = match json {
            None => Policy::default(),
            Some(json) => Policy::from_json(&json)
                .map_err(|err| error_object("bad_argument", &err.to_string(), None))?,
        };
        Ok(JsPolicy { inner })
    }

    /// A built-in profile (`script` or `wasi`) with optional overrides (JSON text, possibly partial).
    /// Throws `{ code: "bad_argument", message }` for an unknown profile or bad overrides.
    #[wasm_bindgen(js_name = fromProfile)]
    pub fn from_profile(name: &str, json: Option<String>) -> Result<JsPolicy, JsValue> {
        let base = Policy::profile(name).ok_or_else(|| {
            error_object(
                "bad_argument",
                &format!("unknown policy profile {name:?} (expected \"script\" or \"wasi\")"),
                None,
            )
        })?;
        let inner = match json {
            None => base,
            Some(json) => Policy::from_json_over(&json, &base)
                .map_err(|err| error_object("bad_argument", &err.to_string(), None))?,
        };
        Ok(JsPolicy { inner })
    }

    /// The full policy as a plain object.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner)
    }

    /// `{ fuel, maxMemoryPages, maxTableElements, maxLiveHandles, maxHostMemory, metering, timeoutMs }`: the defaults and caps `load`
    /// applies. Caps beyond what prepare accepts (u32) saturate.
    pub fn limits(&self) -> Result<JsValue, JsValue> {
        let policy = &self.inner;
        to_js(&LoadLimits {
            fuel: policy.fuel_per_call,
            max_memory_pages: saturate(policy.max_memory_pages),
            max_table_elements: saturate(policy.max_table_elements),
            max_live_handles: policy.max_live_handles,
            max_host_memory: policy.max_host_memory as f64,
            // Every profile meters: fuel is the only preemption in instance isolation.
            metering: true,
            timeout_ms: policy.timeout_ms,
        })
    }
}

fn saturate(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl JsPolicy {
    pub(crate) fn inner(&self) -> &Policy {
        &self.inner
    }
}
