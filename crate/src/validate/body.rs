//! One function body: the per-function limits (body size, declared locals), then wasmparser's
//! operator validation with feature detection riding along (see `detect`).

use wasmparser::{
    FuncToValidate, FuncValidatorAllocations, FunctionBody, ValType, ValidatorResources,
};

use super::detect::Detect;
use super::types::note_val_type;
use super::{Scan, Violation, ViolationCode};

impl Scan<'_> {
    /// Validates `body`; returns the validator's allocations for the next body. `Err` is the
    /// structural error that stops the walk.
    pub(super) fn function_body(
        &mut self,
        func: FuncToValidate<ValidatorResources>,
        body: &FunctionBody<'_>,
        allocs: FuncValidatorAllocations,
    ) -> Result<FuncValidatorAllocations, Violation> {
        let structural = |e: wasmparser::BinaryReaderError| Violation::from_wasmparser(&e, false);
        let range = body.range();
        let index = func.index;
        let size = range.end - range.start;
        let max_size = self.policy.max_function_body_size;
        if size > u64::from(max_size) {
            self.violate(
                ViolationCode::FunctionBodyTooLarge,
                format!(
                    "function {index} has a {size}-byte body, the policy allows at most {max_size}"
                ),
                Some(range.start),
            );
        }

        let mut func = func.into_validator(allocs);
        let mut reader = body.get_binary_reader();
        let mut locals: u64 = 0;
        let groups = reader.read_var_u32().map_err(structural)?;
        for _ in 0..groups {
            let offset = reader.original_position();
            let count = reader.read_var_u32().map_err(structural)?;
            let ty: ValType = reader.read().map_err(structural)?;
            func.define_locals(offset, count, ty).map_err(structural)?;
            note_val_type(&mut self.used, ty);
            locals += u64::from(count);
        }
        let max_locals = self.policy.max_locals_per_function;
        if locals > u64::from(max_locals) {
            self.violate(
                ViolationCode::TooManyLocals,
                format!("function {index} declares {locals} locals, the policy allows at most {max_locals}"),
                Some(range.start),
            );
        }

        // As in `FuncValidator::validate`: operators are decoded with the policy's features.
        reader.set_features(*func.features());
        let mut used = self.used;
        while !reader.eof() {
            let offset = reader.original_position();
            let mut visitor = Detect {
                func: &mut func,
                offset,
                used,
            };
            let result = reader.visit_operator(&mut visitor);
            used = visitor.used;
            result.and_then(|r| r).map_err(structural)?;
        }
        self.used = used;
        reader
            .finish_expression(&Detect {
                func: &mut func,
                offset: reader.original_position(),
                used,
            })
            .map_err(structural)?;
        Ok(func.into_allocations())
    }
}
