//! `validate(bytes, &Policy)`: wasmparser's full validator (every function body) plus the policy
//! checks, in one pass over the module. Each section is validated by wasmparser first; the policy
//! layer then reads what it needs from the same (now known-good) section. Function bodies are
//! decoded once: the operator stream feeds wasmparser's validator and the feature detector
//! together ([`detect`]).
//!
//! Structural errors from wasmparser stop the walk (later sections cannot be trusted); policy
//! violations are collected and all reported.

mod abi_version;
mod body;
mod detect;
mod error;
mod exports;
mod imports;
mod limits;
mod types;

pub use error::{ValidationError, Violation, ViolationCode};

use sha2::{Digest, Sha256};
use wasmparser::{
    Encoding, FuncType, FuncValidatorAllocations, Parser, Payload, ValidPayload, Validator,
    WasmFeatures,
};

use crate::policy::{Feature, Policy};
use crate::report::ModuleReport;
use detect::FeatureBits;

/// Validates `bytes` against `policy`. `Ok` carries the report of an accepted module; `Err`
/// carries every violation found (at least one).
pub fn validate(bytes: &[u8], policy: &Policy) -> Result<ModuleReport, ValidationError> {
    run(bytes, policy, Mode::Enforce)
}

/// Full wasmparser validation with every core-wasm feature on and no policy limits: describes any
/// valid core module. Components are refused.
pub fn inspect(bytes: &[u8]) -> Result<ModuleReport, ValidationError> {
    run(bytes, &Policy::script(), Mode::Inspect)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Apply the policy: features, limits, allow-list.
    Enforce,
    /// Describe only: all core features, no policy violations, no caps.
    Inspect,
}

/// The state of one validation pass.
struct Scan<'p> {
    policy: &'p Policy,
    enforce: bool,
    violations: Vec<Violation>,
    report: ModuleReport,
    used: FeatureBits,
    /// The module's type index space (`None` for non-function types).
    types: Vec<Option<FuncType>>,
    /// Type index of every function (imports first).
    func_types: Vec<u32>,
    /// Mutability of every global (imports first).
    global_mutable: Vec<bool>,
    /// Offset of the first import from the host module, which makes the ABI section mandatory.
    host_import_offset: Option<u64>,
    custom_sections_size: u64,
    abi_section_seen: bool,
}

impl<'p> Scan<'p> {
    fn new(policy: &'p Policy, mode: Mode, size: usize) -> Self {
        Scan {
            policy,
            enforce: mode == Mode::Enforce,
            violations: Vec::new(),
            report: ModuleReport {
                size: size as u64,
                ..ModuleReport::default()
            },
            used: FeatureBits::default(),
            types: Vec::new(),
            func_types: Vec::new(),
            global_mutable: Vec::new(),
            host_import_offset: None,
            custom_sections_size: 0,
            abi_section_seen: false,
        }
    }

    /// Records a policy violation (ignored when only inspecting).
    fn violate(&mut self, code: ViolationCode, message: impl Into<String>, offset: Option<u64>) {
        if self.enforce {
            self.violations.push(Violation::new(code, message, offset));
        }
    }

    /// A count limit: one violation when `count` exceeds `max`.
    fn check_count(&mut self, code: ViolationCode, what: &str, count: u64, max: u32, offset: u64) {
        if count > u64::from(max) {
            self.violate(
                code,
                format!("{count} {what}, the policy allows at most {max}"),
                Some(offset),
            );
        }
    }

    fn wasm_features(&self) -> WasmFeatures {
        if self.enforce {
            self.policy.wasm_features()
        } else {
            WasmFeatures::all() & !WasmFeatures::COMPONENT_MODEL
        }
    }

    /// Walks the module once; `Err` is the structural error that stopped the walk.
    fn walk(&mut self, bytes: &[u8]) -> Result<(), Violation> {
        let mut validator = Validator::new_with_features(self.wasm_features());
        let mut allocs = FuncValidatorAllocations::default();
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(|e| Violation::from_wasmparser(&e, true))?;
            if let Payload::Version {
                encoding: Encoding::Component,
                range,
                ..
            } = &payload
            {
                return Err(Violation::new(
                    ViolationCode::ComponentNotAllowed,
                    "this is a WebAssembly component; only core modules are accepted",
                    Some(range.start),
                ));
            }
            let valid = validator
                .payload(&payload)
                .map_err(|e| Violation::from_wasmparser(&e, false))?;
            if let ValidPayload::Func(func, body) = valid {
                allocs = self.function_body(func, &body, allocs)?;
                continue;
            }
            self.section(&payload)
                .map_err(|e| Violation::from_wasmparser(&e, true))?;
        }
        Ok(())
    }

    /// The policy checks and report entries of one (already validated) section.
    fn section(&mut self, payload: &Payload<'_>) -> wasmparser::Result<()> {
        match payload {
            Payload::TypeSection(reader) => self.type_section(reader.clone())?,
            Payload::ImportSection(reader) => self.import_section(reader.clone())?,
            Payload::FunctionSection(reader) => self.function_section(reader.clone())?,
            Payload::TableSection(reader) => self.table_section(reader.clone())?,
            Payload::MemorySection(reader) => self.memory_section(reader.clone())?,
            Payload::TagSection(_) => self.used.insert(Feature::Exceptions),
            Payload::GlobalSection(reader) => self.global_section(reader.clone())?,
            Payload::ExportSection(reader) => self.export_section(reader.clone())?,
            Payload::StartSection { .. } => self.report.has_start = true,
            Payload::ElementSection(reader) => self.element_section(reader.clone())?,
            Payload::DataCountSection { .. } => self.used.insert(Feature::BulkMemory),
            Payload::DataSection(reader) => self.data_section(reader.clone())?,
            Payload::CustomSection(reader) => self.custom_section(reader),
            _ => {}
        }
        Ok(())
    }

    fn finish(mut self, bytes: &[u8]) -> Result<ModuleReport, ValidationError> {
        self.check_abi_version_present();
        if !self.violations.is_empty() {
            return Err(ValidationError {
                errors: self.violations,
            });
        }
        self.report.features_used = self.used.to_vec();
        self.report.sha256 = hex(&Sha256::digest(bytes));
        Ok(self.report)
    }
}

fn run(bytes: &[u8], policy: &Policy, mode: Mode) -> Result<ModuleReport, ValidationError> {
    let mut scan = Scan::new(policy, mode, bytes.len());
    // Refuse oversized input before spending any time on it.
    if scan.enforce && bytes.len() as u64 > policy.max_module_size {
        scan.violate(
            ViolationCode::ModuleTooLarge,
            format!(
                "module is {} bytes, the policy allows at most {}",
                bytes.len(),
                policy.max_module_size
            ),
            None,
        );
        return Err(ValidationError {
            errors: scan.violations,
        });
    }
    if let Err(structural) = scan.walk(bytes) {
        scan.violations.push(structural);
        return Err(ValidationError {
            errors: scan.violations,
        });
    }
    scan.finish(bytes)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}
