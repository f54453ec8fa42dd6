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

impl ValType {
    /// The wasm text name (`i32`, `externref`…), as serialized.
    pub fn name(self) -> &'static str {
        match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::Funcref => "funcref",
            ValType::Externref => "externref",
        }
    }
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

/// The host functions a node script may import under the default policy (docs/ABI.md).
pub fn script_imports() -> Vec<HostFunction> {
    use ValType::{F64, I32, I64};
    const SIGNATURES: &[(&str, &[ValType], &[ValType])] = &[
        // Diagnostics.
        ("log", &[I32, I32], &[]),
        ("last_error", &[I32, I32], &[I32]),
        // Handles and values.
        ("retain", &[I32], &[I32]),
        ("release", &[I32], &[I32]),
        ("type_of", &[I32], &[I32]),
        ("new_int", &[I64], &[I32]),
        ("new_float", &[F64], &[I32]),
        ("new_bool", &[I32], &[I32]),
        ("new_string", &[I32, I32], &[I32]),
        ("new_value", &[I32, I32, I32], &[I32]),
        ("value_read", &[I32, I32, I32], &[I32]),
        ("as_int", &[I32], &[I64]),
        ("as_float", &[I32], &[F64]),
        ("var_from_bytes", &[I32, I32], &[I32]),
        ("var_to_bytes", &[I32, I32, I32], &[I32]),
        // Arrays and Dictionaries.
        ("array_new", &[], &[I32]),
        ("array_len", &[I32], &[I32]),
        ("array_get", &[I32, I32], &[I32]),
        ("array_set", &[I32, I32, I32], &[I32]),
        ("array_push", &[I32, I32], &[I32]),
        ("dict_new", &[], &[I32]),
        ("dict_len", &[I32], &[I32]),
        ("dict_get", &[I32, I32], &[I32]),
        ("dict_set", &[I32, I32, I32], &[I32]),
        ("dict_keys", &[I32], &[I32]),
        // Objects, properties, signals.
        ("self", &[], &[I32]),
        ("object_get", &[I32, I32, I32], &[I32]),
        // object_get then value_read as type `ty` into (out_ptr, out_cap): one call, no handle.
        ("object_get_value", &[I32, I32, I32, I32, I32, I32], &[I32]),
        ("object_set", &[I32, I32, I32, I32], &[I32]),
        // object_set of a value given as `new_value`'s (type, raw bytes): one call, no handle.
        ("object_set_value", &[I32, I32, I32, I32, I32, I32], &[I32]),
        // Binds a property to guest memory: written once per frame when those bytes changed.
        ("object_bind_value", &[I32, I32, I32, I32, I32], &[I32]),
        ("object_call", &[I32, I32, I32, I32], &[I32]),
        ("emit_signal", &[I32, I32, I32], &[I32]),
        // Instancing: the calling node's slot in a shared instance (0 under node instancing).
        ("node_slot", &[], &[I32]),
    ];
    SIGNATURES
        .iter()
        .map(|(name, params, results)| HostFunction::host(name, params, results))
        .collect()
}

/// Name of the custom section holding the ABI version a guest was built against (u32 LE).
pub const ABI_SECTION: &str = "ugc_abi";

/// Name of the optional custom section holding the script manifest (UTF-8 JSON).
pub const MANIFEST_SECTION: &str = "ugc_script";

/// Error codes host functions return to the guest (always negative; docs/ABI.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbiError {
    BadHandle = -1,
    StaleHandle = -2,
    WrongType = -3,
    BadPointer = -4,
    HandleLimit = -5,
    OutOfRange = -6,
    NotFound = -7,
    NotAllowed = -8,
    BadUtf8 = -9,
    BadValue = -10,
    ObjectGone = -11,
}

impl AbiError {
    /// The stable snake_case name, as in docs/ABI.md and the host log.
    pub fn name(self) -> &'static str {
        match self {
            Self::BadHandle => "bad_handle",
            Self::StaleHandle => "stale_handle",
            Self::WrongType => "wrong_type",
            Self::BadPointer => "bad_pointer",
            Self::HandleLimit => "handle_limit",
            Self::OutOfRange => "out_of_range",
            Self::NotFound => "not_found",
            Self::NotAllowed => "not_allowed",
            Self::BadUtf8 => "bad_utf8",
            Self::BadValue => "bad_value",
            Self::ObjectGone => "object_gone",
        }
    }

    /// The value a host function returns to the guest.
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// The ABI description of the default script profile.
pub fn describe() -> AbiDescription {
    AbiDescription {
        version: ABI_VERSION,
        imports: script_imports(),
    }
}

/// The import module of WASI preview 1.
pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// Prefix reserved for everything the runtime adds to a guest module.
pub const RESERVED_PREFIX: &str = "__ugc_";

/// Longest property, method or signal name, in bytes, that a guest may pass to a host function
/// (`object_get`, `object_set`, `object_call`, `emit_signal`…) or declare in its manifest. Longer
/// names are `bad_value` before the host does anything else with them: without a cap a guest
/// makes the host copy, decode, hash and keep (caches, error log, batch) names as long as its
/// memory. Godot's own names are far shorter; 256 leaves room for `blend_shapes/<name>`.
pub const MAX_NAME_LEN: usize = 256;

/// A lifecycle entry point a guest may export, with the signature the runtime calls it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleExport {
    pub name: &'static str,
    pub params: &'static [ValType],
    pub results: &'static [ValType],
}

