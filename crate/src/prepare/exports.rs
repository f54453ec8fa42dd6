//! The reserved `__ugc_*` exports prepare adds, and the guard against a guest using those names.

use super::{PrepareError, FUEL_EXPORT, MEMORY_EXPORT};
use wasm_encoder::{ExportKind, ExportSection};

/// Every name the runtime adds starts with this; guests may not use it.
pub(crate) const RESERVED_PREFIX: &str = "__ugc_";

/// Refuses a guest export that would collide with (or impersonate) a reserved one, or that
/// names an index only metering adds.
pub(crate) fn check_guest_export(
    name: &str,
    kind: wasmparser::ExternalKind,
    index: u32,
    fuel_global: Option<u32>,
) -> Result<(), PrepareError> {
    if name.starts_with(RESERVED_PREFIX) {
        return Err(PrepareError::new(
            "reserved_name",
            format!("export {name:?} uses the reserved prefix {RESERVED_PREFIX:?}"),
            None,
        ));
    }
    if kind == wasmparser::ExternalKind::Global && fuel_global.is_some_and(|fuel| index >= fuel) {
        return Err(PrepareError::new(
            "invalid_index",
            format!("export {name:?} names global {index}, which does not exist"),
            None,
        ));
    }
    Ok(())
}

/// Appends the reserved exports: the fuel global and memory 0.
pub(crate) fn add_reserved(
    exports: &mut ExportSection,
    fuel_global: Option<u32>,
    has_memory: bool,
) {
    if let Some(global) = fuel_global {
        exports.export(FUEL_EXPORT, ExportKind::Global, global);
    }
    if has_memory {
        exports.export(MEMORY_EXPORT, ExportKind::Memory, 0);
    }
}
