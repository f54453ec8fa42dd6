//! `Policy`: every limit, feature and import allow-list the validator enforces, plus the runtime
//! knobs (fuel, handles, timeout) the other stages read. Serde/JSON with snake_case fields;
//! a partial JSON object takes the missing fields from the `script` profile. docs/POLICY.md
//! documents every field and default.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use wasmparser::WasmFeatures;

use crate::abi::{self, HostFunction};

/// Bytes in one 32-bit wasm memory page.
pub const WASM_PAGE_SIZE: u64 = 65_536;

const MIB: u64 = 1024 * 1024;

/// A WebAssembly proposal the policy can allow. Names are the snake_case strings used in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    MutableGlobal,
    SaturatingFloatToInt,
    SignExtension,
    ReferenceTypes,
    MultiValue,
    BulkMemory,
    Simd,
    RelaxedSimd,
    Threads,
    SharedEverythingThreads,
    TailCall,
    MultiMemory,
    Exceptions,
    LegacyExceptions,
    Memory64,
    ExtendedConst,
    FunctionReferences,
    MemoryControl,
    Gc,
    CustomPageSizes,
    StackSwitching,
    WideArithmetic,
    CustomDescriptors,
    CompactImports,
    AcquireReleaseAtomics,
    MultibyteArrayAccess,
}

