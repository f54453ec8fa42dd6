//! `JsScriptHost`: the per-script [`ScriptHost`] for the JS glue (`js-glue/src/host-imports.js`).
//!
//! One thin method per `ugc` import, taking plain numbers and byte slices the glue copied out of
//! guest memory; outputs (`value_read`, `var_to_bytes`, `object_get_value`, `last_error`) are
//! returned as bytes for the glue to copy back when they fit. Values the game passes in and out
//! (method arguments and results, properties, the batch) cross as Godot binary Variant bytes;
//! `web::variant_js` turns them into plain JS values when the caller wants that.
//!
//! Objects ([`SelfBridge`]): reads of the node's engine properties are served first from values the
//! game seeded with `setNodeProperty` and from the writes of earlier batches. Everything else goes
//! to the game's JS bridge when `load` was given one (`{ classOf(id), get(id, name), call(id,
//! name, argsBytes) }`, Variant bytes in and out, synchronous); without one, query calls on the
//! node are `not_found` and every other object is `object_gone`.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::convert::error_object;
use crate::abi::AbiError;
use crate::host::meter;
use crate::host::{
    self, batch, BatchSink, Fail, HostConfig, Manifest, ObjectBridge, ScriptHost, SharedBindings,
};
use crate::variant::{self, Variant};

/// Host functions that take `(ptr, len)` pairs: `bad_pointer` records which one refused.
const POINTER_FUNCTIONS: &[&str] = &[
    "log",
    "last_error",
    "new_string",
    "new_value",
    "value_read",
    "var_from_bytes",
    "var_to_bytes",
    "object_get",
    "object_get_value",
    "object_set",
    "object_set_value",
    "object_bind_value",
    "object_call",
    "emit_signal",
];

/// `function` as one of [`POINTER_FUNCTIONS`] (the host log keeps `&'static str`s).
fn pointer_function(function: &str) -> &'static str {
    POINTER_FUNCTIONS
        .iter()
        .find(|f| **f == function)
        .copied()
        .unwrap_or("host")
}

/// The [`ObjectBridge`]: the game's JS bridge when one was given (`{ classOf, get, call }`), else only
/// the script's own node (see the module docs).
struct SelfBridge {
    self_id: u64,
    js: Option<JsValue>,
}

impl SelfBridge {
    /// Calls `js[method](args…)`; a throw is `bad_value` with its message.
    fn invoke(js: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, Fail> {
        let f = js_sys::Reflect::get(js, &JsValue::from_str(method))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .ok_or_else(|| {
                Fail::new(
                    AbiError::NotFound,
                    format!("the bridge has no {method} function"),
                )
            })?;
        let args: js_sys::Array = args.iter().collect();
        f.apply(js, &args).map_err(|e| {
            let message = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| e.as_string())
                .unwrap_or_else(|| "the bridge threw".into());
            Fail::new(AbiError::BadValue, format!("bridge.{method}: {message}"))
        })
    }

    /// A bridge answer: Variant bytes; `undefined` is `not_found`, `null` is `object_gone`.
    fn answer(id: u64, what: &str, v: JsValue) -> Result<Variant, Fail> {
        if v.is_undefined() {
            return Err(Fail::new(
                AbiError::NotFound,
                format!("object {id} has no {what}"),
            ));
        }
        if v.is_null() {
            return Err(gone(id));
        }
        let bytes = v.dyn_into::<js_sys::Uint8Array>().map_err(|_| {
            Fail::new(
                AbiError::BadValue,
                "the bridge must answer with Variant bytes (a Uint8Array)",
            )
        })?;
        variant::decode_exact(&bytes.to_vec())
            .map_err(|e| Fail::new(AbiError::BadValue, format!("bridge answer: {e}")))
    }
}

impl ObjectBridge for SelfBridge {
    fn class_of(&mut self, id: u64) -> Option<String> {
        // The host answers for its own node itself.
        let js = self.js.as_ref()?;
        Self::invoke(js, "classOf", &[JsValue::from(id)])
            .ok()
            .and_then(|c| c.as_string())
    }

