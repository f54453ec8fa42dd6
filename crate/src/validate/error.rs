//! The typed validation errors: a stable snake_case code, a human message and, where known, the
//! byte offset in the module. Also the mapping from wasmparser's errors to those codes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Stable machine-readable reason for a refusal. Serialized as a snake_case string; docs/POLICY.md
/// lists every code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationCode {
    /// The bytes are not a well-formed binary module (bad magic, truncated, bad LEB…).
    Malformed,
    /// Well-formed but invalid WebAssembly (type mismatch, unknown index…).
    Invalid,
    /// The module uses a proposal the policy does not allow.
    FeatureNotAllowed,
    /// A component, not a core module.
    ComponentNotAllowed,
    ModuleTooLarge,
    TooManyFunctions,
    TooManyImports,
    TooManyExports,
    TooManyGlobals,
    TooManyDataSegments,
    TooManyElementSegments,
    TooManyLocals,
    FunctionBodyTooLarge,
    CustomSectionsTooLarge,
    TooManyMemories,
    /// A memory's declared minimum is above the policy cap.
    MemoryTooLarge,
    TooManyTables,
    /// A table's initial size is above the policy cap.
    TableTooLarge,
    /// A function import that is not on the allow-list.
    ImportNotAllowed,
    /// A function import on the allow-list, but with another signature.
    ImportSignatureMismatch,
    /// An import of a memory, table, global or tag (only functions may be imported).
    ImportKindNotAllowed,
    /// An import or export named `__ugc_*` (reserved for the runtime).
    ReservedName,
    /// A lifecycle export (`_ready`, `_process`, …) with the wrong kind or signature.
    LifecycleSignatureMismatch,
    /// The module imports from `ugc` but has no `ugc_abi` custom section.
    AbiVersionMissing,
    /// The `ugc_abi` section names a version the policy does not accept.
    AbiVersionUnsupported,
    /// The `ugc_abi` section is not exactly one little-endian u32, or appears twice.
    AbiVersionMalformed,
}

impl ViolationCode {
    /// The snake_case name, as serialized.
    pub fn as_str(self) -> &'static str {
        use ViolationCode::*;
        match self {
            Malformed => "malformed",
            Invalid => "invalid",
            FeatureNotAllowed => "feature_not_allowed",
            ComponentNotAllowed => "component_not_allowed",
            ModuleTooLarge => "module_too_large",
            TooManyFunctions => "too_many_functions",
            TooManyImports => "too_many_imports",
            TooManyExports => "too_many_exports",
            TooManyGlobals => "too_many_globals",
            TooManyDataSegments => "too_many_data_segments",
            TooManyElementSegments => "too_many_element_segments",
            TooManyLocals => "too_many_locals",
            FunctionBodyTooLarge => "function_body_too_large",
            CustomSectionsTooLarge => "custom_sections_too_large",
            TooManyMemories => "too_many_memories",
            MemoryTooLarge => "memory_too_large",
            TooManyTables => "too_many_tables",
            TableTooLarge => "table_too_large",
            ImportNotAllowed => "import_not_allowed",
            ImportSignatureMismatch => "import_signature_mismatch",
            ImportKindNotAllowed => "import_kind_not_allowed",
            ReservedName => "reserved_name",
            LifecycleSignatureMismatch => "lifecycle_signature_mismatch",
            AbiVersionMissing => "abi_version_missing",
            AbiVersionUnsupported => "abi_version_unsupported",
            AbiVersionMalformed => "abi_version_malformed",
        }
    }
}

impl fmt::Display for ViolationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason a module is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub code: ViolationCode,
    pub message: String,
    /// Byte offset in the module, where known.
    pub offset: Option<u64>,
}

impl Violation {
    pub fn new(code: ViolationCode, message: impl Into<String>, offset: Option<u64>) -> Self {
        Violation {
            code,
            message: message.into(),
            offset,
        }
    }

    /// Maps a wasmparser error. `decoding` says whether it came from splitting the module into
    /// sections (always a malformed binary) rather than from validating a section.
    pub fn from_wasmparser(e: &wasmparser::BinaryReaderError, decoding: bool) -> Self {
        // One line per violation: some wasmparser messages embed pretty-printed byte lists.
        let message = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
        let code = if e.missing_wasm_feature().is_some() || mentions_missing_feature(&message) {
            ViolationCode::FeatureNotAllowed
        } else if decoding || is_malformed(&message) {
            ViolationCode::Malformed
        } else {
            ViolationCode::Invalid
        };
        Violation::new(code, message, Some(e.offset()))
    }
}

/// wasmparser does not tag every feature error with the missing feature; these are the phrasings
/// its messages use for "this proposal is not enabled".
fn mentions_missing_feature(message: &str) -> bool {
    const PHRASES: &[&str] = &[
        "not enabled",
        "must be enabled",
        "feature required",
        "proposal not supported",
        "not supported without",
        "require the",
        "requires the",
        "require the bulk-memory",
        "multi-value feature",
        "proposal disabled",
        "because the gc proposal is disabled",
        // Said when a second memory (multi-memory) or table (reference types) is not allowed.
        "multiple memories",
        "multiple tables",
    ];
    let lower = message.to_ascii_lowercase();
    PHRASES.iter().any(|p| lower.contains(p))
}

/// Decoding failures (as opposed to type/validation failures), by wasmparser's phrasing.
fn is_malformed(message: &str) -> bool {
    const PHRASES: &[&str] = &[
        "unexpected end",
        "magic header",
        "unknown binary version",
        "leb",
        "integer representation too long",
        "integer too large",
        "malformed",
        "section size mismatch",
        "unexpected content",
        "illegal opcode",
        "invalid section",
        "utf-8",
        "out of bounds: section",
        "unknown section",
        "section out of order",
        "trailing bytes",
        "invalid leading byte",
    ];
    let lower = message.to_ascii_lowercase();
    PHRASES.iter().any(|p| lower.contains(p))
}

/// Why a module was refused: every violation found (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationError {
    pub errors: Vec<Violation>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(offset) = self.offset {
            write!(f, " (offset {offset})")?;
        }
        Ok(())
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

impl ValidationError {
    /// The codes of all violations, in order (handy for tests and logs).
    pub fn codes(&self) -> Vec<ViolationCode> {
        self.errors.iter().map(|v| v.code).collect()
    }

    /// Whether any violation has `code`.
    pub fn has(&self, code: ViolationCode) -> bool {
        self.errors.iter().any(|v| v.code == code)
    }
}
