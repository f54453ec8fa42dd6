//! The export section: reserved `__ugc_*` names are refused, and lifecycle entry points
//! (`abi::LIFECYCLE_EXPORTS`) must be functions with exactly the signature the runtime calls.

use wasmparser::{ExportSectionReader, ExternalKind};

use super::imports::is_reserved;
use super::types::{display_abi_signature, display_signature, signature, signature_matches};
use super::{Scan, ViolationCode};
use crate::abi;
use crate::policy::Feature;
use crate::report::{ExportInfo, ExternKind};

impl Scan<'_> {
    pub(super) fn export_section(
        &mut self,
        reader: ExportSectionReader<'_>,
    ) -> wasmparser::Result<()> {
        let section_offset = reader.range().start;
        let count = reader.count();
        self.check_count(
            ViolationCode::TooManyExports,
            "exports",
            count.into(),
            self.policy.max_exports,
            section_offset,
        );
        for item in reader.into_iter_with_offsets() {
            let (offset, export) = item?;
            let kind = match export.kind {
                ExternalKind::Func | ExternalKind::FuncExact => ExternKind::Func,
                ExternalKind::Table => ExternKind::Table,
                ExternalKind::Memory => ExternKind::Memory,
                ExternalKind::Global => ExternKind::Global,
                ExternalKind::Tag => ExternKind::Tag,
            };
            let signature = match kind {
                ExternKind::Func => self.function_signature(export.index).map(signature),
                _ => None,
            };
            if kind == ExternKind::Global
                && self
                    .global_mutable
                    .get(export.index as usize)
                    .copied()
                    .unwrap_or(false)
            {
                self.used.insert(Feature::MutableGlobal);
            }
            if is_reserved(export.name) {
                self.violate(
                    ViolationCode::ReservedName,
                    format!(
                        "export `{}`: names starting with `{}` are reserved for the runtime",
                        export.name,
                        abi::RESERVED_PREFIX
                    ),
                    Some(offset),
                );
            }
            if let Some(lifecycle) = abi::lifecycle_export(export.name) {
                let ok = kind == ExternKind::Func
                    && self.function_signature(export.index).is_some_and(|ft| {
                        signature_matches(ft, lifecycle.params, lifecycle.results)
                    });
                if !ok {
                    let found = match (&signature, kind) {
                        (Some(s), _) => {
                            format!("a function {}", display_signature(&s.params, &s.results))
                        }
                        (None, kind) => format!("a {}", kind.name()),
                    };
                    self.violate(
                        ViolationCode::LifecycleSignatureMismatch,
                        format!(
                            "lifecycle export `{}` must be a function {}, found {found}",
                            lifecycle.name,
                            display_abi_signature(lifecycle.params, lifecycle.results)
                        ),
                        Some(offset),
                    );
                }
            }
            self.report.exports.push(ExportInfo {
                name: export.name.to_owned(),
                kind,
                index: export.index,
                signature,
            });
        }
        Ok(())
    }
}