    fn get(&mut self, id: u64, property: &str) -> Result<Variant, Fail> {
        if let Some(js) = &self.js {
            let v = Self::invoke(js, "get", &[JsValue::from(id), JsValue::from_str(property)])?;
            return Self::answer(id, &format!("property '{property}'"), v);
        }
        if id != self.self_id {
            return Err(gone(id));
        }
        Err(Fail::new(
            AbiError::NotFound,
            format!("property '{property}' of the node is not known to the browser host"),
        ))
    }

    fn call(&mut self, id: u64, method: &str, args: &[Variant]) -> Result<Variant, Fail> {
        if let Some(js) = &self.js {
            let args = variant::encode(&Variant::array(args.to_vec()))
                .map_err(|e| Fail::new(AbiError::BadValue, e.to_string()))?;
            let args = js_sys::Uint8Array::from(args.as_slice());
            let v = Self::invoke(
                js,
                "call",
                &[JsValue::from(id), JsValue::from_str(method), args.into()],
            )?;
            return Self::answer(id, &format!("method '{method}'"), v);
        }
        if id != self.self_id {
            return Err(gone(id));
        }
        Err(Fail::new(
            AbiError::NotFound,
            format!("query method '{method}' is not available in the browser host"),
        ))
    }
}

fn gone(id: u64) -> Fail {
    Fail::new(
        AbiError::ObjectGone,
        format!("object {id} is not reachable from the browser host"),
    )
}

fn thrown(f: Fail) -> JsValue {
    error_object(f.code.name(), &f.message, None)
}

fn decode(bytes: &[u8]) -> Result<Variant, JsValue> {
    variant::decode_exact(bytes).map_err(|e| error_object("bad_value", &e.to_string(), None))
}

fn encode(value: &Variant) -> Result<Vec<u8>, JsValue> {
    variant::encode(value).map_err(|e| error_object("bad_value", &e.to_string(), None))
}

thread_local! {
    /// Where the glue copies a guest's `(ptr, len)` input before calling a `*_scratch` method: one
    /// buffer for every host on this thread, so the hot host calls pass no slice (a slice costs an
    /// allocation and a free in the crate per call).
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0; 256]);
}

/// The address of the host-work meter's cell, `[fuel, fatal, account]` as `f64`s, in the crate's
/// memory: the glue opens it around every host call (crate/src/host/meter.rs).
#[wasm_bindgen(js_name = meterCell)]
pub fn meter_cell() -> usize {
    crate::host::meter::cell_address()
}

/// Makes the scratch buffer at least `len` bytes and returns its address in the crate's memory
/// (valid until the next call of this function). The glue writes inputs there.
#[wasm_bindgen(js_name = scratchBuffer)]
pub fn scratch_buffer(len: usize) -> usize {
    // The buffer is every script's, so it is the runtime's memory (the glue grows it inside a
    // script's host call, after the script paid for the input's bytes).
    meter::as_runtime(|| {
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            if s.len() < len {
                s.resize(len, 0);
            }
            s.as_ptr() as usize
        })
    })
}

/// Runs `f` on the first `len` bytes of the scratch buffer, copied out first: `f` may re-enter JS
/// (a bridge call), which may reuse the buffer.
fn from_scratch<R>(len: usize, f: impl FnOnce(&[u8]) -> R) -> R {
    let mut small = [0u8; 64];
    let mut large = Vec::new();
    let n = SCRATCH.with(|s| {
        let s = s.borrow();
        let n = len.min(s.len());
        if n <= small.len() {
            small[..n].copy_from_slice(&s[..n]);
        } else {
            // A transient copy of an input the script paid for, freed before the call returns:
            // not held for the script, so not counted against its budget.
            meter::as_runtime(|| large.extend_from_slice(&s[..n]));
        }
        n
    });
    if n <= small.len() {
        f(&small[..n])
    } else {
        f(&large)
    }
}

/// A harvest's write count, or -1 for bytes that do not match the layout.
fn harvested(writes: Option<usize>) -> i32 {
    writes.map_or(-1, |n| i32::try_from(n).unwrap_or(i32::MAX))
}

fn bad_manifest(e: crate::host::ManifestError) -> JsValue {
    error_object("bad_manifest", &e.to_string(), None)
}

