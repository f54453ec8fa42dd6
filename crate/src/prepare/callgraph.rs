//! Which functions can receive the fuel counter as an extra parameter (and return it as an extra
//! result) instead of going through the global around every call.
//!
//! Passing the counter in registers removes the store→load chain through the global that
//! otherwise links every call to the next (the cost of metering call-heavy code). A function
//! qualifies ("internal") when every call to it is a direct `call` this pass rewrites: it is not
//! imported, exported, the start function, referenced by `ref.func` or an element segment (so
//! never called indirectly), and takes no part in tail calls. Functions that branch to their own
//! label with `br_table`/`br_on_*` are excluded (the extra result would not fit every target).
//! Modules using exception handling get no internal functions: an exception caught in wasm
//! would drop the counter a callee returns.

use super::PrepareError;
use wasmparser::{ElementItems, Operator, Parser, Payload};

/// The internal functions of a module.
pub(crate) struct CallGraph {
    /// Per function (imports first): whether it is internal.
    pub internal: Vec<bool>,
    /// The type indices of internal functions, sorted and deduplicated: each gets a variant with
    /// the counter appended to its parameters and results.
    pub internal_types: Vec<u32>,
}

/// Scans `bytes` for the functions that may take the counter as a parameter.
pub(crate) fn internal_functions(bytes: &[u8]) -> Result<CallGraph, PrepareError> {
    let mut internal: Vec<bool> = Vec::new();
    let mut types: Vec<u32> = Vec::new();
    let mut imported = 0usize;
    let mut next_body = 0usize;
    let mut exceptions = false;
    let mut escaping: Vec<u32> = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ImportSection(section) => {
                for imports in section {
                    for import in imports?.into_iter() {
                        let (_, import) = import?;
                        if let wasmparser::TypeRef::Func(ty) | wasmparser::TypeRef::FuncExact(ty) =
                            import.ty
                        {
                            internal.push(false);
                            types.push(ty);
                            imported += 1;
                        }
                    }
                }
            }
            Payload::FunctionSection(section) => {
                for ty in section {
                    types.push(ty?);
                    internal.push(true);
                }
            }
            Payload::ExportSection(section) => {
                for export in section {
                    let export = export?;
                    if export.kind == wasmparser::ExternalKind::Func {
                        escaping.push(export.index);
                    }
                }
            }
            Payload::StartSection { func, .. } => escaping.push(func),
            Payload::GlobalSection(section) => {
                for global in section {
                    const_expr_refs(&global?.init_expr, &mut escaping)?;
                }
            }
            Payload::ElementSection(section) => {
                for element in section {
                    match element?.items {
                        ElementItems::Functions(funcs) => {
                            for func in funcs {
                                escaping.push(func?);
                            }
                        }
                        ElementItems::Expressions(_, exprs) => {
                            for expr in exprs {
                                const_expr_refs(&expr?, &mut escaping)?;
                            }
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let this = (imported + next_body) as u32;
                next_body += 1;
                let mut reader = body.get_operators_reader()?;
                let mut depth: u32 = 1;
                while !reader.eof() {
                    let op = reader.read()?;
                    match op {
                        Operator::RefFunc { function_index } => escaping.push(function_index),
                        Operator::ReturnCall { function_index } => {
                            escaping.push(function_index);
                            escaping.push(this);
                        }
                        Operator::ReturnCallIndirect { .. } | Operator::ReturnCallRef { .. } => {
                            escaping.push(this)
                        }
                        Operator::BrTable { .. }
                        | Operator::BrOnNull { .. }
                        | Operator::BrOnNonNull { .. }
                        | Operator::BrOnCast { .. }
                        | Operator::BrOnCastFail { .. }
                        | Operator::BrOnCastDescEq { .. }
                        | Operator::BrOnCastDescEqFail { .. }
                            if super::fuel::branch_targets_function(&op, depth) =>
                        {
                            escaping.push(this)
                        }
                        Operator::TryTable { .. }
                        | Operator::Try { .. }
                        | Operator::Throw { .. }
                        | Operator::ThrowRef
                        | Operator::Rethrow { .. } => exceptions = true,
                        _ => {}
                    }
                    match op {
                        Operator::Block { .. }
                        | Operator::Loop { .. }
                        | Operator::If { .. }
                        | Operator::Try { .. }
                        | Operator::TryTable { .. } => depth = depth.saturating_add(1),
                        Operator::End | Operator::Delegate { .. } => {
                            depth = depth.saturating_sub(1)
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    if exceptions {
        internal.iter_mut().for_each(|f| *f = false);
    }
    for func in escaping {
        if let Some(f) = internal.get_mut(func as usize) {
            *f = false;
        }
    }
    let mut internal_types: Vec<u32> = internal
        .iter()
        .zip(&types)
        .filter(|(internal, _)| **internal)
        .map(|(_, ty)| *ty)
        .collect();
    internal_types.sort_unstable();
    internal_types.dedup();
    Ok(CallGraph {
        internal,
        internal_types,
    })
}

fn const_expr_refs(
    expr: &wasmparser::ConstExpr<'_>,
    out: &mut Vec<u32>,
) -> Result<(), PrepareError> {
    let mut reader = expr.get_operators_reader();
    while !reader.eof() {
        if let Operator::RefFunc { function_index } = reader.read()? {
            out.push(function_index);
        }
    }
    Ok(())
}
