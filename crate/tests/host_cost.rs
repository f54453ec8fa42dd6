//! The cost model and the per-script host memory (docs/ABI.md "Cost"): every host function pays
//! for its work out of the guest's fuel, running out stops it mid-work, and a script's host
//! memory is counted exactly (the counting allocator is installed here as in the browser build)
//! and returned on drop.
// Native only: the allocator is this test binary's, and the tests share nothing with wasm32.
#![cfg(not(target_arch = "wasm32"))]

use ugc_wasm::host::account::{Counting, Usage};
use ugc_wasm::host::meter::{self, cost, Fatal};
use ugc_wasm::host::{HostConfig, Manifest, NoObjects, ScriptHost};
use ugc_wasm::variant::type_id;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const BUDGET: f64 = 10_000_000.0;

const MANIFEST: &[u8] =
    br#"{ "extends": "Node3D", "signals": [ { "name": "hit", "args": [ { "name": "what" } ] } ] }"#;

fn host(limit: usize) -> ScriptHost {
    let mut config = HostConfig::new(1, Manifest::parse(MANIFEST).unwrap());
    config.max_host_memory = limit;
    ScriptHost::new(config, Box::new(NoObjects))
}

/// Runs one host call of `host` with `fuel` left, as the glue does: the fuel left and why it
/// stopped.
fn call<R>(
    host: &mut ScriptHost,
    fuel: f64,
    f: impl FnOnce(&mut ScriptHost) -> R,
) -> (R, f64, Option<Fatal>) {
    let saved = meter::enter(fuel, host.account_id());
    let r = f(host);
    let (left, fatal) = meter::leave(saved);
    (r, left, fatal)
}

fn spent(host: &mut ScriptHost, f: impl FnOnce(&mut ScriptHost) -> i32) -> (i32, f64) {
    let (r, left, fatal) = call(host, BUDGET, f);
    assert_eq!(fatal, None);
    (r, BUDGET - left)
}

#[test]
fn every_call_pays_at_least_the_call_cost() {
    let mut h = host(usize::MAX);
    let (v, fuel) = spent(&mut h, |h| h.new_int(5));
    assert!(v > 0);
    assert_eq!(fuel, cost::CALL as f64);
    let (_, fuel) = spent(&mut h, |h| h.type_of(v));
    assert_eq!(fuel, cost::CALL as f64);
    // Errors pay the call and for keeping the error.
    let (e, fuel) = spent(&mut h, |h| h.release(12345));
    assert!(e < 0);
    assert_eq!(fuel, (cost::CALL + cost::ERROR) as f64);
}

#[test]
fn bytes_are_paid_linearly() {
    let mut h = host(usize::MAX);
    let small = spent(&mut h, |h| h.new_string(&[b'a'; 16])).1;
    let big = spent(&mut h, |h| h.new_string(&vec![b'a'; 64 * 1024])).1;
    assert_eq!(big - small, (64 * 1024 - 16) as f64 * cost::BYTE as f64);
    let log = spent(&mut h, |h| {
        h.log(&vec![0xff; 16 * 1024]);
        0
    })
    .1;
    assert_eq!(
        log,
        (cost::CALL + cost::LOG_BYTE * 16 * 1024 + cost::ERROR) as f64,
        "a log pays per byte, and invalid UTF-8 is a (kept) bad_utf8 error"
    );
}

#[test]
fn lookups_never_copy_and_copies_are_paid_by_size() {
    let mut h = host(usize::MAX);
    let (s, _) = spent(&mut h, |h| h.new_string(&vec![b'x'; 1 << 20]));
    // type_of and a refused array_push of a huge String cost a call, not the String.
    assert_eq!(spent(&mut h, |h| h.type_of(s)).1, cost::CALL as f64);
    let (e, fuel) = spent(&mut h, |h| h.array_push(s, 0));
    assert!(e < 0);
    assert_eq!(fuel, (cost::CALL + cost::ERROR) as f64);
    // Storing it copies it: paid by its size.
    let (a, _) = spent(&mut h, |h| h.array_new());
    let (r, fuel) = spent(&mut h, |h| h.array_push(a, s));
    assert_eq!(r, 0);
    assert!(fuel >= (1 << 20) as f64);
}