/// `"node"` or `"shared"`: the `instancing` a module's manifest asks for (docs/ABI.md). Throws
/// `{ code: "bad_manifest", message }` when the manifest is malformed.
#[wasm_bindgen(js_name = manifestInstancing)]
pub fn manifest_instancing(bytes: &[u8]) -> Result<String, JsValue> {
    let manifest = Manifest::from_module(bytes).map_err(bad_manifest)?;
    Ok(manifest.instancing.name().to_owned())
}

/// What the hosts of one shared instance have in common: the parsed manifest (parsed once, not
/// per node) and the batch sink, which also holds the browser's view of the nodes' engine
/// properties (a mirroring sink: see `BatchQueue`).
#[wasm_bindgen]
pub struct JsHostGroup {
    manifest: Manifest,
    sink: BatchSink,
    bindings: SharedBindings,
}

#[wasm_bindgen]
impl JsHostGroup {
    /// The group of the (original, unprepared) module `bytes`. Throws `bad_manifest`.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<JsHostGroup, JsValue> {
        Ok(JsHostGroup {
            manifest: Manifest::from_module(bytes).map_err(bad_manifest)?,
            sink: batch::mirroring_sink(),
            bindings: SharedBindings::default(),
        })
    }

    /// A host for one node of the instance, writing to the group's batch.
    pub fn host(
        &self,
        self_id: u64,
        self_class: String,
        slot: u32,
        max_live_handles: u32,
        max_host_memory: f64,
        bridge: JsValue,
    ) -> JsScriptHost {
        JsScriptHost::build(
            self.manifest.clone(),
            self_id,
            self_class,
            slot,
            (max_live_handles, max_host_memory),
            bridge,
            Rc::clone(&self.sink),
            Rc::clone(&self.bindings),
        )
    }

    /// Changes whenever the bindings' layout does (see `bindings_layout`).
    pub fn bindings_version(&self) -> f64 {
        self.bindings.borrow().version() as f64
    }

    /// `[ptr, size, …]`: where each bound value's bytes are in guest memory, in the order
    /// `harvest_bindings` takes them.
    pub fn bindings_layout(&self) -> Vec<u32> {
        self.bindings.borrow().layout()
    }

    /// Queues a write for every bound value that changed (`bytes`: all of them, back to back in
    /// layout order); returns how many, or -1 when `bytes` does not match the layout.
    pub fn harvest_bindings(&mut self, bytes: &[u8]) -> i32 {
        harvested(host::harvest_bindings(&self.bindings, &self.sink, bytes))
    }

    /// Every node's writes since the last take, in call order, as one Godot Array.
    pub fn take_batch_bytes(&mut self) -> Vec<u8> {
        self.sink.borrow_mut().take_bytes()
    }

    /// Entries queued in the group's batch.
    pub fn batch_len(&self) -> u32 {
        self.sink.borrow().len() as u32
    }

    /// Drops the queued batch (the instance was reset or faulted).
    pub fn clear_batch(&mut self) {
        self.sink.borrow_mut().clear();
    }

    pub fn instancing(&self) -> String {
        self.manifest.instancing.name().to_owned()
    }
}

#[wasm_bindgen]
pub struct JsScriptHost {
    host: ScriptHost,
    /// Reused output buffer for `value_read` / `var_to_bytes`.
    out: Vec<u8>,
}

impl JsScriptHost {
    #[allow(clippy::too_many_arguments)]
    fn build(
        manifest: Manifest,
        self_id: u64,
        self_class: String,
        slot: u32,
        (max_live_handles, max_host_memory): (u32, f64),
        bridge: JsValue,
        sink: BatchSink,
        bindings: SharedBindings,
    ) -> JsScriptHost {
        let mut config = HostConfig::new(self_id, manifest);
        config.self_class = self_class;
        config.max_live_handles = max_live_handles as usize;
        // A JS number: clamped into usize (a negative or NaN budget is none at all).
        config.max_host_memory = max_host_memory.clamp(0.0, usize::MAX as f64) as usize;
        config.slot = slot;
        config.batch = Some(sink);
        config.bindings = Some(bindings);
        let bridge = SelfBridge {
            self_id,
            js: (!bridge.is_undefined() && !bridge.is_null()).then_some(bridge),
        };
        JsScriptHost {
            host: ScriptHost::new(config, Box::new(bridge)),
            out: Vec::new(),
        }
    }
}

