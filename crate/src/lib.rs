//! ugc-wasm: the core of a sandbox for user-generated WebAssembly scripts in Godot web exports.
//!
//! The pipeline is visible in the module names and data flows one way:
//! bytes → [`validate`] (with a [`policy::Policy`]) → [`prepare`] → instantiate (in the browser,
//! `web`) → run. [`handles`] and [`variant`] are what a running guest talks to; [`abi`] is the
//! list of host functions a guest may import.

pub mod abi;
pub mod handles;
pub mod host;
pub mod policy;
pub mod prepare;
pub mod report;
pub mod validate;
pub mod variant;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use policy::Policy;
pub use report::ModuleReport;
pub use validate::{inspect, validate, ValidationError, Violation, ViolationCode};
