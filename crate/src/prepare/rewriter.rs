//! The module-level pass: a `Reencode` implementation that records what later sections need
//! (function types, global/memory/table counts), applies the caps, appends the fuel global and
//! the reserved exports (creating the sections when the guest has none) and hands each function
//! body to the fuel instrumenter.

use super::fuel::{self, ModuleFacts, Stats, Strategy};
use super::{exports, limits, PrepareError, PrepareOptions, Prepared, START_FUEL};
use wasm_encoder::reencode::{utils, Error, Reencode};
use wasm_encoder::{
    CodeSection, ConstExpr, ExportSection, GlobalSection, GlobalType, Module, SectionId, ValType,
};
use wasmparser::{CompositeInnerType, Parser, TypeRef};

pub(crate) fn rewrite(
    bytes: &[u8],
    opts: &PrepareOptions,
    strategy: Strategy,
) -> Result<Prepared, PrepareError> {
    let mut rewriter = Rewriter {
        input: bytes,
        opts,
        strategy,
        type_params: Vec::new(),
        func_types: Vec::new(),
        imported_funcs: 0,
        globals: 0,
        memory64: Vec::new(),
        table64: Vec::new(),
        fuel_global: None,
        globals_done: false,
        exports_done: false,
        next_body: 0,
        stats: Stats::default(),
    };
    let mut module = Module::new();
    rewriter.parse_core_module(&mut module, Parser::new(0), bytes)?;
    Ok(Prepared {
        bytes: module.finish(),
        fuel_exported: rewriter.fuel_global.is_some(),
        memory_exported: !rewriter.memory64.is_empty(),
        metered_functions: rewriter.stats.functions,
        charge_points: rewriter.stats.charges,
        check_points: rewriter.stats.checks,
    })
}

struct Rewriter<'a> {
    input: &'a [u8],
    opts: &'a PrepareOptions,
    strategy: Strategy,
    /// Per type index: the parameter count if it is a function type.
    type_params: Vec<Option<u32>>,
    /// Per function index (imports first): its type index.
    func_types: Vec<u32>,
    imported_funcs: u32,
    /// Globals seen so far, imported and defined.
    globals: u32,
    /// Per memory (imports first): whether it is 64-bit.
    memory64: Vec<bool>,
    /// Per table (imports first): whether it is 64-bit.
    table64: Vec<bool>,
    fuel_global: Option<u32>,
    globals_done: bool,
    exports_done: bool,
    /// Index among defined functions of the next code section entry.
    next_body: u32,
    stats: Stats,
}

/// Position of a section in the module (the spec's order, which is not the id order).
fn rank(id: SectionId) -> u8 {
    match id {
        SectionId::Custom => 0,
        SectionId::Type => 1,
        SectionId::Import => 2,
        SectionId::Function => 3,
        SectionId::Table => 4,
        SectionId::Memory => 5,
        SectionId::Tag => 6,
        SectionId::Global => 7,
        SectionId::Export => 8,
        SectionId::Start => 9,
        SectionId::Element => 10,
        SectionId::DataCount => 11,
        SectionId::Code => 12,
        SectionId::Data => 13,
    }
}

fn user(err: PrepareError) -> Error<PrepareError> {
    Error::UserError(err)
}

impl Rewriter<'_> {
    fn add_fuel_global(&mut self, globals: &mut GlobalSection) {
        if self.opts.metering {
            globals.global(
                GlobalType {
                    val_type: ValType::I64,
                    mutable: true,
                    shared: false,
                },
                &ConstExpr::i64_const(START_FUEL),
            );
            self.fuel_global = Some(self.globals);
        }
        self.globals_done = true;
    }

    fn add_reserved_exports(&mut self, section: &mut ExportSection) {
        exports::add_reserved(section, self.fuel_global, !self.memory64.is_empty());
        self.exports_done = true;
    }

    fn note_import(&mut self, ty: TypeRef) {
        match ty {
            TypeRef::Func(index) | TypeRef::FuncExact(index) => {
                self.func_types.push(index);
                self.imported_funcs += 1;
            }
            TypeRef::Global(_) => self.globals += 1,
            TypeRef::Memory(m) => self.memory64.push(m.memory64),
            TypeRef::Table(t) => self.table64.push(t.table64),
            TypeRef::Tag(_) => {}
        }
    }

    fn params_of(&self, func: u32) -> Result<u32, PrepareError> {
        self.func_types
            .get(func as usize)
            .and_then(|&ty| self.type_params.get(ty as usize).copied().flatten())
            .ok_or_else(|| {
                PrepareError::new(
                    "invalid_index",
                    format!("function {func} has no function type"),
                    None,
                )
            })
    }
}