#[wasm_bindgen]
impl JsScriptHost {
    /// A host for the (original, unprepared) module `bytes`: its manifest comes from the
    /// `ugc_script` section. `self_class` empty: the manifest's `extends`;
    /// `max_live_handles`: the policy's cap; `bridge`: the game's `{ classOf, get, call }` or `undefined`. Throws
    /// `{ code: "bad_manifest", message }` when the manifest is malformed.
    #[wasm_bindgen(constructor)]
    pub fn new(
        bytes: &[u8],
        self_id: u64,
        self_class: String,
        max_live_handles: u32,
        max_host_memory: f64,
        bridge: JsValue,
    ) -> Result<JsScriptHost, JsValue> {
        let manifest = Manifest::from_module(bytes).map_err(bad_manifest)?;
        Ok(JsScriptHost::build(
            manifest,
            self_id,
            self_class,
            0,
            (max_live_handles, max_host_memory),
            bridge,
            batch::mirroring_sink(),
            SharedBindings::default(),
        ))
    }

    // ---- diagnostics

    pub fn log(&mut self, bytes: &[u8]) {
        self.host.log(bytes);
    }

    /// The last error's message as UTF-8 bytes.
    pub fn last_error(&self) -> Vec<u8> {
        self.host.last_error().as_bytes().to_vec()
    }

    /// Records a `bad_pointer` for `function` and returns its code (-4).
    pub fn bad_pointer(&mut self, function: &str, ptr: u32, len: u32) -> i32 {
        self.host.bad_pointer(pointer_function(function), ptr, len)
    }

    /// The longest name the name-taking functions accept (`abi::MAX_NAME_LEN`): the glue refuses
    /// longer ones with [`JsScriptHost::name_too_long`] before copying them out of guest memory.
    pub fn max_name_len(&self) -> u32 {
        crate::abi::MAX_NAME_LEN as u32
    }

    /// Records the `bad_value` of a name of `len` bytes, past `max_name_len()`, for `function`
    /// (the error the crate gives such a name itself) and returns its code (-10).
    pub fn name_too_long(&mut self, function: &str, len: u32) -> i32 {
        self.host.name_too_long(pointer_function(function), len)
    }

    // ---- handles and values