/// The lifecycle entry points (Godot's node callbacks). The only table of them: the validator
/// checks exports against it and the runtime calls exactly these signatures.
pub const LIFECYCLE_EXPORTS: &[LifecycleExport] = &[
    LifecycleExport {
        name: "_ready",
        params: &[],
        results: &[],
    },
    LifecycleExport {
        name: "_process",
        params: &[ValType::F64],
        results: &[],
    },
    LifecycleExport {
        name: "_physics_process",
        params: &[ValType::F64],
        results: &[],
    },
    LifecycleExport {
        name: "_enter_tree",
        params: &[],
        results: &[],
    },
    LifecycleExport {
        name: "_exit_tree",
        params: &[],
        results: &[],
    },
    LifecycleExport {
        name: "_property_changed",
        params: &[ValType::I32],
        results: &[],
    },
];

/// Looks up a lifecycle entry point by export name.
pub fn lifecycle_export(name: &str) -> Option<&'static LifecycleExport> {
    LIFECYCLE_EXPORTS.iter().find(|l| l.name == name)
}

/// Every WASI preview-1 function (`wasi_snapshot_preview1`) with its exact core-wasm signature,
/// as wasi-libc imports them: pointers, sizes, fds and flags are `i32`; file sizes, offsets,
/// timestamps, rights and directory cookies are `i64`; every function but `proc_exit` returns an
/// `errno` (`i32`). The `wasi` policy profile allows exactly these, and the JS WASI host is
/// written from this list.
pub fn wasi_imports() -> Vec<HostFunction> {
    use ValType::{I32, I64};
    let errno: &[ValType] = &[I32];
    let f = |name: &str, params: &[ValType], results: &[ValType]| HostFunction {
        module: WASI_MODULE.to_owned(),
        name: name.to_owned(),
        params: params.to_vec(),
        results: results.to_vec(),
    };
    vec![
        f("args_get", &[I32, I32], errno),
        f("args_sizes_get", &[I32, I32], errno),
        f("environ_get", &[I32, I32], errno),
        f("environ_sizes_get", &[I32, I32], errno),
        f("clock_res_get", &[I32, I32], errno),
        f("clock_time_get", &[I32, I64, I32], errno),
        f("fd_advise", &[I32, I64, I64, I32], errno),
        f("fd_allocate", &[I32, I64, I64], errno),
        f("fd_close", &[I32], errno),
        f("fd_datasync", &[I32], errno),
        f("fd_fdstat_get", &[I32, I32], errno),
        f("fd_fdstat_set_flags", &[I32, I32], errno),
        f("fd_fdstat_set_rights", &[I32, I64, I64], errno),
        f("fd_filestat_get", &[I32, I32], errno),
        f("fd_filestat_set_size", &[I32, I64], errno),
        f("fd_filestat_set_times", &[I32, I64, I64, I32], errno),
        f("fd_pread", &[I32, I32, I32, I64, I32], errno),
        f("fd_prestat_get", &[I32, I32], errno),
        f("fd_prestat_dir_name", &[I32, I32, I32], errno),
        f("fd_pwrite", &[I32, I32, I32, I64, I32], errno),
        f("fd_read", &[I32, I32, I32, I32], errno),
        f("fd_readdir", &[I32, I32, I32, I64, I32], errno),
        f("fd_renumber", &[I32, I32], errno),
        f("fd_seek", &[I32, I64, I32, I32], errno),
        f("fd_sync", &[I32], errno),
        f("fd_tell", &[I32, I32], errno),
        f("fd_write", &[I32, I32, I32, I32], errno),
        f("path_create_directory", &[I32, I32, I32], errno),
        f("path_filestat_get", &[I32, I32, I32, I32, I32], errno),
        f(
            "path_filestat_set_times",
            &[I32, I32, I32, I32, I64, I64, I32],
            errno,
        ),
        f("path_link", &[I32, I32, I32, I32, I32, I32, I32], errno),
        f(
            "path_open",
            &[I32, I32, I32, I32, I32, I64, I64, I32, I32],
            errno,
        ),
        f("path_readlink", &[I32, I32, I32, I32, I32, I32], errno),
        f("path_remove_directory", &[I32, I32, I32], errno),
        f("path_rename", &[I32, I32, I32, I32, I32, I32], errno),
        f("path_symlink", &[I32, I32, I32, I32, I32], errno),
        f("path_unlink_file", &[I32, I32, I32], errno),
        f("poll_oneoff", &[I32, I32, I32, I32], errno),
        f("proc_exit", &[I32], &[]),
        f("proc_raise", &[I32], errno),
        f("sched_yield", &[], errno),
        f("random_get", &[I32, I32], errno),
        f("sock_accept", &[I32, I32, I32], errno),
        f("sock_recv", &[I32, I32, I32, I32, I32, I32], errno),
        f("sock_send", &[I32, I32, I32, I32, I32], errno),
        f("sock_shutdown", &[I32, I32], errno),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn host_function_names_are_unique_and_in_the_host_module() {
        let imports = script_imports();
        let names: HashSet<_> = imports.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names.len(), imports.len());
        assert!(imports.iter().all(|f| f.module == HOST_MODULE));
        assert!(imports
            .iter()
            .all(|f| !f.name.starts_with("__ugc_") && f.results.len() <= 1));
    }

    #[test]
    fn error_codes_are_negative_and_distinct() {
        let all = [
            AbiError::BadHandle,
            AbiError::StaleHandle,
            AbiError::WrongType,
            AbiError::BadPointer,
            AbiError::HandleLimit,
            AbiError::OutOfRange,
            AbiError::NotFound,
            AbiError::NotAllowed,
            AbiError::BadUtf8,
            AbiError::BadValue,
            AbiError::ObjectGone,
        ];
        let codes: HashSet<_> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len());
        assert!(all.iter().all(|e| e.code() < 0));
        let json = serde_json::to_string(&AbiError::StaleHandle).unwrap();
        assert_eq!(json, format!("\"{}\"", AbiError::StaleHandle.name()));
    }
}
