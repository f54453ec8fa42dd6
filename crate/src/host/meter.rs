//! The meter of host work: every host function pays, out of the guest's own fuel, for the work it
//! does on the guest's behalf (docs/ABI.md "Cost"), so fuel bounds the wall-clock time of
//! everything a call causes, not only the guest's own instructions.
//!
//! The meter is one cell per thread, not a field of [`super::ScriptHost`]: the work to charge
//! happens deep inside the Variant codec, Dictionary hashing and value snapshots, which know
//! nothing of hosts. The embedder opens it around each host call with the fuel the guest has
//! left ([`enter`] / [`leave`]; in the browser the JS glue writes the cell directly, see
//! [`cell_address`]) and writes what is left back into the guest's fuel counter.
//!
//! Running out is *fatal*, not an ABI error: the host function stops where it is, the cell
//! remembers why ([`Fatal`]), and the embedder traps the guest (`fuel_exhausted`). The per-script
//! memory accounting ([`super::account`]) reports `memory_limit` through the same cell.

use super::fail::Fail;
use crate::abi::AbiError;
use std::cell::Cell;

/// What each unit of host work costs, in fuel (one fuel is about one guest instruction, ~1 ns).
/// The constants are chosen so that no host path takes much longer per fuel than guest code
/// does: `npm run bench`'s hostile section measures it (docs/BENCHMARKS.md).
pub mod cost {
    /// Every host call: the JS↔wasm crossings, the dispatch, the meter itself.
    pub const CALL: u64 = 300;
    /// Every byte read from or written to guest memory, decoded, encoded, copied, hashed or
    /// compared (a copy is usually several passes: the glue's, the crate's, UTF-8 validation).
    pub const BYTE: u64 = 3;
    /// Every value visited: a node of a container tree encoded, decoded, snapshotted, hashed
    /// or compared, a Dictionary entry probed, an element converted (each is an allocation or a
    /// tree walk step, not an instruction).
    pub const VALUE: u64 = 300;
    /// A question the host asks the game (`object_get` of an engine property, a query
    /// `object_call`): a round trip through the embedder's bridge (in Godot, a JavaScriptBridge
    /// callback into GDScript).
    pub const BRIDGE: u64 = 25_000;
    /// Every entry written to the frame's batch (Godot applies it later on the same thread).
    pub const BATCH_ENTRY: u64 = 1_500;
    /// Every byte of a log line: decoded twice (the JS log sink and the host's bounded log) and
    /// handed to the embedder's callback.
    pub const LOG_BYTE: u64 = 4;
    /// Every ABI error returned: its message is formatted and kept in the bounded error log.
    pub const ERROR: u64 = 2_000;
}

/// Why a host call had to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Fatal {
    /// The guest's fuel ran out inside the host call.
    FuelExhausted = 1,
    /// The script's host-side memory went over its budget ([`super::account`]).
    MemoryLimit = 2,
}

impl Fatal {
    /// The runtime error code (docs/JS-API.md).
    pub fn code(self) -> &'static str {
        match self {
            Fatal::FuelExhausted => "fuel_exhausted",
            Fatal::MemoryLimit => "memory_limit",
        }
    }

    fn from_f64(v: f64) -> Option<Fatal> {
        match v as u8 {
            1 => Some(Fatal::FuelExhausted),
            2 => Some(Fatal::MemoryLimit),
            _ => None,
        }
    }
}

/// The meter's state, laid out as three `f64`s so the JS glue reads and writes it through one
/// `Float64Array` over the crate's memory (no call per host call).
#[repr(C)]
pub struct MeterCell {
    /// Fuel left for host work in the current host call; infinite outside guest calls (the
    /// embedder's own requests are not metered).
    fuel: Cell<f64>,
    /// 0, or a [`Fatal`] as a number.
    fatal: Cell<f64>,
    /// The memory account allocations are charged to ([`super::account`]); 0 is the runtime's.
    account: Cell<f64>,
}

thread_local! {
    static METER: MeterCell = const {
        MeterCell {
            fuel: Cell::new(f64::INFINITY),
            fatal: Cell::new(0.0),
            account: Cell::new(0.0),
        }
    };
}

/// The address of this thread's cell in the crate's memory (the browser build has one thread):
/// `[fuel, fatal, account]` as `f64`s.
pub fn cell_address() -> usize {
    METER.with(|m| m as *const MeterCell as usize)
}