    pub fn retain(&mut self, h: i32) -> i32 {
        self.host.retain(h)
    }
    pub fn release(&mut self, h: i32) -> i32 {
        self.host.release(h)
    }
    pub fn type_of(&mut self, h: i32) -> i32 {
        self.host.type_of(h)
    }
    pub fn new_int(&mut self, v: i64) -> i32 {
        self.host.new_int(v)
    }
    pub fn new_float(&mut self, v: f64) -> i32 {
        self.host.new_float(v)
    }
    pub fn new_bool(&mut self, v: i32) -> i32 {
        self.host.new_bool(v)
    }
    /// `new_string` of the first `len` bytes of the scratch buffer (see `scratchBuffer`).
    pub fn new_string_scratch(&mut self, len: usize) -> i32 {
        from_scratch(len, |bytes| self.host.new_string(bytes))
    }
    pub fn new_value_scratch(&mut self, ty: i32, len: usize) -> i32 {
        from_scratch(len, |bytes| self.host.new_value(ty, bytes))
    }
    pub fn object_get_scratch(&mut self, obj: i32, len: usize) -> i32 {
        from_scratch(len, |name| self.host.object_get(obj, name))
    }
    /// `object_get_value` with the name in the scratch buffer. The value's bytes go to
    /// [`JsScriptHost::output`] and, when the scratch buffer holds them, to its start too, so the
    /// glue copies them from there into guest memory (no fresh array per call).
    pub fn object_get_value_scratch(&mut self, obj: i32, name_len: usize, ty: i32) -> i32 {
        let n = from_scratch(name_len, |name| {
            self.host.object_get_value(obj, name, ty, &mut self.out)
        });
        if n > 0 {
            SCRATCH.with(|s| {
                let mut s = s.borrow_mut();
                if let Some(dst) = s.get_mut(..self.out.len()) {
                    dst.copy_from_slice(&self.out);
                }
            });
        }
        n
    }
    pub fn object_set_scratch(&mut self, obj: i32, len: usize, value: i32) -> i32 {
        from_scratch(len, |name| self.host.object_set(obj, name, value))
    }
    /// `object_set_value` with the name then the value in the scratch buffer (`name_len` then
    /// `val_len` bytes, back to back).
    pub fn object_set_value_scratch(
        &mut self,
        obj: i32,
        name_len: usize,
        ty: i32,
        val_len: usize,
    ) -> i32 {
        from_scratch(name_len.saturating_add(val_len), |bytes| {
            let (name, value) = bytes.split_at(name_len.min(bytes.len()));
            self.host.object_set_value(obj, name, ty, value)
        })
    }
    pub fn new_string(&mut self, bytes: &[u8]) -> i32 {
        self.host.new_string(bytes)
    }
    pub fn new_value(&mut self, ty: i32, bytes: &[u8]) -> i32 {
        self.host.new_value(ty, bytes)
    }
    /// Returns the length (or an error code); the bytes are then in [`JsScriptHost::output`].
    pub fn value_read(&mut self, h: i32) -> i32 {
        self.host.value_read(h, &mut self.out)
    }
    pub fn as_int(&mut self, h: i32) -> i64 {
        self.host.as_int(h)
    }
    pub fn as_float(&mut self, h: i32) -> f64 {
        self.host.as_float(h)
    }
    pub fn var_from_bytes(&mut self, bytes: &[u8]) -> i32 {
        self.host.var_from_bytes(bytes)
    }
    /// Like [`JsScriptHost::value_read`].
    pub fn var_to_bytes(&mut self, h: i32) -> i32 {
        self.host.var_to_bytes(h, &mut self.out)
    }
    /// The bytes of the last successful `value_read` / `var_to_bytes`.
    pub fn output(&self) -> Vec<u8> {
        self.out.clone()
    }

    // ---- arrays and dictionaries

    pub fn array_new(&mut self) -> i32 {
        self.host.array_new()
    }
    pub fn array_len(&mut self, h: i32) -> i32 {
        self.host.array_len(h)
    }
    pub fn array_get(&mut self, h: i32, index: i32) -> i32 {
        self.host.array_get(h, index)
    }
    pub fn array_set(&mut self, h: i32, index: i32, value: i32) -> i32 {
        self.host.array_set(h, index, value)
    }
    pub fn array_push(&mut self, h: i32, value: i32) -> i32 {
        self.host.array_push(h, value)
    }
    pub fn dict_new(&mut self) -> i32 {
        self.host.dict_new()
    }
    pub fn dict_len(&mut self, h: i32) -> i32 {
        self.host.dict_len(h)
    }
    pub fn dict_get(&mut self, h: i32, key: i32) -> i32 {
        self.host.dict_get(h, key)
    }
    pub fn dict_set(&mut self, h: i32, key: i32, value: i32) -> i32 {
        self.host.dict_set(h, key, value)
    }
    pub fn dict_keys(&mut self, h: i32) -> i32 {
        self.host.dict_keys(h)
    }

    // ---- objects, properties, signals