impl Feature {
    /// Every feature, in declaration order.
    pub const ALL: &'static [Feature] = &[
        Feature::MutableGlobal,
        Feature::SaturatingFloatToInt,
        Feature::SignExtension,
        Feature::ReferenceTypes,
        Feature::MultiValue,
        Feature::BulkMemory,
        Feature::Simd,
        Feature::RelaxedSimd,
        Feature::Threads,
        Feature::SharedEverythingThreads,
        Feature::TailCall,
        Feature::MultiMemory,
        Feature::Exceptions,
        Feature::LegacyExceptions,
        Feature::Memory64,
        Feature::ExtendedConst,
        Feature::FunctionReferences,
        Feature::MemoryControl,
        Feature::Gc,
        Feature::CustomPageSizes,
        Feature::StackSwitching,
        Feature::WideArithmetic,
        Feature::CustomDescriptors,
        Feature::CompactImports,
        Feature::AcquireReleaseAtomics,
        Feature::MultibyteArrayAccess,
    ];

    /// The features on in the default (`script`) profile: WebAssembly 2.0.
    pub const DEFAULTS: &'static [Feature] = &[
        Feature::MutableGlobal,
        Feature::SaturatingFloatToInt,
        Feature::SignExtension,
        Feature::ReferenceTypes,
        Feature::MultiValue,
        Feature::BulkMemory,
        Feature::Simd,
    ];

    /// The wasmparser flags this feature turns on.
    pub fn wasm_features(self) -> WasmFeatures {
        match self {
            Feature::MutableGlobal => WasmFeatures::MUTABLE_GLOBAL,
            Feature::SaturatingFloatToInt => WasmFeatures::SATURATING_FLOAT_TO_INT,
            Feature::SignExtension => WasmFeatures::SIGN_EXTENSION,
            Feature::ReferenceTypes => WasmFeatures::REFERENCE_TYPES,
            Feature::MultiValue => WasmFeatures::MULTI_VALUE,
            Feature::BulkMemory => WasmFeatures::BULK_MEMORY,
            Feature::Simd => WasmFeatures::SIMD,
            Feature::RelaxedSimd => WasmFeatures::RELAXED_SIMD,
            Feature::Threads => WasmFeatures::THREADS,
            Feature::SharedEverythingThreads => WasmFeatures::SHARED_EVERYTHING_THREADS,
            Feature::TailCall => WasmFeatures::TAIL_CALL,
            Feature::MultiMemory => WasmFeatures::MULTI_MEMORY,
            Feature::Exceptions => WasmFeatures::EXCEPTIONS,
            Feature::LegacyExceptions => WasmFeatures::LEGACY_EXCEPTIONS,
            Feature::Memory64 => WasmFeatures::MEMORY64,
            Feature::ExtendedConst => WasmFeatures::EXTENDED_CONST,
            Feature::FunctionReferences => WasmFeatures::FUNCTION_REFERENCES,
            Feature::MemoryControl => WasmFeatures::MEMORY_CONTROL,
            Feature::Gc => WasmFeatures::GC,
            Feature::CustomPageSizes => WasmFeatures::CUSTOM_PAGE_SIZES,
            Feature::StackSwitching => WasmFeatures::STACK_SWITCHING,
            Feature::WideArithmetic => WasmFeatures::WIDE_ARITHMETIC,
            Feature::CustomDescriptors => WasmFeatures::CUSTOM_DESCRIPTORS,
            Feature::CompactImports => WasmFeatures::COMPACT_IMPORTS,
            Feature::AcquireReleaseAtomics => WasmFeatures::ACQUIRE_RELEASE_ATOMICS,
            Feature::MultibyteArrayAccess => WasmFeatures::MULTIBYTE_ARRAY_ACCESS,
        }
    }

    /// The snake_case name, as in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Feature::MutableGlobal => "mutable_global",
            Feature::SaturatingFloatToInt => "saturating_float_to_int",
            Feature::SignExtension => "sign_extension",
            Feature::ReferenceTypes => "reference_types",
            Feature::MultiValue => "multi_value",
            Feature::BulkMemory => "bulk_memory",
            Feature::Simd => "simd",
            Feature::RelaxedSimd => "relaxed_simd",
            Feature::Threads => "threads",
            Feature::SharedEverythingThreads => "shared_everything_threads",
            Feature::TailCall => "tail_call",
            Feature::MultiMemory => "multi_memory",
            Feature::Exceptions => "exceptions",
            Feature::LegacyExceptions => "legacy_exceptions",
            Feature::Memory64 => "memory64",
            Feature::ExtendedConst => "extended_const",
            Feature::FunctionReferences => "function_references",
            Feature::MemoryControl => "memory_control",
            Feature::Gc => "gc",
            Feature::CustomPageSizes => "custom_page_sizes",
            Feature::StackSwitching => "stack_switching",
            Feature::WideArithmetic => "wide_arithmetic",
            Feature::CustomDescriptors => "custom_descriptors",
            Feature::CompactImports => "compact_imports",
            Feature::AcquireReleaseAtomics => "acquire_release_atomics",
            Feature::MultibyteArrayAccess => "multibyte_array_access",
        }
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The wasmparser features every policy has: float instructions and the type-level gate that
/// `externref` needs (both part of wasmparser's MVP set; neither is a proposal).
pub fn baseline_wasm_features() -> WasmFeatures {
    WasmFeatures::MVP
}

