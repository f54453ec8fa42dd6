//! Rust values → JS values, and the error objects JS receives.

use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::policy::Policy;
use crate::report::ModuleReport;

/// Serializes to plain JS objects (maps as objects, not `Map`), as JSON would.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|err| error_object("internal", &err.to_string(), None))
}

/// One diagnostic as JS sees it: `{ code, message, offset }` (offset `null` when there is none).
#[derive(Serialize)]
pub(crate) struct JsDiagnostic {
    pub code: String,
    pub message: String,
    pub offset: Option<u64>,
}

/// `{ code, message, offset }` as a JS object, thrown by bindings that fail.
pub(crate) fn error_object(code: &str, message: &str, offset: Option<u64>) -> JsValue {
    let diagnostic = JsDiagnostic {
        code: code.to_owned(),
        message: message.to_owned(),
        offset,
    };
    diagnostic
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or_else(|_| JsValue::from_str(message))
}

/// What `validate` returns to JS.
#[derive(Serialize)]
pub(crate) struct Verdict {
    pub ok: bool,
    pub report: Option<ModuleReport>,
    pub errors: Vec<JsDiagnostic>,
}

impl Verdict {
    pub(crate) fn of(bytes: &[u8], policy: &Policy) -> Self {
        match crate::validate::validate(bytes, policy) {
            Ok(report) => Self {
                ok: true,
                report: Some(report),
                errors: Vec::new(),
            },
            Err(err) => Self {
                ok: false,
                report: crate::validate::inspect(bytes).ok(),
                errors: diagnostics(&err),
            },
        }
    }
}

/// The validator's error as a list of diagnostics.
fn diagnostics(err: &crate::validate::ValidationError) -> Vec<JsDiagnostic> {
    vec![JsDiagnostic {
        code: err.code.to_string(),
        message: err.message.to_string(),
        offset: err.offset.map(|offset| offset as u64),
    }]
}
