//! Rewrites a validated guest module before it is compiled: caps memory and table sizes, adds fuel
//! metering and the reserved `__ugc_*` exports. See `docs/METERING.md` for the metering design
//! and its measurements.
//!
//! The rewrite is one streaming pass of wasm-encoder's `reencode` over wasmparser's `Parser`;
//! function bodies are buffered one at a time (to know each basic block's length before the
//! charge at its head is emitted) and copied byte-for-byte between the inserted instructions.

mod callgraph;
mod error;
mod exports;
mod fuel;
mod limits;
mod rewriter;
mod start;

pub use error::PrepareError;
pub use fuel::Strategy;

/// Name of the exported mutable `i64` global holding the remaining fuel.
pub const FUEL_EXPORT: &str = "__ugc_fuel";
/// Name under which the guest's memory 0 is (also) exported, if it has one.
pub const MEMORY_EXPORT: &str = "__ugc_memory";
/// Name under which the guest's start function is exported; its start section is removed, so the
/// host calls it after instantiation, metered like any call (see `start.rs`).
pub const START_EXPORT: &str = "__ugc_start";
/// Initial value of the fuel global, before the host sets the counter for its first call.
pub const START_FUEL: i64 = 10_000_000;
/// A `memory.fill`/`memory.copy`/`memory.init` of `n` bytes costs `n >> MEMORY_BYTES_SHIFT` fuel
/// on top of its instruction count.
pub const MEMORY_BYTES_SHIFT: u32 = 3;
/// A `memory.grow` by `n` pages costs `n << MEMORY_PAGE_SHIFT` fuel (1 per 16 bytes): the engine
/// commits the pages and the OS zeroes each one the guest touches.
pub const MEMORY_PAGE_SHIFT: u32 = 12;
/// `table.fill`/`table.copy`/`table.init` and the `array.*` bulk operations of `n` elements cost
/// `n >> ELEMENTS_SHIFT` extra fuel.
pub const ELEMENTS_SHIFT: u32 = 2;

/// What [`prepare`] does to a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrepareOptions {
    /// Maximum of every memory, in 64 KiB pages (the declared maximum is lowered to this).
    pub max_memory_pages: u32,
    /// Maximum of every table, in elements.
    pub max_table_elements: u32,
    /// Add fuel metering and the `__ugc_fuel` export.
    pub metering: bool,
}

/// A rewritten module, ready to compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub bytes: Vec<u8>,
    /// Whether `__ugc_fuel` was added (`opts.metering`).
    pub fuel_exported: bool,
    /// Whether the module has a memory 0, exported as `__ugc_memory`.
    pub memory_exported: bool,
    /// Number of function bodies instrumented.
    pub metered_functions: u32,
    /// Number of fuel charges inserted (one per basic block with a non-zero cost).
    pub charge_points: u32,
    /// Number of exhaustion checks inserted (function entries, loop headers, bulk operations).
    pub check_points: u32,
}

/// Rewrites `bytes` (a core module, normally already validated) according to `opts`.
///
/// Never panics: malformed input yields a [`PrepareError`]. Valid input yields a valid module.
pub fn prepare(bytes: &[u8], opts: &PrepareOptions) -> Result<Prepared, PrepareError> {
    prepare_with_strategy(bytes, opts, Strategy::default())
}

/// [`prepare`] with an explicit metering strategy; for benchmarks and tests comparing strategies.
#[doc(hidden)]
pub fn prepare_with_strategy(
    bytes: &[u8],
    opts: &PrepareOptions,
    strategy: Strategy,
) -> Result<Prepared, PrepareError> {
    rewriter::rewrite(bytes, opts, strategy)
}