/// Everything the validator enforces, and the runtime limits other stages read.
///
/// `Policy::default()` is the `script` profile. In JSON every field is optional (missing fields
/// take the `script` default) and unknown fields are an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Largest accepted module, in bytes.
    pub max_module_size: u64,
    /// Most functions the module may define (imports not counted).
    pub max_functions: u32,
    /// Most imports of any kind.
    pub max_imports: u32,
    /// Most exports of any kind.
    pub max_exports: u32,
    /// Most globals the module may define.
    pub max_globals: u32,
    /// Most data segments.
    pub max_data_segments: u32,
    /// Most element segments.
    pub max_element_segments: u32,
    /// Most declared locals in one function (parameters not counted).
    pub max_locals_per_function: u32,
    /// Largest function body, in bytes (locals and code).
    pub max_function_body_size: u32,
    /// Largest total size of all custom sections, in bytes (names and payloads).
    pub max_custom_sections_size: u64,
    /// Most memories (imported + defined).
    pub max_memories: u32,
    /// Memory cap in 64 KiB pages: a larger declared minimum is refused; a maximum that is
    /// absent or larger is accepted and lowered to this at prepare time.
    pub max_memory_pages: u64,
    /// Most tables (imported + defined).
    pub max_tables: u32,
    /// Table cap in elements: a larger initial size is refused; a maximum that is absent or
    /// larger is accepted and lowered to this at prepare time.
    pub max_table_elements: u64,
    /// The WebAssembly proposals a module may use (an explicit set; anything else is refused).
    pub features: BTreeSet<Feature>,
    /// The only functions a module may import, each with its exact signature. Imports of any
    /// other kind (memory, table, global, tag) are always refused.
    pub imports: Vec<HostFunction>,
    /// ABI versions accepted in the `ugc_abi` custom section (required when importing from `ugc`).
    pub abi_versions: Vec<u32>,
    /// Fuel a guest gets per host→guest call (roughly: instructions). Read by the runtime.
    pub fuel_per_call: u64,
    /// Most live host handles a guest may hold at once. Read by the runtime.
    pub max_live_handles: u32,
    /// Most bytes of host-side memory (values, batch entries, logs, buffers the host keeps for
    /// it) one script may hold at once; past it the script faults `memory_limit`. Read by the
    /// runtime.
    pub max_host_memory: u64,
    /// Wall-clock limit of one call, in milliseconds, where the host can enforce it (worker and
    /// WASI isolation). Read by the runtime.
    pub timeout_ms: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::script()
    }
}

/// A policy JSON that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid policy: {message}")]
pub struct PolicyError {
    pub message: String,
}

