//! Operator-level feature detection, fused with validation: a visitor that notes the proposal of
//! every operator and forwards it to wasmparser's function validator. Both happen while the
//! operator is decoded once, so detection costs one bit-or per operator (no second pass).

use wasmparser::{
    BlockType, FrameKind, FrameStack, FuncValidator, ValidatorResources, VisitOperator,
    VisitSimdOperator,
};

use crate::policy::Feature;

/// A small set of [`Feature`]s as a bit mask (cheap to update per operator).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FeatureBits(u64);

impl FeatureBits {
    pub(crate) const fn bit(f: Feature) -> u64 {
        1 << (f as u32)
    }

    #[inline(always)]
    pub(crate) fn insert_bits(&mut self, bits: u64) {
        self.0 |= bits;
    }

    pub(crate) fn insert(&mut self, f: Feature) {
        self.0 |= Self::bit(f);
    }

    pub(crate) fn contains(self, f: Feature) -> bool {
        self.0 & Self::bit(f) != 0
    }

    /// The features in the set, in declaration order.
    pub(crate) fn to_vec(self) -> Vec<Feature> {
        Feature::ALL
            .iter()
            .copied()
            .filter(|f| self.contains(*f))
            .collect()
    }
}

/// Maps a wasmparser operator proposal (the `@name` in its operator tables) to a feature bit.
macro_rules! proposal_bit {
    (mvp) => {
        0
    };
    (simd) => {
        FeatureBits::bit(Feature::Simd)
    };
    (relaxed_simd) => {
        FeatureBits::bit(Feature::RelaxedSimd)
    };
    (reference_types) => {
        FeatureBits::bit(Feature::ReferenceTypes)
    };
    (sign_extension) => {
        FeatureBits::bit(Feature::SignExtension)
    };
    (saturating_float_to_int) => {
        FeatureBits::bit(Feature::SaturatingFloatToInt)
    };
    (bulk_memory) => {
        FeatureBits::bit(Feature::BulkMemory)
    };
    (threads) => {
        FeatureBits::bit(Feature::Threads)
    };
    (exceptions) => {
        FeatureBits::bit(Feature::Exceptions)
    };
    (legacy_exceptions) => {
        FeatureBits::bit(Feature::LegacyExceptions)
    };
    (tail_call) => {
        FeatureBits::bit(Feature::TailCall)
    };
    (gc) => {
        FeatureBits::bit(Feature::Gc)
    };
    (function_references) => {
        FeatureBits::bit(Feature::FunctionReferences)
    };
    (memory_control) => {
        FeatureBits::bit(Feature::MemoryControl)
    };
    (stack_switching) => {
        FeatureBits::bit(Feature::StackSwitching)
    };
    (wide_arithmetic) => {
        FeatureBits::bit(Feature::WideArithmetic)
    };
    (shared_everything_threads) => {
        FeatureBits::bit(Feature::SharedEverythingThreads)
    };
    (custom_descriptors) => {
        FeatureBits::bit(Feature::CustomDescriptors)
    };
    (acquire_release_atomics) => {
        FeatureBits::bit(Feature::AcquireReleaseAtomics)
    };
}

/// Features an MVP operator implies through its immediates (not its opcode).
macro_rules! immediates {
    ($s:ident, visit_block $bt:ident) => {
        $s.block_type($bt)
    };
    ($s:ident, visit_loop $bt:ident) => {
        $s.block_type($bt)
    };
    ($s:ident, visit_if $bt:ident) => {
        $s.block_type($bt)
    };
    ($s:ident, visit_call_indirect $ty:ident $table:ident) => {
        if $table != 0 {
            $s.used.insert(Feature::ReferenceTypes)
        }
    };
    ($s:ident, $other:ident $($arg:ident)*) => {};
}

/// Forwards one operator to the function validator after noting its proposal.
pub(crate) struct Detect<'v> {
    pub(crate) func: &'v mut FuncValidator<ValidatorResources>,
    pub(crate) offset: u64,
    /// Held by value (copied in and out per function) so the hot loop keeps it in a register.
    pub(crate) used: FeatureBits,
}

impl Detect<'_> {
    fn block_type(&mut self, bt: BlockType) {
        // A block typed by a type index may take parameters or return several values.
        if let BlockType::FuncType(_) = bt {
            self.used.insert(Feature::MultiValue);
        }
    }
}

macro_rules! forward {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            #[inline(always)]
            fn $visit(&mut self $($(,$arg: $argty)*)?) -> Self::Output {
                self.used.insert_bits(proposal_bit!($proposal));
                immediates!(self, $visit $($($arg)*)?);
                self.func.visitor(self.offset).$visit($($($arg),*)?)
            }
        )*
    };
}

macro_rules! forward_simd {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            #[inline(always)]
            fn $visit(&mut self $($(,$arg: $argty)*)?) -> Self::Output {
                self.used.insert_bits(proposal_bit!($proposal));
                self.func.simd_visitor(self.offset).$visit($($($arg),*)?)
            }
        )*
    };
}

impl<'a> VisitOperator<'a> for Detect<'_> {
    type Output = wasmparser::Result<()>;

    fn simd_visitor(&mut self) -> Option<&mut dyn VisitSimdOperator<'a, Output = Self::Output>> {
        Some(self)
    }

    wasmparser::for_each_visit_operator!(forward);
}

impl<'a> VisitSimdOperator<'a> for Detect<'_> {
    wasmparser::for_each_visit_simd_operator!(forward_simd);
}

impl FrameStack for Detect<'_> {
    fn current_frame(&self) -> Option<FrameKind> {
        self.func.get_control_frame(0).map(|f| f.kind)
    }
}