/// What [`enter`] replaced, for [`leave`] to put back: host calls nest when the game answers a
/// bridge question by calling into another script.
#[must_use]
#[derive(Debug, Clone, Copy)]
pub struct Saved {
    fuel: f64,
    fatal: f64,
    account: f64,
}

/// Opens the meter for one host call of a guest with `fuel` left, charging allocations to
/// `account`.
pub fn enter(fuel: f64, account: u32) -> Saved {
    METER.with(|m| Saved {
        fuel: m.fuel.replace(fuel),
        fatal: m.fatal.replace(0.0),
        account: m.account.replace(f64::from(account)),
    })
}

/// Closes the meter: the fuel left (write it back into the guest's counter) and why the call
/// had to stop, if it did.
pub fn leave(saved: Saved) -> (f64, Option<Fatal>) {
    METER.with(|m| {
        let fuel = m.fuel.replace(saved.fuel);
        let fatal = m.fatal.replace(saved.fatal);
        m.account.set(saved.account);
        (fuel, Fatal::from_f64(fatal))
    })
}

/// Pays `units` of host work. Fails (and stays failed for the rest of the host call) when the
/// fuel runs out or the call already had to stop.
#[inline]
pub fn charge(units: u64) -> Result<(), Fail> {
    METER.with(|m| {
        if m.fatal.get() != 0.0 {
            return Err(stopped(m));
        }
        let left = m.fuel.get() - units as f64;
        m.fuel.set(left);
        if left < 0.0 {
            m.fatal.set(f64::from(Fatal::FuelExhausted as u8));
            return Err(stopped(m));
        }
        Ok(())
    })
}

/// [`charge`] for `n` bytes.
#[inline]
pub fn bytes(n: usize) -> Result<(), Fail> {
    charge((n as u64).saturating_mul(cost::BYTE))
}

/// [`charge`] for `n` values visited.
#[inline]
pub fn values(n: usize) -> Result<(), Fail> {
    charge((n as u64).saturating_mul(cost::VALUE))
}

/// Why the current host call had to stop, if it had to.
pub fn fatal() -> Option<Fatal> {
    METER.with(|m| Fatal::from_f64(m.fatal.get()))
}

/// Marks the current host call as stopped by `why` (the memory accounting's over-budget signal).
pub fn stop(why: Fatal) {
    let _ = METER.try_with(|m| {
        if m.fatal.get() == 0.0 {
            m.fatal.set(f64::from(why as u8));
        }
    });
}

/// The account allocations are charged to now.
#[inline]
pub fn current_account() -> u32 {
    // `try_with`: the allocator asks while a thread is being torn down too.
    METER.try_with(|m| m.account.get() as u32).unwrap_or(0)
}

/// Runs `f` with allocations charged to the runtime (account 0): for the account table's own
/// bookkeeping.
pub fn as_runtime<R>(f: impl FnOnce() -> R) -> R {
    let account = METER.with(|m| m.account.replace(0.0));
    let r = f();
    METER.with(|m| m.account.set(account));
    r
}

fn stopped(m: &MeterCell) -> Fail {
    let why = Fatal::from_f64(m.fatal.get()).unwrap_or(Fatal::FuelExhausted);
    // The code is never seen by the guest: the embedder traps it with `why` instead.
    Fail::new(AbiError::BadValue, why.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_until_the_fuel_runs_out_and_stays_stopped() {
        let saved = enter(100.0, 0);
        assert!(charge(60).is_ok());
        assert!(charge(40).is_ok());
        assert!(charge(1).is_err());
        assert_eq!(fatal(), Some(Fatal::FuelExhausted));
        // Stopped: even a free charge fails now.
        assert!(charge(0).is_err());
        let (left, why) = leave(saved);
        assert_eq!(left, -1.0);
        assert_eq!(why, Some(Fatal::FuelExhausted));
        // Outside a call the meter is unlimited again.
        assert!(charge(u64::MAX / 2).is_ok());
        assert_eq!(fatal(), None);
    }

    #[test]
    fn nested_calls_restore_the_outer_meter() {
        let outer = enter(1_000.0, 3);
        charge(100).unwrap();
        let inner = enter(10.0, 5);
        assert_eq!(current_account(), 5);
        assert!(charge(11).is_err());
        let (_, why) = leave(inner);
        assert_eq!(why, Some(Fatal::FuelExhausted));
        assert_eq!(current_account(), 3);
        assert!(charge(100).is_ok());
        let (left, why) = leave(outer);
        assert_eq!((left, why), (800.0, None));
    }
}
