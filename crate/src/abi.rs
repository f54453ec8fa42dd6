//! The host ABI: the functions a guest may import, with their exact wasm signatures.
//!
//! This list is the single source of truth for the default policy's import allow-list, for
//! `ugc-wasm abi --json`, for `rt.abi()` in JS and for docs/ABI.md.

use serde::{Deserialize, Serialize};

/// Version of the host ABI. A guest declares the version it was built against.
pub const ABI_VERSION: u32 = 1;

/// The import module every host function lives in.
pub const HOST_MODULE: &str = "ugc";

/// A wasm value type as it appears in an import signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    Funcref,
    Externref,
}

/// One host function: `(module, name)` and its exact signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostFunction {
    pub module: String,
    pub name: String,
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

impl HostFunction {
    fn host(name: &str, params: &[ValType], results: &[ValType]) -> Self {
        Self {
            module: HOST_MODULE.to_owned(),
            name: name.to_owned(),
            params: params.to_vec(),
            results: results.to_vec(),
        }
    }
}

/// The ABI as `ugc-wasm abi --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbiDescription {
    pub version: u32,
    pub imports: Vec<HostFunction>,
}

/// The host functions a node script may import under the default policy.
pub fn script_imports() -> Vec<HostFunction> {
    use ValType::I32;
    vec![
        // log(ptr, len): copies a UTF-8 message out of guest memory (bounds-checked) to the host log.
        HostFunction::host("log", &[I32, I32], &[]),
    ]
}

/// The ABI description of the default script profile.
pub fn describe() -> AbiDescription {
    AbiDescription {
        version: ABI_VERSION,
        imports: script_imports(),
    }
}
