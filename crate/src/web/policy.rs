//! `JsPolicy`: a policy built from a partial JS object over the `script` profile, kept on the Rust side
//! so validating many modules does not re-parse it.

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::convert::{error_object, to_js};
use crate::policy::Policy;

#[wasm_bindgen]
pub struct JsPolicy {
    inner: Policy,
}

/// Overlays `overrides` on `base`: objects merge key by key, anything else replaces.
fn merge(base: &mut Value, overrides: Value) {
    match (base, overrides) {
        (Value::Object(base), Value::Object(overrides)) => {
            for (key, value) in overrides {
                match base.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

/// What `load` needs from the policy, in the JS option names.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Limits {
    fuel: u64,
    max_memory_pages: u32,
    max_table_elements: u32,
    metering: bool,
}

#[wasm_bindgen]
impl JsPolicy {
    /// The `script` profile with `partial` (a possibly partial policy object) laid over it.
    /// Throws `{ code: "bad_argument", message }` for unknown fields or wrong types.
    #[wasm_bindgen(constructor)]
    pub fn new(partial: JsValue) -> Result<JsPolicy, JsValue> {
        let bad = |message: String| error_object("bad_argument", &format!("policy: {message}"), None);
        let mut value = serde_json::to_value(Policy::default()).map_err(|err| bad(err.to_string()))?;
        if !partial.is_undefined() && !partial.is_null() {
            let overrides: Value = serde_wasm_bindgen::from_value(partial).map_err(|err| bad(err.to_string()))?;
            if !overrides.is_object() {
                return Err(bad("must be an object".to_owned()));
            }
            merge(&mut value, overrides);
        }
        let inner = serde_json::from_value(value).map_err(|err| bad(err.to_string()))?;
        Ok(JsPolicy { inner })
    }

    /// The full policy as a plain object.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner)
    }

    /// `{ fuel, maxMemoryPages, maxTableElements, metering }`: the defaults and caps `load` applies.
    pub fn limits(&self) -> Result<JsValue, JsValue> {
        let policy = &self.inner;
        to_js(&Limits {
            fuel: policy.fuel_per_call,
            max_memory_pages: policy.max_memory_pages,
            max_table_elements: policy.max_table_elements,
            metering: policy.metering,
        })
    }
}

impl JsPolicy {
    pub(crate) fn inner(&self) -> &Policy {
        &self.inner
    }
}
