//! Fuel metering of one function body.
//!
//! The body is split into basic blocks ("segments": straight-line code between control
//! instructions). Each segment is charged its instruction count once, at its head. Whether the
//! counter is exhausted is checked only where execution can repeat: at loop headers, at the entry
//! of functions that call (recursion), and before bulk memory/table/array operations (whose
//! extra, length-proportional charge is computed at run time). Every other path through a
//! function is straight-line and bounded by the function's size, so it may run a little past zero
//! until the next check. Exhaustion writes the (negative) counter back to the global and executes
//! `unreachable`. See `docs/METERING.md`.
//!
//! The original instructions are copied byte-for-byte between the inserted ones.

use super::{PrepareError, ELEMENTS_SHIFT, MEMORY_BYTES_SHIFT, MEMORY_PAGE_SHIFT};
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{BlockType, Function, InstructionSink, ValType};
use wasmparser::{FunctionBody, Operator};

/// wasmparser's (and V8's) limit on the number of locals of a function, parameters included.
const MAX_LOCALS: u64 = 50_000;

/// Where instrumented code keeps the counter between checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    /// In a local of each function (register-allocated by the engine): loaded from the global at
    /// entry and after calls, stored back before calls, returns and on exhaustion. Functions using
    /// exception handling fall back to [`Strategy::Global`] (a caught exception would otherwise
    /// resume with a stale local). The default: cheapest measured in Chromium.
    #[default]
    Local,
    /// [`Strategy::Local`] only in functions with loops; loop-free functions use
    /// [`Strategy::Global`].
    Hybrid,
    /// Every basic block decrements the global directly.
    Global,
    /// Baseline for comparison only (PERF-LIMITS.md): the global is decremented, and checked, at
    /// function entry and loop headers by the static size of the whole region; over-counts.
    Naive,
}

/// Counts of what was inserted, summed over functions.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Stats {
    pub functions: u32,
    pub charges: u32,
    pub checks: u32,
}

/// What the instrumenter needs to know about the module.
pub(crate) struct ModuleFacts<'m> {
    /// Index of the fuel global; also the number of globals the guest itself may use.
    pub fuel_global: u32,
    /// Per memory (imports first): whether it is 64-bit.
    pub memory64: &'m [bool],
    /// Per table (imports first): whether it is 64-bit.
    pub table64: &'m [bool],
    /// Per function (imports first): whether it takes and returns the counter (`callgraph`).
    pub internal: &'m [bool],
    pub strategy: Strategy,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The counter lives in a local, loaded from the global at entry.
    Local,
    /// The counter arrives as the last parameter and leaves as the last result.
    Internal,
    /// The counter is the global.
    Global,
}

/// Where the counter and scratch values live in the rewritten function.
struct Locals {
    fuel: u32,
    len32: u32,
    len64: u32,
    cond: u32,
}

/// A length-proportional charge before a bulk operation whose length operand is on the stack.
#[derive(Clone, Copy)]
struct Bulk {
    len64: bool,
    shift: u32,
    /// The operand is a count of 64 KiB pages (`memory.grow`): charged `pages << shift`, since
    /// the engine commits (and the OS zeroes) every page the guest will touch.
    pages: bool,
}