impl Policy {
    /// The built-in profile names, for `Policy::profile`.
    pub const PROFILES: &'static [&'static str] = &["script", "wasi"];

    /// The default profile: a per-node Godot script importing only the `ugc` host ABI.
    pub fn script() -> Self {
        Policy {
            max_module_size: 16 * MIB,
            max_functions: 20_000,
            max_imports: 1_000,
            max_exports: 1_000,
            max_globals: 1_000,
            max_data_segments: 10_000,
            max_element_segments: 1_000,
            max_locals_per_function: 10_000,
            max_function_body_size: 2 * MIB as u32,
            max_custom_sections_size: 4 * MIB,
            max_memories: 1,
            max_memory_pages: 1_024,
            max_tables: 8,
            max_table_elements: 10_000,
            features: Feature::DEFAULTS.iter().copied().collect(),
            imports: abi::script_imports(),
            abi_versions: vec![abi::ABI_VERSION],
            fuel_per_call: 10_000_000,
            max_live_handles: 65_536,
            max_host_memory: 16 * MIB,
            timeout_ms: 1_000,
        }
    }

    /// WASI services (e.g. container2wasm images): exactly the `wasi_snapshot_preview1` imports,
    /// up to 4 GiB of memory, large modules, and more fuel and time per call.
    pub fn wasi() -> Self {
        Policy {
            max_module_size: 256 * MIB,
            max_functions: 1_000_000,
            max_imports: 1_000,
            max_exports: 10_000,
            max_globals: 100_000,
            max_data_segments: 100_000,
            max_element_segments: 10_000,
            max_locals_per_function: 50_000,
            max_function_body_size: 7_654_321,
            max_custom_sections_size: 64 * MIB,
            max_memories: 1,
            max_memory_pages: 65_536,
            max_tables: 8,
            max_table_elements: 1_000_000,
            features: Feature::DEFAULTS.iter().copied().collect(),
            imports: abi::wasi_imports(),
            abi_versions: vec![abi::ABI_VERSION],
            fuel_per_call: 10_000_000_000,
            max_live_handles: 65_536,
            max_host_memory: 64 * MIB,
            timeout_ms: 30_000,
        }
    }

    /// A built-in profile by name (`script` or `wasi`).
    pub fn profile(name: &str) -> Option<Policy> {
        match name {
            "script" => Some(Policy::script()),
            "wasi" => Some(Policy::wasi()),
            _ => None,
        }
    }

    /// Parses a (possibly partial) policy; missing fields take the `script` defaults.
    pub fn from_json(json: &str) -> Result<Policy, PolicyError> {
        Policy::from_json_over(json, &Policy::script())
    }

    /// Parses a (possibly partial) policy; missing fields keep their value in `base`
    /// (e.g. a JSON file of overrides on top of the `wasi` profile).
    pub fn from_json_over(json: &str, base: &Policy) -> Result<Policy, PolicyError> {
        let err = |e: serde_json::Error| PolicyError {
            message: e.to_string(),
        };
        // Deserializing into `Policy` first gives serde's precise errors (unknown field, wrong
        // type, unknown feature name) with line and column.
        serde_json::from_str::<Policy>(json).map_err(err)?;
        let overrides: serde_json::Value = serde_json::from_str(json).map_err(err)?;
        let serde_json::Value::Object(overrides) = overrides else {
            return Err(PolicyError {
                message: "a policy must be a JSON object".into(),
            });
        };
        let mut merged = serde_json::to_value(base).map_err(err)?;
        if let serde_json::Value::Object(fields) = &mut merged {
            fields.extend(overrides);
        }
        serde_json::from_value(merged).map_err(err)
    }

    /// The wasmparser feature set: the baseline plus every allowed proposal.
    pub fn wasm_features(&self) -> WasmFeatures {
        self.features
            .iter()
            .fold(baseline_wasm_features(), |acc, f| acc | f.wasm_features())
    }

    /// Whether `feature` is allowed.
    pub fn allows(&self, feature: Feature) -> bool {
        self.features.contains(&feature)
    }

    /// The memory cap in bytes.
    pub fn max_memory_bytes(&self) -> u64 {
        self.max_memory_pages.saturating_mul(WASM_PAGE_SIZE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_script_profile() {
        assert_eq!(Policy::default(), Policy::script());
        assert_eq!(Policy::profile("script"), Some(Policy::script()));
        assert_eq!(Policy::profile("wasi"), Some(Policy::wasi()));
        assert_eq!(Policy::profile("nope"), None);
        assert_eq!(Policy::script().max_memory_bytes(), 64 * MIB);
    }

    #[test]
    fn json_round_trips() {
        for p in [Policy::script(), Policy::wasi()] {
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(Policy::from_json(&json).unwrap(), p);
        }
    }

    #[test]
    fn partial_json_takes_defaults() {
        let p = Policy::from_json(r#"{"max_memory_pages": 16, "features": ["simd"]}"#).unwrap();
        assert_eq!(p.max_memory_pages, 16);
        assert_eq!(p.features, BTreeSet::from([Feature::Simd]));
        assert_eq!(p.max_module_size, Policy::script().max_module_size);
        assert_eq!(p.imports, abi::script_imports());
    }

    #[test]
    fn partial_json_over_base_profile() {
        let p = Policy::from_json_over(r#"{"timeout_ms": 5}"#, &Policy::wasi()).unwrap();
        assert_eq!(p.timeout_ms, 5);
        assert_eq!(p.imports, abi::wasi_imports());
    }

    #[test]
    fn rejects_unknown_fields_and_features() {
        let e = Policy::from_json(r#"{"max_memory": 1}"#).unwrap_err();
        assert!(e.message.contains("unknown field `max_memory`"), "{e}");
        let e = Policy::from_json(r#"{"features": ["teleport"]}"#).unwrap_err();
        assert!(e.message.contains("unknown variant `teleport`"), "{e}");
        assert!(Policy::from_json("[]").is_err());
        assert!(Policy::from_json(r#"{"max_memory_pages": -1}"#).is_err());
    }

    #[test]
    fn feature_names_match_serde() {
        for f in Feature::ALL {
            let json = serde_json::to_string(f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.name()));
        }
    }

    #[test]
    fn default_features_are_wasm2() {
        assert_eq!(
            Policy::script().wasm_features(),
            WasmFeatures::WASM2,
            "the default set is WebAssembly 2.0 plus wasmparser's MVP baseline"
        );
    }
}