impl Reencode for Rewriter<'_> {
    type Error = PrepareError;

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), Error<PrepareError>> {
        for group in section.clone() {
            for sub in group?.into_types() {
                self.type_params.push(match &sub.composite_type.inner {
                    CompositeInnerType::Func(f) => Some(f.params().len() as u32),
                    _ => None,
                });
            }
        }
        utils::parse_type_section(self, types, section)
    }

    fn parse_imports(
        &mut self,
        section: &mut wasm_encoder::ImportSection,
        imports: wasmparser::Imports<'_>,
    ) -> Result<(), Error<PrepareError>> {
        match &imports {
            wasmparser::Imports::Single(_, import) => self.note_import(import.ty),
            wasmparser::Imports::Compact1 { items, .. } => {
                for item in items.clone() {
                    self.note_import(item?.ty);
                }
            }
            wasmparser::Imports::Compact2 { ty, names, .. } => {
                for name in names.clone() {
                    name?;
                    self.note_import(*ty);
                }
            }
        }
        utils::parse_imports(self, section, imports)
    }

    fn parse_function_section(
        &mut self,
        functions: &mut wasm_encoder::FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), Error<PrepareError>> {
        for ty in section.clone() {
            self.func_types.push(ty?);
        }
        utils::parse_function_section(self, functions, section)
    }

    fn parse_memory_section(
        &mut self,
        memories: &mut wasm_encoder::MemorySection,
        section: wasmparser::MemorySectionReader<'_>,
    ) -> Result<(), Error<PrepareError>> {
        for memory in section.clone() {
            self.memory64.push(memory?.memory64);
        }
        utils::parse_memory_section(self, memories, section)
    }

    fn parse_table_section(
        &mut self,
        tables: &mut wasm_encoder::TableSection,
        section: wasmparser::TableSectionReader<'_>,
    ) -> Result<(), Error<PrepareError>> {
        for table in section.clone() {
            self.table64.push(table?.ty.table64);
        }
        utils::parse_table_section(self, tables, section)
    }

    fn memory_type(
        &mut self,
        ty: wasmparser::MemoryType,
    ) -> Result<wasm_encoder::MemoryType, Error<PrepareError>> {
        let ty = utils::memory_type(self, ty);
        limits::cap_memory(ty, self.opts.max_memory_pages).map_err(user)
    }

    fn table_type(
        &mut self,
        ty: wasmparser::TableType,
    ) -> Result<wasm_encoder::TableType, Error<PrepareError>> {
        let ty = utils::table_type(self, ty)?;
        limits::cap_table(ty, self.opts.max_table_elements).map_err(user)
    }

    fn parse_global_section(
        &mut self,
        globals: &mut GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), Error<PrepareError>> {
        utils::parse_global_section(self, globals, section.clone())?;
        self.globals = self.globals.saturating_add(section.count());
        self.add_fuel_global(globals);
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        section: &mut ExportSection,
        reader: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), Error<PrepareError>> {
        for export in reader.clone() {
            let export = export?;
            exports::check_guest_export(export.name, export.kind, export.index, self.fuel_global)
                .map_err(user)?;
        }
        utils::parse_export_section(self, section, reader)?;
        self.add_reserved_exports(section);
        Ok(())
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut Module,
        _after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), Error<PrepareError>> {
        let past = |id: SectionId| before.is_none_or(|next| rank(next) > rank(id));
        if !self.globals_done && past(SectionId::Global) {
            let mut globals = GlobalSection::new();
            self.add_fuel_global(&mut globals);
            if !globals.is_empty() {
                module.section(&globals);
            }
        }
        if !self.exports_done && past(SectionId::Export) {
            let mut section = ExportSection::new();
            self.add_reserved_exports(&mut section);
            if !section.is_empty() {
                module.section(&section);
            }
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut CodeSection,
        body: wasmparser::FunctionBody<'_>,
    ) -> Result<(), Error<PrepareError>> {
        let func = self.imported_funcs.saturating_add(self.next_body);
        self.next_body = self.next_body.saturating_add(1);
        let Some(fuel_global) = self.fuel_global else {
            code.raw(body.as_bytes());
            return Ok(());
        };
        let params = self.params_of(func).map_err(user)?;
        let facts = ModuleFacts {
            fuel_global,
            memory64: &self.memory64,
            table64: &self.table64,
            strategy: self.strategy,
        };
        let instrumented =
            fuel::instrument(&body, self.input, params, &facts, &mut self.stats).map_err(user)?;
        code.function(&instrumented);
        Ok(())
    }
}