/// Instruments one function body (`params` = its original parameter count; `internal`: it
/// receives the counter as an extra last parameter, see `callgraph`).
pub(crate) fn instrument(
    body: &FunctionBody<'_>,
    input: &[u8],
    params: u32,
    internal: bool,
    facts: &ModuleFacts<'_>,
    stats: &mut Stats,
) -> Result<Function, PrepareError> {
    let mut declared = Vec::new();
    let mut num_locals = u64::from(params);
    for pair in body.get_locals_reader()? {
        let (count, ty) = pair?;
        num_locals += u64::from(count);
        let ty = RoundtripReencoder
            .val_type(ty)
            .map_err(|_| unsupported("local type", body.range().start))?;
        declared.push((count, ty));
    }
    if num_locals + 5 > MAX_LOCALS {
        return Err(PrepareError::new(
            "too_many_locals",
            format!("function has {num_locals} locals; metering needs 5 more and the limit is {MAX_LOCALS}"),
            Some(body.range().start),
        ));
    }
    // Checked above to fit in u32.
    let own_locals = num_locals as u32;

    let mut reader = body.get_operators_reader()?;
    let mut ops = Vec::new();
    while !reader.eof() {
        let (op, offset) = reader.read_with_offset()?;
        check_indices(&op, offset, own_locals, facts.fuel_global)?;
        ops.push((op, offset));
    }
    let end = reader.original_position();
    if ops.is_empty() {
        return Err(PrepareError::new(
            "malformed_module",
            "empty function body",
            Some(body.range().start),
        ));
    }

    let plan = Plan::new(&ops, facts.strategy)?;
    let mode = match facts.strategy {
        _ if internal => Mode::Internal,
        Strategy::Local if !plan.has_eh => Mode::Local,
        Strategy::Hybrid if !plan.has_eh && plan.has_loop => Mode::Local,
        _ => Mode::Global,
    };
    let entry_check = plan.has_call || facts.strategy == Strategy::Naive;

    // An internal function's counter parameter sits between its parameters and its locals.
    let base = own_locals + u32::from(internal);
    let locals = Locals {
        fuel: if internal { params } else { base },
        len32: base + 1,
        len64: base + 2,
        cond: base + 3,
    };
    declared.extend([
        (1, ValType::I64),
        (1, ValType::I32),
        (1, ValType::I64),
        (1, ValType::I32),
    ]);
    let mut func = Function::new(declared);
    let emit = Emitter {
        global: facts.fuel_global,
        locals,
        mode,
    };

    let mut copied = ops[0].1;
    // Copies the original bytes up to `to`.
    let flush = |func: &mut Function, copied: &mut u64, to: u64| -> Result<(), PrepareError> {
        let bytes = usize::try_from(*copied)
            .ok()
            .zip(usize::try_from(to).ok())
            .and_then(|(from, to)| input.get(from..to))
            .ok_or_else(|| PrepareError::new("malformed_module", "body out of range", None))?;
        func.raw(bytes.iter().copied());
        *copied = to;
        Ok(())
    };
    // Number of open control frames, the function's own included.
    let mut depth: u32 = 1;
    for (i, (op, offset)) in ops.iter().enumerate() {
        let next = ops.get(i + 1).map_or(end, |(_, o)| *o);
        let charge = plan.charges[i];
        let loop_header = i > 0 && matches!(ops[i - 1].0, Operator::Loop { .. });
        let bulk = bulk_length(op, facts)?;
        let grow32 = matches!(op, Operator::MemoryGrow { mem } if !facts.memory64.get(*mem as usize).copied().unwrap_or(false));
        let exit = exit_kind(op, depth);
        let call = call_kind(op, facts.internal);
        let cached = mode != Mode::Global;

        let pre = i == 0
            || charge.is_some()
            || bulk.is_some()
            || grow32
            || (cached && (exit.is_some() || call.is_some()))
            || call == Some(Call::PassesFuel);
        if pre {
            flush(&mut func, &mut copied, *offset)?;
            let mut sink = func.instructions();
            if i == 0 {
                let cost = charge.unwrap_or(0);
                emit.entry(&mut sink, cost, entry_check);
                stats.charges += u32::from(cost > 0);
                stats.checks += u32::from(entry_check);
            } else if let Some(cost) = charge {
                let check = loop_header;
                if cost > 0 || check {
                    emit.charge(&mut sink, cost, check);
                    stats.charges += u32::from(cost > 0);
                    stats.checks += u32::from(check);
                }
            }
            if let Some(bulk) = bulk {
                emit.bulk(&mut sink, bulk);
                stats.checks += 1;
            }
            if grow32 {
                sink.local_tee(emit.locals.len32);
            }
            match (mode, call, exit) {
                (_, Some(Call::PassesFuel), _) => emit.load(&mut sink),
                (Mode::Local, Some(_), _) | (Mode::Local, _, Some(_)) => emit.write_back(&mut sink),
                (Mode::Internal, Some(_), _) => emit.write_back(&mut sink),
                (Mode::Internal, _, Some(Exit::Conditional)) => {
                    sink.local_set(emit.locals.cond)
                        .local_get(emit.locals.fuel)
                        .local_get(emit.locals.cond);
                }
                (Mode::Internal, _, Some(_)) => {
                    sink.local_get(emit.locals.fuel);
                }
                _ => {}
            }
        }

        if internal {
            if let Some((local, index)) = renumbered_local(op, params) {
                flush(&mut func, &mut copied, *offset)?;
                let mut sink = func.instructions();
                match local {
                    LocalOp::Get => sink.local_get(index),
                    LocalOp::Set => sink.local_set(index),
                    LocalOp::Tee => sink.local_tee(index),
                };
                copied = next;
            }
        }

        let post_call = match call {
            Some(Call::PassesFuel) => true,
            Some(Call::Returns) | None => false,
            Some(Call::UsesGlobal) => cached,
        };
        let post_br_if = mode == Mode::Internal && exit == Some(Exit::Conditional);
        if grow32 {
            flush(&mut func, &mut copied, next)?;
            emit.grown(&mut func.instructions());
            stats.checks += 1;
        }
        if post_call || post_br_if {
            flush(&mut func, &mut copied, next)?;
            let mut sink = func.instructions();
            if post_br_if {
                // Not taken: the counter pushed for the branch is not a value of this block.
                sink.drop();
            } else if call == Some(Call::PassesFuel) {
                emit.set(&mut sink);
            } else {
                emit.reload(&mut sink);
            }
        }

        match op {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Try { .. }
            | Operator::TryTable { .. } => depth = depth.saturating_add(1),
            Operator::End | Operator::Delegate { .. } => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    flush(&mut func, &mut copied, end)?;
    stats.functions += 1;
    Ok(func)
}

/// Which instructions start a new charge region, and what each region costs.
struct Plan {
    /// `charges[i]`: the static cost of the region starting at instruction `i`, if one does.
    charges: Vec<Option<u64>>,
    has_loop: bool,
    has_call: bool,
    has_eh: bool,
    has_bulk: bool,
}

impl Plan {
    fn new(ops: &[(Operator<'_>, u64)], strategy: Strategy) -> Result<Self, PrepareError> {
        let mut plan = Plan {
            charges: vec![None; ops.len()],
            has_loop: false,
            has_call: false,
            has_eh: false,
            has_bulk: false,
        };
        plan.charges[0] = Some(0);
        let mut current = 0;
        // Naive strategy: the region each open loop (or the function) charges to.
        let mut regions: Vec<usize> = Vec::new();
        let mut frame_is_loop: Vec<bool> = Vec::new();
        for (i, (op, offset)) in ops.iter().enumerate() {
            let info = classify(op, *offset)?;
            if let Some(cost) = plan.charges[current].as_mut() {
                *cost += info.cost;
            }
            plan.has_loop |= matches!(op, Operator::Loop { .. });
            plan.has_call |= info.calls;
            plan.has_eh |= info.exceptions;
            plan.has_bulk |= info.bulk;

            let starts_after = if strategy == Strategy::Naive {
                match op {
                    Operator::Loop { .. } => {
                        regions.push(current);
                        frame_is_loop.push(true);
                        true
                    }
                    Operator::Block { .. }
                    | Operator::If { .. }
                    | Operator::Try { .. }
                    | Operator::TryTable { .. } => {
                        frame_is_loop.push(false);
                        false
                    }
                    Operator::End | Operator::Delegate { .. } => {
                        if frame_is_loop.pop() == Some(true) {
                            current = regions.pop().unwrap_or(0);
                        }
                        false
                    }
                    _ => false,
                }
            } else {
                info.ends_block
            };
            if starts_after && i + 1 < ops.len() {
                current = i + 1;
                plan.charges[current] = Some(0);
            }
        }
        Ok(plan)
    }
}

struct OpInfo {
    cost: u64,
    ends_block: bool,
    calls: bool,
    exceptions: bool,
    bulk: bool,
}

fn classify(op: &Operator<'_>, offset: u64) -> Result<OpInfo, PrepareError> {
    let mut info = OpInfo {
        cost: 1,
        ends_block: false,
        calls: false,
        exceptions: false,
        bulk: false,
    };
    match op {
        // Structure only: no code of its own.
        Operator::Block { .. } => info.cost = 0,
        Operator::Loop { .. } | Operator::Else | Operator::End => {
            info.cost = 0;
            info.ends_block = true;
        }
        Operator::If { .. }
        | Operator::Br { .. }
        | Operator::BrIf { .. }
        | Operator::BrTable { .. }
        | Operator::BrOnNull { .. }
        | Operator::BrOnNonNull { .. }
        | Operator::BrOnCast { .. }
        | Operator::BrOnCastFail { .. }
        | Operator::BrOnCastDescEq { .. }
        | Operator::BrOnCastDescEqFail { .. }
        | Operator::Return
        | Operator::Unreachable => info.ends_block = true,
        Operator::Call { .. } | Operator::CallIndirect { .. } | Operator::CallRef { .. } => {
            info.calls = true
        }
        Operator::ReturnCall { .. }
        | Operator::ReturnCallIndirect { .. }
        | Operator::ReturnCallRef { .. } => {
            info.calls = true;
            info.ends_block = true;
        }
        Operator::TryTable { .. }
        | Operator::Try { .. }
        | Operator::Catch { .. }
        | Operator::CatchAll
        | Operator::Delegate { .. } => {
            info.cost = 0;
            info.ends_block = true;
            info.exceptions = true;
        }
        Operator::Throw { .. } | Operator::ThrowRef | Operator::Rethrow { .. } => {
            info.ends_block = true;
            info.exceptions = true;
        }
        Operator::ContNew { .. }
        | Operator::ContBind { .. }
        | Operator::Suspend { .. }
        | Operator::Resume { .. }
        | Operator::ResumeThrow { .. }
        | Operator::ResumeThrowRef { .. }
        | Operator::Switch { .. } => return Err(unsupported("stack switching", offset)),
        Operator::MemoryFill { .. }
        | Operator::MemoryCopy { .. }
        | Operator::MemoryInit { .. }
        | Operator::TableFill { .. }
        | Operator::TableCopy { .. }
        | Operator::TableInit { .. }
        | Operator::ArrayFill { .. }
        | Operator::ArrayCopy { .. }
        | Operator::ArrayNew { .. }
        | Operator::ArrayNewDefault { .. }
        | Operator::ArrayNewData { .. }
        | Operator::ArrayNewElem { .. }
        | Operator::ArrayInitData { .. }
        | Operator::ArrayInitElem { .. } => info.bulk = true,
        _ => {}
    }
    Ok(info)
}

/// The length operand (on top of the stack) of a bulk operation, and how it is charged.
fn bulk_length(op: &Operator<'_>, facts: &ModuleFacts<'_>) -> Result<Option<Bulk>, PrepareError> {
    let is64 = |list: &[bool], index: u32| {
        list.get(index as usize).copied().ok_or_else(|| {
            PrepareError::new("invalid_index", format!("no memory or table {index}"), None)
        })
    };
    let memory = |len64| {
        Some(Bulk {
            len64,
            shift: MEMORY_BYTES_SHIFT,
            pages: false,
        })
    };
    let elements = |len64| {
        Some(Bulk {
            len64,
            shift: ELEMENTS_SHIFT,
            pages: false,
        })
    };
    Ok(match *op {
        Operator::MemoryFill { mem } => memory(is64(facts.memory64, mem)?),
        Operator::MemoryCopy { dst_mem, src_mem } => {
            memory(is64(facts.memory64, dst_mem)? && is64(facts.memory64, src_mem)?)
        }
        Operator::MemoryInit { .. } => memory(false),
        // A 32-bit grow pays after it, for the pages it got (`grow32`); a 64-bit one before, for
        // what it asks (no spare 64-bit local holds the result).
        Operator::MemoryGrow { mem } if is64(facts.memory64, mem)? => Some(Bulk {
            len64: true,
            shift: MEMORY_PAGE_SHIFT,
            pages: true,
        }),
        Operator::TableFill { table } => elements(is64(facts.table64, table)?),
        Operator::TableCopy {
            dst_table,
            src_table,
        } => elements(is64(facts.table64, dst_table)? && is64(facts.table64, src_table)?),
        Operator::TableInit { .. }
        | Operator::ArrayFill { .. }
        | Operator::ArrayCopy { .. }
        | Operator::ArrayNew { .. }
        | Operator::ArrayNewDefault { .. }
        | Operator::ArrayNewData { .. }
        | Operator::ArrayNewElem { .. }
        | Operator::ArrayInitData { .. }
        | Operator::ArrayInitElem { .. } => elements(false),
        _ => None,
    })
}

/// How an instruction leaves the function.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// `return`, the final `end`, `br` to the function label.
    Unconditional,
    /// `br_if` to the function label.
    Conditional,
    /// `br_table`/`br_on_*` that may target the function label.
    Other,
}

fn exit_kind(op: &Operator<'_>, depth: u32) -> Option<Exit> {
    match op {
        Operator::Return => Some(Exit::Unconditional),
        Operator::End if depth == 1 => Some(Exit::Unconditional),
        Operator::Br { .. } if branch_targets_function(op, depth) => Some(Exit::Unconditional),
        Operator::BrIf { .. } if branch_targets_function(op, depth) => Some(Exit::Conditional),
        _ if branch_targets_function(op, depth) => Some(Exit::Other),
        _ => None,
    }
}

/// How a call exchanges the counter with its callee.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    /// Direct call of an internal function: counter passed as the last argument and returned.
    PassesFuel,
    /// Any other call: the counter goes through the global.
    UsesGlobal,
    /// Tail call: the global, and control does not come back.
    Returns,
}

fn call_kind(op: &Operator<'_>, internal: &[bool]) -> Option<Call> {
    match *op {
        Operator::Call { function_index } => {
            Some(if internal.get(function_index as usize) == Some(&true) {
                Call::PassesFuel
            } else {
                Call::UsesGlobal
            })
        }
        Operator::CallIndirect { .. } | Operator::CallRef { .. } => Some(Call::UsesGlobal),
        Operator::ReturnCall { .. }
        | Operator::ReturnCallIndirect { .. }
        | Operator::ReturnCallRef { .. } => Some(Call::Returns),
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum LocalOp {
    Get,
    Set,
    Tee,
}

/// In an internal function, the counter parameter is inserted after the `params` parameters, so
/// references to the declared locals move up by one.
fn renumbered_local(op: &Operator<'_>, params: u32) -> Option<(LocalOp, u32)> {
    let (kind, index) = match *op {
        Operator::LocalGet { local_index } => (LocalOp::Get, local_index),
        Operator::LocalSet { local_index } => (LocalOp::Set, local_index),
        Operator::LocalTee { local_index } => (LocalOp::Tee, local_index),
        _ => return None,
    };
    (index >= params).then(|| (kind, index + 1))
}

/// Whether `op` may branch to the function's own label (i.e. return), at control depth `depth`.
pub(super) fn branch_targets_function(op: &Operator<'_>, depth: u32) -> bool {
    let outermost = depth.saturating_sub(1);
    match op {
        Operator::Br { relative_depth }
        | Operator::BrIf { relative_depth }
        | Operator::BrOnNull { relative_depth }
        | Operator::BrOnNonNull { relative_depth }
        | Operator::BrOnCast { relative_depth, .. }
        | Operator::BrOnCastFail { relative_depth, .. }
        | Operator::BrOnCastDescEq { relative_depth, .. }
        | Operator::BrOnCastDescEqFail { relative_depth, .. } => *relative_depth >= outermost,
        Operator::BrTable { targets } => {
            targets.default() >= outermost
                || targets
                    .targets()
                    .any(|t| !matches!(t, Ok(t) if t < outermost))
        }
        _ => false,
    }
}

/// Refuses references to the locals and the global metering adds, which only an invalid module
/// could make; without this, an unvalidated module could become a valid one that resets its fuel.
fn check_indices(
    op: &Operator<'_>,
    offset: u64,
    own_locals: u32,
    fuel_global: u32,
) -> Result<(), PrepareError> {
    match *op {
        Operator::LocalGet { local_index }
        | Operator::LocalSet { local_index }
        | Operator::LocalTee { local_index }
            if local_index >= own_locals =>
        {
            Err(PrepareError::new(
                "invalid_index",
                format!("local {local_index} does not exist"),
                Some(offset),
            ))
        }
        Operator::GlobalGet { global_index }
        | Operator::GlobalSet { global_index }
        | Operator::GlobalAtomicGet { global_index, .. }
        | Operator::GlobalAtomicSet { global_index, .. }
        | Operator::GlobalAtomicRmwAdd { global_index, .. }
        | Operator::GlobalAtomicRmwSub { global_index, .. }
        | Operator::GlobalAtomicRmwAnd { global_index, .. }
        | Operator::GlobalAtomicRmwOr { global_index, .. }
        | Operator::GlobalAtomicRmwXor { global_index, .. }
        | Operator::GlobalAtomicRmwXchg { global_index, .. }
        | Operator::GlobalAtomicRmwCmpxchg { global_index, .. }
            if global_index >= fuel_global =>
        {
            Err(PrepareError::new(
                "invalid_index",
                format!("global {global_index} does not exist"),
                Some(offset),
            ))
        }
        _ => Ok(()),
    }
}

fn unsupported(what: &str, offset: u64) -> PrepareError {
    PrepareError::new(
        "unsupported_instruction",
        format!("{what} cannot be metered"),
        Some(offset),
    )
}

/// Emits the inserted instruction sequences.
struct Emitter {
    global: u32,
    locals: Locals,
    mode: Mode,
}

impl Emitter {
    /// Function entry: (local mode) load the counter, charge the first block, maybe check.
    fn entry(&self, sink: &mut InstructionSink<'_>, cost: u64, check: bool) {
        match self.mode {
            Mode::Internal => self.charge(sink, cost, check),
            Mode::Local => {
                sink.global_get(self.global);
                self.subtract(sink, cost);
                self.store(sink, check);
            }
            Mode::Global => {
                if cost > 0 || check {
                    self.charge(sink, cost, check);
                }
            }
        }
    }

    fn charge(&self, sink: &mut InstructionSink<'_>, cost: u64, check: bool) {
        self.load(sink);
        self.subtract(sink, cost);
        self.store(sink, check);
    }

    /// Charges `length >> shift` for the bulk operation whose length is on top of the stack,
    /// then checks, leaving the length in place.
    fn bulk(&self, sink: &mut InstructionSink<'_>, bulk: Bulk) {
        let len = if bulk.len64 {
            self.locals.len64
        } else {
            self.locals.len32
        };
        sink.local_set(len);
        self.load(sink);
        if bulk.pages && bulk.len64 {
            // min(pages, 2^40): a 64-bit page count shifted left could wrap to a refund.
            sink.local_get(len).i64_const(1 << 40);
            sink.local_get(len).i64_const(1 << 40).i64_lt_u();
            sink.select();
        } else {
            sink.local_get(len);
            if !bulk.len64 {
                sink.i64_extend_i32_u();
            }
        }
        sink.i64_const(i64::from(bulk.shift));
        if bulk.pages {
            sink.i64_shl();
        } else {
            sink.i64_shr_u();
        }
        sink.i64_sub();
        self.store(sink, true);
        sink.local_get(len);
    }

    /// After a 32-bit `memory.grow` whose page count is in `len32`: charges `pages <<
    /// MEMORY_PAGE_SHIFT` when it succeeded (the result is not -1), then checks, leaving the result
    /// in place. The engine commits the pages and the OS zeroes each one the guest then touches; a
    /// refused grow costs nothing more.
    fn grown(&self, sink: &mut InstructionSink<'_>) {
        let result = self.locals.len64;
        sink.i64_extend_i32_s().local_set(result);
        self.load(sink);
        sink.local_get(self.locals.len32)
            .i64_extend_i32_u()
            .i64_const(i64::from(MEMORY_PAGE_SHIFT))
            .i64_shl()
            .i64_const(0)
            .local_get(result)
            .i64_const(-1)
            .i64_ne()
            .select()
            .i64_sub();
        self.store(sink, true);
        sink.local_get(result).i32_wrap_i64();
    }

    fn write_back(&self, sink: &mut InstructionSink<'_>) {
        sink.local_get(self.locals.fuel).global_set(self.global);
    }

    fn reload(&self, sink: &mut InstructionSink<'_>) {
        sink.global_get(self.global).local_set(self.locals.fuel);
    }

    fn load(&self, sink: &mut InstructionSink<'_>) {
        match self.mode {
            Mode::Local | Mode::Internal => sink.local_get(self.locals.fuel),
            Mode::Global => sink.global_get(self.global),
        };
    }

    /// Stores the counter an internal callee returned.
    fn set(&self, sink: &mut InstructionSink<'_>) {
        self.store(sink, false);
    }

    fn subtract(&self, sink: &mut InstructionSink<'_>, cost: u64) {
        if cost > 0 {
            // Costs are bounded by the body size, far below i64::MAX.
            sink.i64_const(cost as i64).i64_sub();
        }
    }

    /// Stores the new counter on the stack; if `check`, traps when it is negative, after making
    /// sure the global holds it (that is how the host recognises exhaustion).
    fn store(&self, sink: &mut InstructionSink<'_>, check: bool) {
        let fuel = self.locals.fuel;
        match (self.mode, check) {
            (Mode::Local | Mode::Internal, false) => {
                sink.local_set(fuel);
            }
            (Mode::Global, false) => {
                sink.global_set(self.global);
            }
            (Mode::Local | Mode::Internal, true) => {
                sink.local_tee(fuel)
                    .i64_const(0)
                    .i64_lt_s()
                    .if_(BlockType::Empty)
                    .local_get(fuel)
                    .global_set(self.global)
                    .unreachable()
                    .end();
            }
            (Mode::Global, true) => {
                sink.local_tee(fuel)
                    .global_set(self.global)
                    .local_get(fuel)
                    .i64_const(0)
                    .i64_lt_s()
                    .if_(BlockType::Empty)
                    .unreachable()
                    .end();
            }
        }
    }
}
