//! Counts and sizes: functions, globals, segments, memories and tables against the policy's caps.
//! A memory or table whose maximum is absent or above the cap is accepted: prepare lowers it, and
//! the report shows both the declared and the effective limits.

use wasmparser::{
    DataKind, DataSectionReader, ElementItems, ElementKind, ElementSectionReader,
    FunctionSectionReader, GlobalSectionReader, MemorySectionReader, MemoryType, RefType,
    TableSectionReader, TableType,
};

use super::types::{note_ref_type, note_val_type};
use super::{Scan, ViolationCode};
use crate::policy::Feature;
use crate::report::{Limits, MemoryInfo, TableInfo};

impl Scan<'_> {
    pub(super) fn function_section(
        &mut self,
        reader: FunctionSectionReader<'_>,
    ) -> wasmparser::Result<()> {
        let offset = reader.range().start;
        let count = reader.count();
        self.report.functions = count;
        self.check_count(
            ViolationCode::TooManyFunctions,
            "functions",
            count.into(),
            self.policy.max_functions,
            offset,
        );
        for ty in reader {
            self.func_types.push(ty?);
        }
        Ok(())
    }

    pub(super) fn memory_section(
        &mut self,
        reader: MemorySectionReader<'_>,
    ) -> wasmparser::Result<()> {
        for item in reader.into_iter_with_offsets() {
            let (offset, mt) = item?;
            self.add_memory(offset, mt, false);
        }
        Ok(())
    }

    pub(super) fn table_section(
        &mut self,
        reader: TableSectionReader<'_>,
    ) -> wasmparser::Result<()> {
        for item in reader.into_iter_with_offsets() {
            let (offset, table) = item?;
            self.add_table(offset, table.ty, false);
        }
        Ok(())
    }

    pub(super) fn global_section(
        &mut self,
        reader: GlobalSectionReader<'_>,
    ) -> wasmparser::Result<()> {
        let offset = reader.range().start;
        let count = reader.count();
        self.report.globals = count;
        self.check_count(
            ViolationCode::TooManyGlobals,
            "globals",
            count.into(),
            self.policy.max_globals,
            offset,
        );
        for global in reader {
            let ty = global?.ty;
            self.global_mutable.push(ty.mutable);
            note_val_type(&mut self.used, ty.content_type);
        }
        Ok(())
    }

    pub(super) fn element_section(
        &mut self,
        reader: ElementSectionReader<'_>,
    ) -> wasmparser::Result<()> {
        let offset = reader.range().start;
        let count = reader.count();
        self.report.element_segments = count;
        self.check_count(
            ViolationCode::TooManyElementSegments,
            "element segments",
            count.into(),
            self.policy.max_element_segments,
            offset,
        );
        for element in reader {
            let element = element?;
            match element.kind {
                ElementKind::Passive => self.used.insert(Feature::BulkMemory),
                ElementKind::Declared => self.used.insert(Feature::ReferenceTypes),
                ElementKind::Active { table_index, .. } => {
                    if table_index.is_some_and(|t| t != 0) {
                        self.used.insert(Feature::ReferenceTypes);
                    }
                }
            }
            if let ElementItems::Expressions(ty, _) = element.items {
                if ty != RefType::FUNCREF {
                    note_ref_type(&mut self.used, ty);
                }
            }
        }
        Ok(())
    }

    pub(super) fn data_section(&mut self, reader: DataSectionReader<'_>) -> wasmparser::Result<()> {
        let offset = reader.range().start;
        let count = reader.count();
        self.report.data_segments = count;
        self.check_count(
            ViolationCode::TooManyDataSegments,
            "data segments",
            count.into(),
            self.policy.max_data_segments,
            offset,
        );
        for data in reader {
            if let DataKind::Passive = data?.kind {
                self.used.insert(Feature::BulkMemory);
            }
        }
        Ok(())
    }

    /// A memory, imported or defined: the cap on its minimum, its effective maximum, the count.
    pub(super) fn add_memory(&mut self, offset: u64, mt: MemoryType, imported: bool) {
        let index = self.report.memories.len();
        if mt.memory64 {
            self.used.insert(Feature::Memory64);
        }
        if mt.shared {
            self.used.insert(Feature::Threads);
        }
        if mt.page_size_log2.is_some() {
            self.used.insert(Feature::CustomPageSizes);
        }
        if index == 1 {
            self.used.insert(Feature::MultiMemory);
        }
        // Report the excess once, at the first memory over the limit.
        let count = index as u64 + 1;
        if count == u64::from(self.policy.max_memories) + 1 {
            self.check_count(
                ViolationCode::TooManyMemories,
                "memories",
                count,
                self.policy.max_memories,
                offset,
            );
        }
        let cap = self.policy.max_memory_pages;
        if self.enforce && mt.initial > cap {
            self.violate(
                ViolationCode::MemoryTooLarge,
                format!(
                    "memory {index} declares a minimum of {} pages ({} MiB), the policy allows at most {cap} pages ({} MiB)",
                    mt.initial,
                    mt.initial.saturating_mul(64) / 1024,
                    cap.saturating_mul(64) / 1024
                ),
                Some(offset),
            );
        }
        let declared = Limits {
            initial: mt.initial,
            maximum: mt.maximum,
        };
        let (effective, capped) = self.capped(declared, cap);
        if capped {
            self.report.notes.push(format!(
                "memory {index}: maximum {} lowered to the policy cap of {cap} pages at prepare time",
                describe_max(mt.maximum, "pages")
            ));
        }
        self.report.memories.push(MemoryInfo {
            imported,
            memory64: mt.memory64,
            shared: mt.shared,
            declared,
            effective,
            capped,
        });
    }

    /// A table, imported or defined: the cap on its initial size, its effective maximum, the count.
    pub(super) fn add_table(&mut self, offset: u64, tt: TableType, imported: bool) {
        let index = self.report.tables.len();
        if index >= 1 || tt.element_type != RefType::FUNCREF {
            note_ref_type(&mut self.used, tt.element_type);
        }
        if tt.table64 {
            self.used.insert(Feature::Memory64);
        }
        let count = index as u64 + 1;
        if count == u64::from(self.policy.max_tables) + 1 {
            self.check_count(
                ViolationCode::TooManyTables,
                "tables",
                count,
                self.policy.max_tables,
                offset,
            );
        }
        let cap = self.policy.max_table_elements;
        if self.enforce && tt.initial > cap {
            self.violate(
                ViolationCode::TableTooLarge,
                format!(
                    "table {index} declares {} initial elements, the policy allows at most {cap}",
                    tt.initial
                ),
                Some(offset),
            );
        }
        let declared = Limits {
            initial: tt.initial,
            maximum: tt.maximum,
        };
        let (effective, capped) = self.capped(declared, cap);
        if capped {
            self.report.notes.push(format!(
                "table {index}: maximum {} lowered to the policy cap of {cap} elements at prepare time",
                describe_max(tt.maximum, "elements")
            ));
        }
        self.report.tables.push(TableInfo {
            imported,
            element_type: tt.element_type.to_string(),
            declared,
            effective,
            capped,
        });
    }

    /// The limits prepare will apply: the maximum lowered to `cap` (inspect applies no cap).
    fn capped(&self, declared: Limits, cap: u64) -> (Limits, bool) {
        if !self.enforce {
            return (declared, false);
        }
        let capped = declared.maximum.is_none_or(|m| m > cap);
        let maximum = declared.maximum.map_or(cap, |m| m.min(cap));
        (
            Limits {
                initial: declared.initial.min(cap),
                maximum: Some(maximum),
            },
            capped,
        )
    }
}

fn describe_max(maximum: Option<u64>, unit: &str) -> String {
    match maximum {
        Some(m) => format!("of {m} {unit}"),
        None => "(none declared)".to_owned(),
    }
}
