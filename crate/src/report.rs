//! `ModuleReport`: what a module is — imports, exports, memory and table limits (declared and
//! effective after the policy's caps), counts, proposals used, custom sections, size, SHA-256.
//! Serialized as-is by `ugc-wasm --json` and returned by the JS `rt.validate()`.

use serde::{Deserialize, Serialize};

use crate::policy::Feature;

/// A function signature; value types as wasm text names (`i32`, `f64`, `v128`, `externref`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub params: Vec<String>,
    pub results: Vec<String>,
}

/// Kind of an import or export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternKind {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

impl ExternKind {
    pub fn name(self) -> &'static str {
        match self {
            ExternKind::Func => "func",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
            ExternKind::Tag => "tag",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportInfo {
    pub module: String,
    pub name: String,
    pub kind: ExternKind,
    /// For function imports (and tags): the signature. `None` for other kinds.
    pub signature: Option<Signature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportInfo {
    pub name: String,
    pub kind: ExternKind,
    /// Index in the kind's index space.
    pub index: u32,
    /// For function exports: the signature.
    pub signature: Option<Signature>,
}

/// Minimum and optional maximum, in pages (memories) or elements (tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub initial: u64,
    pub maximum: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryInfo {
    pub imported: bool,
    pub memory64: bool,
    pub shared: bool,
    /// As declared by the module (pages).
    pub declared: Limits,
    /// After the policy cap: what prepare will give the instance (pages).
    pub effective: Limits,
    /// True when the declared maximum was absent or above the cap and prepare lowers it.
    pub capped: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableInfo {
    pub imported: bool,
    /// Element type in wasm text form (`funcref`, `externref`, …).
    pub element_type: String,
    pub declared: Limits,
    pub effective: Limits,
    pub capped: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomSectionInfo {
    pub name: String,
    /// Payload size in bytes (without the name).
    pub size: u64,
}

/// Everything the validator learned about an accepted module.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleReport {
    /// Module size in bytes.
    pub size: u64,
    /// SHA-256 of the module bytes, lowercase hex.
    pub sha256: String,
    /// The version in the `ugc_abi` custom section, if any.
    pub abi_version: Option<u32>,
    pub imports: Vec<ImportInfo>,
    pub exports: Vec<ExportInfo>,
    pub memories: Vec<MemoryInfo>,
    pub tables: Vec<TableInfo>,
    /// Number of entries in the type section.
    pub types: u32,
    /// Functions defined by the module (imports not counted).
    pub functions: u32,
    /// Functions imported.
    pub imported_functions: u32,
    /// Globals defined by the module.
    pub globals: u32,
    pub data_segments: u32,
    pub element_segments: u32,
    /// Whether the module has a start function (runs at instantiation).
    pub has_start: bool,
    /// Proposals the module actually uses (from its types, declarations and operators), sorted.
    pub features_used: Vec<Feature>,
    pub custom_sections: Vec<CustomSectionInfo>,
    /// Human-readable remarks that are not violations (e.g. a memory maximum that will be capped).
    pub notes: Vec<String>,
}
