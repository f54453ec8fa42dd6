//! Fuzzing's inputs kept as ordinary tests: the seed modules of crate/fuzz/seeds (valid, and
//! accepted by their profile) and every crash reproducer saved under crate/fuzz/regressions
//! (each must now end in `Ok` or a typed error). scripts/fuzz.sh runs the fuzzer itself.
// Native only: uses crates (wasmi, proptest, wasm-smith) or files that the wasm32 build of the tests lacks.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use ugc_wasm::{inspect, validate, Policy};

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(name)
}

fn files(name: &str, ext: Option<&str>) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir(name)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && ext.is_none_or(|ext| p.extension().is_some_and(|e| e == ext)))
        .collect();
    files.sort();
    files
}

#[test]
fn seeds_match_their_source_and_profile() {
    let seeds = files("seeds", Some("wasm"));
    assert_eq!(seeds.len(), 2, "{seeds:?}");
    for (seed, policy) in seeds.iter().zip([Policy::script(), Policy::wasi()]) {
        // The committed binary is the compiled .wat next to it (`UGC_WRITE_SEEDS=1` rewrites it).
        let wat = std::fs::read_to_string(seed.with_extension("wat")).unwrap();
        let compiled = wat::parse_str(&wat).unwrap();
        if std::env::var_os("UGC_WRITE_SEEDS").is_some() {
            std::fs::write(seed, &compiled).unwrap();
        }
        let bytes = std::fs::read(seed).unwrap();
        assert_eq!(bytes, compiled, "{} is stale", seed.display());
        assert!(inspect(&bytes).is_ok(), "{}", seed.display());
        let report =
            validate(&bytes, &policy).unwrap_or_else(|e| panic!("{} refused: {e}", seed.display()));
        assert!(!report.features_used.is_empty());
    }
}

#[test]
fn crash_reproducers_end_in_a_typed_result() {
    for input in files("regressions", None) {
        let bytes = std::fs::read(&input).unwrap();
        for policy in [Policy::script(), Policy::wasi()] {
            if let Err(e) = validate(&bytes, &policy) {
                assert!(!e.errors.is_empty(), "{}", input.display());
            }
        }
        let _ = inspect(&bytes);
    }
}
