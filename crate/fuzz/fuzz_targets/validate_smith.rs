#![no_main]
//! wasm-smith modules (all proposals the generator knows) into the validator: never panics, and
//! `inspect` (every feature on) accepts every module wasm-smith claims is valid.

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use ugc_wasm::Policy;

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let config: wasm_smith::Config = u.arbitrary()?;
    let module = wasm_smith::Module::new(config, &mut u)?;
    let bytes = module.to_bytes();
    for policy in [Policy::script(), Policy::wasi()] {
        if let Err(e) = ugc_wasm::validate(&bytes, &policy) {
            assert!(!e.errors.is_empty());
        }
    }
    if let Err(e) = ugc_wasm::inspect(&bytes) {
        panic!("inspect (every core feature on) refused a valid wasm-smith module: {e}");
    }
    Ok(())
}
