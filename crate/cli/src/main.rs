//! `ugc-wasm`: validate and inspect guest modules, print the host ABI.
//!
//! Exit status: 0 accepted / success, 1 module rejected (or malformed for `inspect`), 2 usage or
//! I/O error (including an unreadable or invalid policy file). Clap exits 2 on usage errors.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use ugc_wasm::abi;
use ugc_wasm::policy::Policy;
use ugc_wasm::report::{Limits, ModuleReport};
use ugc_wasm::validate::{inspect, validate, ValidationError};

#[derive(Parser)]
#[command(
    name = "ugc-wasm",
    version,
    about = "Validate and inspect user-generated WebAssembly scripts"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a module against a policy: exit 0 if accepted, 1 if rejected (one violation per line).
    Validate {
        /// The .wasm file.
        file: PathBuf,
        /// A policy JSON file; fields it omits keep the profile's values.
        #[arg(long, value_name = "POLICY.json")]
        policy: Option<PathBuf>,
        /// The built-in profile to start from.
        #[arg(long, value_enum, default_value_t = Profile::Script)]
        profile: Profile,
        /// Print the report (accepted) or `{"ok": false, "errors": [...]}` (rejected) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Describe any valid core module (all features on, no policy limits).
    Inspect {
        /// The .wasm file.
        file: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the host ABI: every function a guest may import, with its signature.
    Abi {
        /// Print as JSON (`{"version", "imports": [{"module", "name", "params", "results"}]}`).
        #[arg(long)]
        json: bool,
        /// Print the WASI preview-1 imports of the `wasi` profile instead.
        #[arg(long)]
        wasi: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Profile {
    Script,
    Wasi,
}

/// A usage or I/O failure: printed to stderr, exit status 2.
struct UsageError(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate {
            file,
            policy,
            profile,
            json,
        } => run_validate(&file, policy.as_deref(), profile, json),
        Command::Inspect { file, json } => run_inspect(&file, json),
        Command::Abi { json, wasi } => run_abi(json, wasi),
    };
    match result {
        Ok(code) => code,
        Err(UsageError(message)) => {
            eprintln!("ugc-wasm: {message}");
            ExitCode::from(2)
        }
    }
}

fn run_validate(
    file: &Path,
    policy_file: Option<&Path>,
    profile: Profile,
    json: bool,
) -> Result<ExitCode, UsageError> {
    let base = match profile {
        Profile::Script => Policy::script(),
        Profile::Wasi => Policy::wasi(),
    };
    let policy = match policy_file {
        None => base,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| UsageError(format!("cannot read policy {}: {e}", path.display())))?;
            Policy::from_json_over(&text, &base)
                .map_err(|e| UsageError(format!("{}: {e}", path.display())))?
        }
    };
    let bytes = read_module(file)?;
    Ok(match validate(&bytes, &policy) {
        Ok(report) => {
            if json {
                print_json(&report);
            } else {
                println!(
                    "ok: {} accepted ({} bytes, sha256 {})",
                    file.display(),
                    report.size,
                    report.sha256
                );
                for note in &report.notes {
                    println!("note: {note}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(err) => rejected(&err, json),
    })
}

fn run_inspect(file: &Path, json: bool) -> Result<ExitCode, UsageError> {
    let bytes = read_module(file)?;
    Ok(match inspect(&bytes) {
        Ok(report) => {
            if json {
                print_json(&report);
            } else {
                print_report(&report);
            }
            ExitCode::SUCCESS
        }
        Err(err) => rejected(&err, json),
    })
}

fn run_abi(json: bool, wasi: bool) -> Result<ExitCode, UsageError> {
    let description = if wasi {
        abi::AbiDescription {
            version: abi::ABI_VERSION,
            imports: abi::wasi_imports(),
        }
    } else {
        abi::describe()
    };
    if json {
        print_json(&description);
    } else {
        println!("host ABI version {}", description.version);
        for f in &description.imports {
            println!(
                "{}.{}({}) -> ({})",
                f.module,
                f.name,
                names(&f.params).join(", "),
                names(&f.results).join(", ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_module(file: &Path) -> Result<Vec<u8>, UsageError> {
    std::fs::read(file).map_err(|e| UsageError(format!("cannot read {}: {e}", file.display())))
}

/// Prints the violations (one `code: message (offset N)` line each, or JSON); exit status 1.
fn rejected(err: &ValidationError, json: bool) -> ExitCode {
    if json {
        print_json(&serde_json::json!({ "ok": false, "errors": err.errors }));
    } else {
        println!("{err}");
    }
    ExitCode::from(1)
}

fn print_json<T: serde::Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        // Our report types always serialize; this is only reachable through a bug.
        Err(e) => eprintln!("ugc-wasm: cannot serialize output: {e}"),
    }
}

fn names(types: &[abi::ValType]) -> Vec<&'static str> {
    types.iter().map(|t| t.name()).collect()
}

fn print_report(r: &ModuleReport) {
    println!("size: {} bytes", r.size);
    println!("sha256: {}", r.sha256);
    match r.abi_version {
        Some(v) => println!("abi version: {v}"),
        None => println!("abi version: none"),
    }
    println!(
        "types: {}, functions: {} defined + {} imported, globals: {}, data segments: {}, element segments: {}, start: {}",
        r.types,
        r.functions,
        r.imported_functions,
        r.globals,
        r.data_segments,
        r.element_segments,
        if r.has_start { "yes" } else { "no" }
    );
    println!("imports ({}):", r.imports.len());
    for i in &r.imports {
        println!(
            "  {}.{} {}{}",
            i.module,
            i.name,
            i.kind.name(),
            signature(&i.signature)
        );
    }
    println!("exports ({}):", r.exports.len());
    for e in &r.exports {
        println!(
            "  {} {} {}{}",
            e.name,
            e.kind.name(),
            e.index,
            signature(&e.signature)
        );
    }
    for (i, m) in r.memories.iter().enumerate() {
        println!(
            "memory {i}: {}{}{}{}",
            limits(&m.declared, "pages"),
            if m.imported { " imported" } else { "" },
            if m.memory64 { " i64" } else { "" },
            if m.shared { " shared" } else { "" },
        );
    }
    for (i, t) in r.tables.iter().enumerate() {
        println!(
            "table {i}: {} {}{}",
            t.element_type,
            limits(&t.declared, "elements"),
            if t.imported { " imported" } else { "" },
        );
    }
    let features: Vec<&str> = r.features_used.iter().map(|f| f.name()).collect();
    println!(
        "features used: {}",
        if features.is_empty() {
            "none (MVP)".to_owned()
        } else {
            features.join(", ")
        }
    );
    println!("custom sections ({}):", r.custom_sections.len());
    for c in &r.custom_sections {
        println!("  {} ({} bytes)", c.name, c.size);
    }
    for note in &r.notes {
        println!("note: {note}");
    }
}

fn signature(sig: &Option<ugc_wasm::report::Signature>) -> String {
    match sig {
        Some(s) => format!(" ({}) -> ({})", s.params.join(", "), s.results.join(", ")),
        None => String::new(),
    }
}

fn limits(l: &Limits, unit: &str) -> String {
    match l.maximum {
        Some(max) => format!("{}..{max} {unit}", l.initial),
        None => format!("{}.. {unit} (no maximum)", l.initial),
    }
}
