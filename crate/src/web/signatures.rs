//! Exported function signatures, read straight from the module's type, function and export sections.

use std::collections::BTreeMap;

use serde::Serialize;
use wasmparser::{Parser, Payload, ValType};

#[derive(Serialize)]
pub(crate) struct Signature {
    params: Vec<&'static str>,
    results: Vec<&'static str>,
}

fn type_name(ty: ValType) -> &'static str {
    match ty {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        ValType::V128 => "v128",
        ValType::Ref(_) => "ref",
    }
}

/// Export name → signature, for every exported function (imported ones included).
pub(crate) fn export_signatures(
    bytes: &[u8],
) -> Result<BTreeMap<String, Signature>, wasmparser::BinaryReaderError> {
    // Function types by type index (`None` for non-function types such as GC structs).
    let mut types: Vec<Option<(Vec<ValType>, Vec<ValType>)>> = Vec::new();
    // Type index of every function, imports first.
    let mut functions: Vec<u32> = Vec::new();
    let mut exports: Vec<(String, u32)> = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::TypeSection(reader) => {
                for group in reader.into_iter() {
                    for sub in group?.into_types() {
                        types.push(sub.composite_type.inner.as_func().map(|f| {
                            (f.params().to_vec(), f.results().to_vec())
                        }));
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if let wasmparser::TypeRef::Func(index) = import?.ty {
                        functions.push(index);
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for index in reader {
                    functions.push(index?);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    if export.kind == wasmparser::ExternalKind::Func {
                        exports.push((export.name.to_owned(), export.index));
                    }
                }
            }
            _ => {}
        }
    }
    let mut signatures = BTreeMap::new();
    for (name, func) in exports {
        let ty = functions.get(func as usize).and_then(|&t| types.get(t as usize)).and_then(Option::as_ref);
        if let Some((params, results)) = ty {
            signatures.insert(
                name,
                Signature {
                    params: params.iter().copied().map(type_name).collect(),
                    results: results.iter().copied().map(type_name).collect(),
                },
            );
        }
    }
    Ok(signatures)
}
