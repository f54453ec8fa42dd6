//! Property tests: the validator never panics, honours every limit it reports on, and its
//! accept/refuse decision on generated modules agrees with a small model of the policy.
// Native only: uses crates (wasmi, proptest, wasm-smith) or files that the wasm32 build of the tests lacks.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use proptest::prelude::*;
use ugc_wasm::policy::{Feature, Policy};
use ugc_wasm::{inspect, validate, ModuleReport, ViolationCode as C};
use wasm_encoder::{
    CodeSection, ConstExpr, CustomSection, DataSection, Function, FunctionSection, GlobalSection,
    GlobalType, MemorySection, MemoryType, Module, RefType, TableSection, TableType, TypeSection,
    ValType,
};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A valid module whose policy-relevant shape is chosen by the strategy.
#[derive(Debug, Clone)]
struct Shape {
    memory: Option<(u64, Option<u64>)>,
    table: Option<(u64, Option<u64>)>,
    functions: u32,
    locals: u32,
    body_padding: u32,
    globals: u32,
    data_segments: u32,
    custom_size: u32,
}

fn limits(max_initial: u64, max_max: u64) -> impl Strategy<Value = (u64, Option<u64>)> {
    (0..=max_initial, proptest::option::of(0..=max_max)).prop_map(|(initial, max)| {
        // A maximum below the minimum is invalid wasm; keep the module valid.
        (initial, max.map(|m| m.max(initial)))
    })
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        proptest::option::of(limits(2_048, 65_536)),
        proptest::option::of(limits(20_000, 100_000)),
        0u32..40,
        0u32..40,
        0u32..64,
        0u32..40,
        0u32..40,
        0u32..200,
    )
        .prop_map(
            |(
                memory,
                table,
                functions,
                locals,
                body_padding,
                globals,
                data_segments,
                custom_size,
            )| Shape {
                memory,
                table,
                functions,
                locals,
                body_padding,
                globals,
                data_segments,
                custom_size,
            },
        )
}

fn small_policy() -> impl Strategy<Value = Policy> {
    (
        0u64..2_048,
        0u64..20_000,
        0u32..40,
        0u32..40,
        0u32..40,
        0u32..40,
        1u32..100,
        0u64..200,
    )
        .prop_map(
            |(pages, elements, functions, globals, data, locals, body, custom)| Policy {
                max_memory_pages: pages,
                max_table_elements: elements,
                max_functions: functions,
                max_globals: globals,
                max_data_segments: data,
                max_locals_per_function: locals,
                max_function_body_size: body,
                max_custom_sections_size: custom,
                ..Policy::default()
            },
        )
}