    pub fn self_object(&mut self) -> i32 {
        self.host.self_object()
    }
    pub fn object_get(&mut self, obj: i32, name: &[u8]) -> i32 {
        self.host.object_get(obj, name)
    }
    pub fn object_set(&mut self, obj: i32, name: &[u8], value: i32) -> i32 {
        self.host.object_set(obj, name, value)
    }
    /// Returns the length (or an error code); the bytes are then in [`JsScriptHost::output`].
    pub fn object_get_value(&mut self, obj: i32, name: &[u8], ty: i32) -> i32 {
        self.host.object_get_value(obj, name, ty, &mut self.out)
    }
    pub fn object_set_value(&mut self, obj: i32, name: &[u8], ty: i32, value: &[u8]) -> i32 {
        self.host.object_set_value(obj, name, ty, value)
    }
    /// `object_bind_value`; the seed is left in `output()` for the glue to copy to `ptr`.
    pub fn object_bind_value(
        &mut self,
        obj: i32,
        name: &[u8],
        ty: i32,
        ptr: u32,
        mem_len: u32,
    ) -> i32 {
        self.host
            .object_bind_value(obj, name, ty, ptr, mem_len as usize, &mut self.out)
    }
    /// See `JsHostGroup::bindings_version` (this host's own table, node instancing).
    pub fn bindings_version(&self) -> f64 {
        self.host.bindings().borrow().version() as f64
    }
    pub fn bindings_layout(&self) -> Vec<u32> {
        self.host.bindings().borrow().layout()
    }
    pub fn harvest_bindings(&mut self, bytes: &[u8]) -> i32 {
        harvested(self.host.harvest_bindings(bytes))
    }
    pub fn object_call(&mut self, obj: i32, name: &[u8], args: i32) -> i32 {
        self.host.object_call(obj, name, args)
    }
    pub fn emit_signal(&mut self, name: &[u8], args: i32) -> i32 {
        self.host.emit_signal(name, args)
    }

    // ---- the embedding side

    /// Lends a value (Variant bytes) for an export call; returns the borrowed handle.
    pub fn lend(&mut self, bytes: &[u8]) -> Result<i32, JsValue> {
        let value = decode(bytes)?;
        self.host.lend(value).map_err(thrown)
    }

    pub fn end_lend(&mut self, h: i32) -> Result<(), JsValue> {
        self.host.end_lend(h).map_err(thrown)
    }

    /// Takes over a handle a method returned (`0`: nil); its value as Variant bytes.
    pub fn take_returned(&mut self, h: i32) -> Result<Vec<u8>, JsValue> {
        let value = self.host.take_returned(h).map_err(thrown)?;
        encode(&value)
    }

    /// Sets a declared property from the game (Variant bytes).
    pub fn set_property(&mut self, name: &str, bytes: &[u8]) -> Result<(), JsValue> {
        let value = decode(bytes)?;
        self.host.set_property(name, value).map_err(thrown)
    }

    /// A declared property's current value as Variant bytes; `not_found` when undeclared.
    pub fn property(&self, name: &str) -> Result<Vec<u8>, JsValue> {
        match self.host.property(name) {
            Some(value) => encode(&value.map_err(thrown)?),
            None => Err(error_object(
                "not_found",
                &format!("property '{name}' is not declared in the manifest"),
                None,
            )),
        }
    }

    /// Tells the host an engine property of the node (e.g. `position`), as Variant bytes, so
    /// `object_get(self, name)` can read it.
    pub fn set_node_property(&mut self, name: &str, bytes: &[u8]) -> Result<(), JsValue> {
        let value = decode(bytes)?;
        self.host.seed_node_property(name, value);
        Ok(())
    }

    /// The frame's writes as one Godot Array (binary Variant); under shared instancing every
    /// node's (the group's take). Writes are also remembered as the nodes' engine state.
    pub fn take_batch_bytes(&mut self) -> Vec<u8> {
        self.host.batch_sink().borrow_mut().take_bytes()
    }

    pub fn node_slot(&self) -> i32 {
        self.host.node_slot()
    }

    /// `[abiErrors, liveHandles, batchLen, droppedLogEntries, hostMemoryBytes, hostMemoryPeak,
    /// hostMemoryLimit]`.
    pub fn stats(&self) -> Vec<f64> {
        let s = self.host.stats();
        let m = self.host.memory();
        vec![
            s.abi_errors as f64,
            s.live_handles as f64,
            s.batch_len as f64,
            s.dropped_log_entries as f64,
            m.bytes as f64,
            m.peak as f64,
            m.limit as f64,
        ]
    }

    /// The memory account the glue charges this script's host calls to (the meter's `account`).
    pub fn account(&self) -> u32 {
        self.host.account_id()
    }

    /// The declared method names (the exports `callMethod` may call).
    pub fn methods(&self) -> Vec<String> {
        self.host
            .manifest()
            .methods
            .iter()
            .map(|m| m.name.clone())
            .collect()
    }

    /// Releases every handle and drops the queued batch (reset / after a trap).
    pub fn reset(&mut self) {
        self.host.reset();
    }
}
