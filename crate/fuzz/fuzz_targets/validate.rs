#![no_main]
//! Raw bytes into the validator under both profiles and `inspect`: must never panic.

use libfuzzer_sys::fuzz_target;
use ugc_wasm::Policy;

fuzz_target!(|bytes: &[u8]| {
    for policy in [Policy::script(), Policy::wasi()] {
        if let Err(e) = ugc_wasm::validate(bytes, &policy) {
            assert!(!e.errors.is_empty());
        }
    }
    let _ = ugc_wasm::inspect(bytes);
});