#[test]
fn running_out_inside_a_host_call_stops_it() {
    let mut h = host(usize::MAX);
    let (r, left, fatal) = call(&mut h, 1_000.0, |h| h.new_string(&vec![b'a'; 100_000]));
    assert_eq!(fatal, Some(Fatal::FuelExhausted));
    assert!(left < 0.0);
    let _ = r;
    // Not an ABI error: the guest traps instead.
    assert_eq!(h.stats().abi_errors, 0);
    assert_eq!(h.stats().live_handles, 0);
}

/// Arrays that hold the same Array twice, `depth` levels deep: 2^depth leaves when expanded.
fn shared_dag(h: &mut ScriptHost, depth: usize) -> i32 {
    let mut a = spent(h, |h| h.array_new()).0;
    for _ in 0..depth {
        let b = spent(h, |h| h.array_new()).0;
        spent(h, |h| h.array_push(b, a));
        spent(h, |h| h.array_push(b, a));
        a = b;
    }
    a
}

#[test]
fn shared_parts_are_paid_by_their_expanded_size() {
    let mut h = host(usize::MAX);
    let small = shared_dag(&mut h, 6);
    let mut out = Vec::new();
    let (n, fuel) = spent(&mut h, |h| h.var_to_bytes(small, &mut out));
    assert!(n > 0);
    // 2^7 - 1 nodes in the expanded tree, each paid for.
    assert!(fuel >= (127 * cost::VALUE) as f64, "{fuel}");

    // 2^40 nodes: stopped by the default budget, long before it is expanded.
    let huge = shared_dag(&mut h, 40);
    let (r, left, fatal) = call(&mut h, BUDGET, |h| h.var_to_bytes(huge, &mut out));
    assert!(fatal.is_some(), "{r} {left} {}", h.last_error());
    assert_eq!(fatal, Some(Fatal::FuelExhausted));
    assert!(left < 0.0);
    // As a Dictionary key: hashing and comparing are paid too.
    let d = spent(&mut h, |h| h.dict_new()).0;
    let other = shared_dag(&mut h, 40);
    spent(&mut h, |h| h.dict_set(d, huge, 0));
    let (_, _, fatal) = call(&mut h, BUDGET, |h| h.dict_get(d, other));
    assert_eq!(fatal, Some(Fatal::FuelExhausted));
    // Emitting or setting it snapshots it, paid the same way.
    let me = spent(&mut h, |h| h.self_object()).0;
    let (_, _, fatal) = call(&mut h, BUDGET, |h| h.object_set(me, b"position", huge));
    assert_eq!(fatal, Some(Fatal::FuelExhausted));
    let args = spent(&mut h, |h| h.array_new()).0;
    spent(&mut h, |h| h.array_push(args, huge));
    let (_, _, fatal) = call(&mut h, BUDGET, |h| h.emit_signal(b"hit", args));
    assert_eq!(fatal, Some(Fatal::FuelExhausted));
    assert_eq!(h.stats().batch_len, 0);
}

#[test]
fn colliding_keys_are_paid_per_comparison() {
    let mut h = host(usize::MAX);
    // Arrays differing only below the hash depth all hash alike: every lookup compares them all.
    let d = spent(&mut h, |h| h.dict_new()).0;
    let mut total = 0.0;
    for i in 0..40 {
        let key = nested_int(&mut h, 8, i);
        let (_, fuel) = spent(&mut h, |h| h.dict_set(d, key, 0));
        total += fuel;
    }
    // Quadratic work is quadratic fuel: 40 keys compare ~40²/2 times, each visiting nodes.
    assert!(total >= (40 * 39 / 2 * cost::VALUE) as f64, "{total}");
}

