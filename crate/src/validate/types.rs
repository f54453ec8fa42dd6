//! The type section: the module's signatures (kept for import/export checks and the report) and
//! the proposals its types imply.

use wasmparser::{CompositeInnerType, FuncType, RefType, TypeSectionReader, ValType};

use super::detect::FeatureBits;
use super::Scan;
use crate::abi;
use crate::policy::Feature;
use crate::report::Signature;

impl Scan<'_> {
    pub(super) fn type_section(&mut self, reader: TypeSectionReader<'_>) -> wasmparser::Result<()> {
        for group in reader {
            let group = group?;
            if group.is_explicit_rec_group() {
                self.used.insert(Feature::Gc);
            }
            for sub in group.into_types() {
                if !sub.is_final || !sub.supertype_idxs.is_empty() {
                    self.used.insert(Feature::Gc);
                }
                match sub.composite_type.inner {
                    CompositeInnerType::Func(ft) => {
                        if ft.results().len() > 1 {
                            self.used.insert(Feature::MultiValue);
                        }
                        for ty in ft.params().iter().chain(ft.results()) {
                            note_val_type(&mut self.used, *ty);
                        }
                        self.types.push(Some(ft));
                    }
                    CompositeInnerType::Cont(_) => {
                        self.used.insert(Feature::StackSwitching);
                        self.types.push(None);
                    }
                    CompositeInnerType::Array(_) | CompositeInnerType::Struct(_) => {
                        self.used.insert(Feature::Gc);
                        self.types.push(None);
                    }
                }
            }
        }
        self.report.types = u32::try_from(self.types.len()).unwrap_or(u32::MAX);
        Ok(())
    }

    /// The signature of type `index`, if it is a function type.
    pub(super) fn func_type(&self, type_index: u32) -> Option<&FuncType> {
        self.types.get(type_index as usize)?.as_ref()
    }

    /// The signature of function `index` (imports first).
    pub(super) fn function_signature(&self, func_index: u32) -> Option<&FuncType> {
        let ty = *self.func_types.get(func_index as usize)?;
        self.func_type(ty)
    }
}

/// Notes the proposal a value type belongs to (SIMD for `v128`, reference types for refs,
/// GC/function references for typed refs).
pub(super) fn note_val_type(used: &mut FeatureBits, ty: ValType) {
    match ty {
        ValType::V128 => used.insert(Feature::Simd),
        ValType::Ref(r) => note_ref_type(used, r),
        _ => {}
    }
}

pub(super) fn note_ref_type(used: &mut FeatureBits, r: RefType) {
    used.insert(Feature::ReferenceTypes);
    if r != RefType::FUNCREF && r != RefType::EXTERNREF {
        used.insert(Feature::FunctionReferences);
    }
}

/// A value type as the host ABI names it (`None` for types outside the ABI's vocabulary).
pub(super) fn abi_val_type(ty: ValType) -> Option<abi::ValType> {
    Some(match ty {
        ValType::I32 => abi::ValType::I32,
        ValType::I64 => abi::ValType::I64,
        ValType::F32 => abi::ValType::F32,
        ValType::F64 => abi::ValType::F64,
        ValType::V128 => abi::ValType::V128,
        ValType::Ref(RefType::FUNCREF) => abi::ValType::Funcref,
        ValType::Ref(RefType::EXTERNREF) => abi::ValType::Externref,
        ValType::Ref(_) => return None,
    })
}

/// Whether `ft` is exactly `params -> results`.
pub(super) fn signature_matches(
    ft: &FuncType,
    params: &[abi::ValType],
    results: &[abi::ValType],
) -> bool {
    let same = |have: &[ValType], want: &[abi::ValType]| {
        have.len() == want.len()
            && have
                .iter()
                .zip(want)
                .all(|(h, w)| abi_val_type(*h) == Some(*w))
    };
    same(ft.params(), params) && same(ft.results(), results)
}

pub(super) fn signature(ft: &FuncType) -> Signature {
    Signature {
        params: ft.params().iter().map(|t| t.to_string()).collect(),
        results: ft.results().iter().map(|t| t.to_string()).collect(),
    }
}

/// `(i32, i32) -> (f64)`, for messages.
pub(super) fn display_signature(params: &[String], results: &[String]) -> String {
    format!("({}) -> ({})", params.join(", "), results.join(", "))
}

/// The same for an ABI signature.
pub(super) fn display_abi_signature(params: &[abi::ValType], results: &[abi::ValType]) -> String {
    let names =
        |ts: &[abi::ValType]| -> Vec<String> { ts.iter().map(|t| t.name().to_owned()).collect() };
    display_signature(&names(params), &names(results))
}
