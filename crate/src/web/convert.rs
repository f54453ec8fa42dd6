//! Rust values → plain JS values, and the error objects the bindings throw.

use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::policy::Policy;
use crate::report::ModuleReport;
use crate::validate::{self, Violation};

/// Serializes as JSON would (maps as plain objects, not `Map`), so JS sees what the CLI prints.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|err| error_object("internal", &err.to_string(), None))
}

#[derive(Serialize)]
struct ErrorObject<'a> {
    code: &'a str,
    message: &'a str,
    offset: Option<u64>,
}

/// `{ code, message, offset }` as a JS object (offset `null` when there is none).
pub(crate) fn error_object(code: &str, message: &str, offset: Option<u64>) -> JsValue {
    let object = ErrorObject {
        code,
        message,
        offset,
    };
    object
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or_else(|_| JsValue::from_str(message))
}

/// What `validate` returns to JS.
#[derive(Serialize)]
pub(crate) struct Verdict {
    ok: bool,
    report: Option<ModuleReport>,
    errors: Vec<Violation>,
}

impl Verdict {
    pub(crate) fn of(bytes: &[u8], policy: &Policy) -> Self {
        match validate::validate(bytes, policy) {
            Ok(report) => Verdict {
                ok: true,
                report: Some(report),
                errors: Vec::new(),
            },
            Err(err) => Verdict {
                ok: false,
                report: validate::inspect(bytes).ok(),
                errors: err.errors,
            },
        }
    }
}