fn build(s: &Shape) -> Vec<u8> {
    let mut module = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], []);
    module.section(&types);
    let mut funcs = FunctionSection::new();
    for _ in 0..s.functions {
        funcs.function(0);
    }
    module.section(&funcs);
    if let Some((initial, maximum)) = s.table {
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: initial,
            maximum,
            shared: false,
        });
        module.section(&tables);
    }
    if let Some((initial, maximum)) = s.memory {
        let mut memories = MemorySection::new();
        memories.memory(MemoryType {
            minimum: initial,
            maximum,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        module.section(&memories);
    }
    let mut globals = GlobalSection::new();
    for _ in 0..s.globals {
        let ty = GlobalType {
            val_type: ValType::I32,
            mutable: true,
            shared: false,
        };
        globals.global(ty, &ConstExpr::i32_const(0));
    }
    module.section(&globals);
    let mut code = CodeSection::new();
    for _ in 0..s.functions {
        let mut f = Function::new([(s.locals, ValType::I64)]);
        for _ in 0..s.body_padding {
            f.instructions().nop();
        }
        f.instructions().end();
        code.function(&f);
    }
    module.section(&code);
    let mut data = DataSection::new();
    for _ in 0..s.data_segments {
        data.passive([1u8, 2, 3]);
    }
    module.section(&data);
    if s.custom_size > 0 {
        module.section(&CustomSection {
            name: "pad".into(),
            data: vec![0u8; s.custom_size as usize].into(),
        });
    }
    module.finish()
}

/// The codes the policy should produce for `s`, computed independently of the validator.
fn model(s: &Shape, p: &Policy, bytes: &[u8]) -> BTreeSet<C> {
    let mut want = BTreeSet::new();
    if let Some((initial, _)) = s.memory {
        if initial > p.max_memory_pages {
            want.insert(C::MemoryTooLarge);
        }
    }
    if let Some((initial, _)) = s.table {
        if initial > p.max_table_elements {
            want.insert(C::TableTooLarge);
        }
    }
    if s.functions > p.max_functions {
        want.insert(C::TooManyFunctions);
    }
    if s.globals > p.max_globals {
        want.insert(C::TooManyGlobals);
    }
    if s.data_segments > p.max_data_segments {
        want.insert(C::TooManyDataSegments);
    }
    if s.functions > 0 && s.locals > p.max_locals_per_function {
        want.insert(C::TooManyLocals);
    }
    // Body (its size LEB excluded): the group count, one local group (count + type, even when
    // the count is 0), the nops and `end`. Every count here is below 128: one LEB byte.
    let body = 1 + 2 + s.body_padding + 1;
    if s.functions > 0 && body > p.max_function_body_size {
        want.insert(C::FunctionBodyTooLarge);
    }
    // A custom section counts its name (length byte + "pad") and payload.
    let custom = if s.custom_size > 0 {
        4 + u64::from(s.custom_size)
    } else {
        0
    };
    if custom > p.max_custom_sections_size {
        want.insert(C::CustomSectionsTooLarge);
    }
    if bytes.len() as u64 > p.max_module_size {
        // Checked first and alone.
        return BTreeSet::from([C::ModuleTooLarge]);
    }
    want
}

/// Whatever the policy accepted really is within its limits.
fn assert_within(report: &ModuleReport, p: &Policy) {
    assert!(report.size <= p.max_module_size);
    assert!(report.functions <= p.max_functions);
    assert!(report.globals <= p.max_globals);
    assert!(report.data_segments <= p.max_data_segments);
    assert!(report.element_segments <= p.max_element_segments);
    assert!(report.memories.len() as u64 <= u64::from(p.max_memories));
    assert!(report.tables.len() as u64 <= u64::from(p.max_tables));
    for m in &report.memories {
        assert!(m.declared.initial <= p.max_memory_pages);
        assert!(m
            .effective
            .maximum
            .is_some_and(|max| max <= p.max_memory_pages));
        assert!(!m.shared && !m.memory64 && !m.imported);
    }
    for t in &report.tables {
        assert!(t.declared.initial <= p.max_table_elements);
        assert!(t
            .effective
            .maximum
            .is_some_and(|max| max <= p.max_table_elements));
    }
    for i in &report.imports {
        assert!(p
            .imports
            .iter()
            .any(|f| f.module == i.module && f.name == i.name));
    }
    for f in &report.features_used {
        assert!(p.allows(*f), "{f} used but not allowed");
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn accept_refuse_agrees_with_model(s in shape(), p in small_policy()) {
        let bytes = build(&s);
        let want = model(&s, &p, &bytes);
        match validate(&bytes, &p) {
            Ok(report) => {
                prop_assert!(want.is_empty(), "accepted, model expected {want:?}");
                assert_within(&report, &p);
                prop_assert_eq!(report.functions, s.functions);
                prop_assert_eq!(report.memories.first().map(|m| m.capped),
                    s.memory.map(|(_, max)| max.is_none_or(|m| m > p.max_memory_pages)));
            }
            Err(e) => {
                let got: BTreeSet<C> = e.codes().into_iter().collect();
                prop_assert_eq!(got, want, "{}", e);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for p in [Policy::script(), Policy::wasi()] {
            if let Err(e) = validate(&bytes, &p) {
                prop_assert!(!e.errors.is_empty());
            }
        }
        let _ = inspect(&bytes);
    }

    #[test]
    fn mutated_modules_never_panic(
        s in shape(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = build(&s);
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let keep = cut.index(bytes.len() + 1);
        for candidate in [&bytes[..], &bytes[..keep]] {
            if let Err(e) = validate(candidate, &Policy::script()) {
                prop_assert!(!e.errors.is_empty());
            }
            let _ = inspect(candidate);
        }
    }

    #[test]
    fn smith_modules_with_default_features(seed in proptest::collection::vec(any::<u8>(), 64..2048)) {
        let mut u = arbitrary::Unstructured::new(&seed);
        let module = wasm_smith::Module::new(default_features_config(), &mut u);
        let Ok(module) = module else { return Ok(()) };
        let bytes = module.to_bytes();
        let described = inspect(&bytes);
        prop_assert!(described.is_ok(), "inspect refused a valid module: {:?}", described.err());
        let policy = Policy::default();
        match validate(&bytes, &policy) {
            Ok(report) => {
                assert_within(&report, &policy);
                prop_assert_eq!(&report.sha256, &described.unwrap().sha256);
            }
            Err(e) => {
                // Valid wasm using only allowed features: only policy codes, never structural.
                for v in &e.errors {
                    prop_assert!(
                        !matches!(v.code, C::Malformed | C::Invalid | C::FeatureNotAllowed),
                        "{}", e
                    );
                }
            }
        }
    }
}

/// wasm-smith limited to the default profile's proposals.
fn default_features_config() -> wasm_smith::Config {
    wasm_smith::Config {
        simd_enabled: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        multi_value_enabled: true,
        sign_extension_ops_enabled: true,
        saturating_float_to_int_enabled: true,
        relaxed_simd_enabled: false,
        exceptions_enabled: false,
        threads_enabled: false,
        tail_call_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        extended_const_enabled: false,
        compact_imports_enabled: false,
        wide_arithmetic_enabled: false,
        custom_page_sizes_enabled: false,
        max_memories: 1,
        max_tables: 8,
        max_memory32_bytes: 1024 * 65_536,
        ..wasm_smith::Config::default()
    }
}

#[test]
fn default_features_are_the_policy_defaults() {
    // Keeps default_features_config() honest if the default profile changes.
    let p = Policy::default();
    for f in [
        Feature::Simd,
        Feature::BulkMemory,
        Feature::ReferenceTypes,
        Feature::MultiValue,
        Feature::SignExtension,
        Feature::SaturatingFloatToInt,
        Feature::MutableGlobal,
    ] {
        assert!(p.allows(f), "{f}");
    }
    assert_eq!(p.features.len(), 7);
}
