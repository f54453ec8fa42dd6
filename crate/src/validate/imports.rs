//! The import section: only allow-listed host functions with their exact signatures; every other
//! import (any other function, or any memory, table, global or tag) is refused by name.

use wasmparser::{ImportSectionReader, TypeRef};

use super::types::{display_abi_signature, display_signature, signature, signature_matches};
use super::{Scan, ViolationCode};
use crate::abi;
use crate::policy::Feature;
use crate::report::{ExternKind, ImportInfo};

impl Scan<'_> {
    pub(super) fn import_section(
        &mut self,
        reader: ImportSectionReader<'_>,
    ) -> wasmparser::Result<()> {
        let section_offset = reader.range().start;
        let mut count: u64 = 0;
        for item in reader.into_imports_with_offsets() {
            let (offset, import) = item?;
            count += 1;
            self.import(offset, import.module, import.name, import.ty);
        }
        self.check_count(
            ViolationCode::TooManyImports,
            "imports",
            count,
            self.policy.max_imports,
            section_offset,
        );
        Ok(())
    }

    fn import(&mut self, offset: u64, module: &str, name: &str, ty: TypeRef) {
        let kind = extern_kind(ty);
        let mut info = ImportInfo {
            module: module.to_owned(),
            name: name.to_owned(),
            kind,
            signature: None,
        };
        let reserved = is_reserved(module) || is_reserved(name);
        if reserved {
            self.violate(
                ViolationCode::ReservedName,
                format!(
                    "import `{module}`.`{name}`: names starting with `{}` are reserved for the runtime",
                    abi::RESERVED_PREFIX
                ),
                Some(offset),
            );
        }
        if module == abi::HOST_MODULE && self.host_import_offset.is_none() {
            self.host_import_offset = Some(offset);
        }
        match ty {
            TypeRef::Func(type_index) | TypeRef::FuncExact(type_index) => {
                self.func_types.push(type_index);
                self.report.imported_functions += 1;
                info.signature = self.func_type(type_index).map(signature);
                if !reserved {
                    self.check_function_import(offset, module, name, type_index);
                }
            }
            TypeRef::Memory(mt) => {
                self.add_memory(offset, mt, true);
                self.refuse_kind(offset, module, name, kind);
            }
            TypeRef::Table(tt) => {
                self.add_table(offset, tt, true);
                self.refuse_kind(offset, module, name, kind);
            }
            TypeRef::Global(gt) => {
                self.global_mutable.push(gt.mutable);
                if gt.mutable {
                    self.used.insert(Feature::MutableGlobal);
                }
                super::types::note_val_type(&mut self.used, gt.content_type);
                self.refuse_kind(offset, module, name, kind);
            }
            TypeRef::Tag(tag) => {
                self.used.insert(Feature::Exceptions);
                info.signature = self.func_type(tag.func_type_idx).map(signature);
                self.refuse_kind(offset, module, name, kind);
            }
        }
        self.report.imports.push(info);
    }

    fn check_function_import(&mut self, offset: u64, module: &str, name: &str, type_index: u32) {
        let allowed = self
            .policy
            .imports
            .iter()
            .find(|f| f.module == module && f.name == name);
        let Some(allowed) = allowed else {
            self.violate(
                ViolationCode::ImportNotAllowed,
                format!("import `{module}`.`{name}` is not an allowed host function"),
                Some(offset),
            );
            return;
        };
        let declared = self.func_type(type_index);
        if declared.is_some_and(|ft| signature_matches(ft, &allowed.params, &allowed.results)) {
            return;
        }
        let declared = declared
            .map(signature)
            .map(|s| display_signature(&s.params, &s.results))
            .unwrap_or_else(|| "a non-function type".to_owned());
        let expected = display_abi_signature(&allowed.params, &allowed.results);
        self.violate(
            ViolationCode::ImportSignatureMismatch,
            format!("import `{module}`.`{name}` must have signature {expected}, found {declared}"),
            Some(offset),
        );
    }

    fn refuse_kind(&mut self, offset: u64, module: &str, name: &str, kind: ExternKind) {
        self.violate(
            ViolationCode::ImportKindNotAllowed,
            format!(
                "import `{module}`.`{name}` is a {}; only host functions may be imported",
                kind.name()
            ),
            Some(offset),
        );
    }
}

pub(super) fn is_reserved(name: &str) -> bool {
    name.starts_with(abi::RESERVED_PREFIX)
}

fn extern_kind(ty: TypeRef) -> ExternKind {
    match ty {
        TypeRef::Func(_) | TypeRef::FuncExact(_) => ExternKind::Func,
        TypeRef::Table(_) => ExternKind::Table,
        TypeRef::Memory(_) => ExternKind::Memory,
        TypeRef::Global(_) => ExternKind::Global,
        TypeRef::Tag(_) => ExternKind::Tag,
    }
}