fn nested_int(h: &mut ScriptHost, depth: usize, leaf: i64) -> i32 {
    let mut v = spent(h, |h| h.new_int(leaf)).0;
    for _ in 0..depth {
        let a = spent(h, |h| h.array_new()).0;
        spent(h, |h| h.array_push(a, v));
        v = a;
    }
    v
}

#[test]
fn host_memory_is_counted_per_script_and_capped() {
    let mut h = host(1 << 20);
    let before = h.memory();
    assert_eq!(before.limit, 1 << 20);
    // The input is the guest's (in its own memory), not the host's.
    let input = vec![b'a'; 512 * 1024];
    let (_, _, fatal) = call(&mut h, BUDGET, |h| h.new_string(&input));
    assert_eq!(fatal, None);
    assert!(h.memory().bytes >= 512 * 1024);
    // Another script's host memory is its own.
    let mut other = host(1 << 20);
    let input = vec![b'a'; 600 * 1024];
    let (_, _, fatal) = call(&mut other, BUDGET, |h| h.new_string(&input));
    assert_eq!(fatal, None);
    // Past the budget: memory_limit, for this script only.
    let (_, _, fatal) = call(&mut h, BUDGET, |h| h.new_string(&input));
    assert_eq!(fatal, Some(Fatal::MemoryLimit));
    assert!(h.memory().over);
    assert!(!other.memory().over);
    // Reset returns what the handles held.
    h.reset();
    assert!(h.memory().bytes < 64 * 1024, "{:?}", h.memory());
}

#[test]
fn memory_is_returned_across_many_hostile_cycles() {
    let mut peaks = Vec::new();
    for cycle in 0..2_000 {
        let mut h = host(1 << 20);
        // Fill the budget, fail, and be dropped.
        loop {
            let (_, _, fatal) = call(&mut h, BUDGET, |h| h.new_string(&vec![b'z'; 64 * 1024]));
            if fatal.is_some() {
                assert_eq!(fatal, Some(Fatal::MemoryLimit));
                break;
            }
        }
        let usage: Usage = h.memory();
        assert!(usage.over);
        if cycle % 500 == 0 {
            peaks.push(usage.peak);
        }
        drop(h);
    }
    // Every cycle ended at the same place: nothing carried over.
    assert!(peaks.windows(2).all(|w| w[0] == w[1]), "{peaks:?}");
}

#[test]
fn a_block_freed_after_its_account_closed_is_harmless() {
    let mut h = host(1 << 20);
    let (s, _, _) = call(&mut h, BUDGET, |h| h.new_string(b"kept"));
    assert!(s > 0);
    let bytes = call(&mut h, BUDGET, |h| {
        let mut out = Vec::new();
        h.value_read(s, &mut out);
        out
    })
    .0;
    // `bytes` was allocated under the script's account and outlives it.
    drop(h);
    let next = host(1 << 20);
    assert_eq!(next.memory().bytes, 0);
    drop(bytes);
    assert_eq!(next.memory().bytes, 0);
    let _ = type_id::NIL;
}

#[test]
fn reset_reclaims_containers_that_hold_themselves() {
    let mut h = host(64 << 20);
    let before = h.memory().bytes;
    for _ in 0..2_000 {
        let a = spent(&mut h, |h| h.array_new()).0;
        spent(&mut h, |h| h.array_push(a, a));
        let d = spent(&mut h, |h| h.dict_new()).0;
        spent(&mut h, |h| h.dict_set(d, a, d));
        spent(&mut h, |h| h.array_push(a, d));
        // No handle left: only the cycles keep them alive.
        spent(&mut h, |h| h.release(a));
        spent(&mut h, |h| h.release(d));
    }
    let cycles = h.memory().bytes;
    assert!(cycles > before + 2_000 * 64, "{before} → {cycles}");
    h.reset();
    assert!(
        h.memory().bytes <= before + 4096,
        "{before} → {}",
        h.memory().bytes
    );
}
