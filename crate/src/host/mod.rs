//! The host side of the guest ABI (docs/ABI.md): one [`ScriptHost`] per running script.
//!
//! Every `ugc` import maps to one method here, taking and returning plain numbers and byte
//! slices: the JS glue (or the wasmi test harness) copies `(ptr, len)` ranges out of or into
//! guest memory and makes exactly one call per guest call. Nothing here knows about JS or wasm.
//!
//! Methods return the ABI's `i32` (a handle, a count or a negative [`AbiError`] code). Every
//! error is also counted, logged (bounded) and kept as the `last_error` message.

pub mod account;
pub mod batch;
pub mod bindings;
pub mod bridge;
pub mod capabilities;
mod cycles;
mod dict;
mod fail;
mod fxhash;
pub mod manifest;
pub mod meter;
pub mod names;
mod own;
pub mod raw;
pub mod value;

pub use batch::{BatchEntry, BatchQueue, BatchSink};
pub use bindings::{BindingTable, SharedBindings};
pub use bridge::{NoObjects, ObjectBridge};
pub use capabilities::{Capabilities, MethodKind};
pub use dict::DictValue;
pub use fail::{Fail, MAX_MESSAGE_LEN};
pub use manifest::{Instancing, Manifest, ManifestError};
pub use value::{ArrayValue, ObjectRef, Origin, Value};

use crate::abi::AbiError;
use crate::handles::{Handle, HandleTable, DEFAULT_LIMIT};
use crate::variant::{self, type_id, Variant};
use fail::fail;
use meter::cost;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// How many error records and guest log lines are kept (older ones are dropped and counted).
pub const LOG_CAPACITY: usize = 256;
/// Longest guest log line kept, in bytes (longer ones are cut on a character boundary).
pub const MAX_LOG_LINE: usize = 4096;

/// What a [`ScriptHost`] is created with.
pub struct HostConfig {
    /// Godot ObjectID of the node the script is attached to.
    pub self_id: u64,
    /// Its class (for the capability rules); empty: the manifest's `extends`.
    pub self_class: String,
    pub manifest: Manifest,
    pub capabilities: Capabilities,
    /// The policy's `max_live_handles`.
    pub max_live_handles: usize,
    /// Fixes the handle numbering (tests, reproducible runs); `None` picks a fresh key.
    pub handle_key: Option<u64>,
    /// The node's slot in its instance (`ugc.node_slot`): 0 under node instancing.
    pub slot: u32,
    /// The batch queue to write to: the instance's shared one under shared instancing; `None`
    /// gives the host its own.
    pub batch: Option<BatchSink>,
    /// The property bindings table, shared like `batch`; `None` gives the host its own.
    pub bindings: Option<SharedBindings>,
    /// The policy's `max_host_memory`: the script's budget of host-side memory.
    pub max_host_memory: usize,
}

impl HostConfig {
    pub fn new(self_id: u64, manifest: Manifest) -> Self {
        HostConfig {
            self_id,
            self_class: String::new(),
            manifest,
            capabilities: Capabilities::default_rules(),
            max_live_handles: DEFAULT_LIMIT,
            handle_key: None,
            slot: 0,
            batch: None,
            bindings: None,
            max_host_memory: account::DEFAULT_LIMIT,
        }
    }
}

/// One ABI error as the host log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRecord {
    /// The host function that refused.
    pub function: &'static str,
    pub code: AbiError,
    pub message: String,
}

/// Counters for `script.stats()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HostStats {
    /// ABI errors returned to the guest since creation (`abiErrors`).
    pub abi_errors: u64,
    pub live_handles: usize,
    /// Entries queued for this frame's batch (under shared instancing: the whole instance's).
    pub batch_len: usize,
    /// Error records and log lines dropped because the logs were full.
    pub dropped_log_entries: u64,
}

/// The per-script host: handle table, declared properties, the frame's batch, errors and logs.
pub struct ScriptHost {
    handles: HandleTable<Value>,
    bridge: Box<dyn ObjectBridge>,
    this: ObjectRef,
    manifest: Manifest,
    capabilities: Capabilities,
    /// Current values of the declared properties, parallel to `manifest.properties`.
    properties: Vec<Value>,
    /// The frame's writes, possibly shared with the other nodes of the instance.
    batch: BatchSink,
    /// The node's own written and seeded engine properties, for its reads.
    own: own::OwnValues,
    /// The instance's property bindings, and the ones this host made (removed when it goes).
    bindings: SharedBindings,
    bound: Vec<(u64, Box<str>)>,
    /// The last (class, property) the capability rules allowed to get / set: scripts touch the
    /// same few properties every frame, so the rules are consulted once, not per call.
    allowed_get: Option<(Rc<str>, Box<str>)>,
    allowed_set: Option<(Rc<str>, Box<str>)>,
    slot: u32,
    last_error: String,
    errors: VecDeque<ErrorRecord>,
    logs: VecDeque<String>,
    stats: HostStats,
    /// What handle 0 names, to lend out by reference (lookups never copy a value).
    nil: Value,
    /// Every container the handle table held, to break the script's cycles on reset and drop.
    containers: cycles::Containers,
    /// The script's host memory: what the crate allocates while working for it.
    account: account::Account,
}

impl ScriptHost {
    pub fn new(config: HostConfig, bridge: Box<dyn ObjectBridge>) -> Self {
        let handles = match config.handle_key {
            Some(key) => HandleTable::with_limit_and_key(config.max_live_handles, key),
            None => HandleTable::with_limit(config.max_live_handles),
        };
        let class = if config.self_class.is_empty() {
            config.manifest.extends.clone()
        } else {
            config.self_class
        };
        let properties = config
            .manifest
            .properties
            .iter()
            .map(|p| import_trusted_default(&p.default))
            .collect();
        ScriptHost {
            handles,
            bridge,
            this: ObjectRef {
                id: config.self_id,
                class: class.into(),
            },
            manifest: config.manifest,
            capabilities: config.capabilities,
            properties,
            batch: config.batch.unwrap_or_else(batch::sink),
            own: own::OwnValues::default(),
            bindings: config.bindings.unwrap_or_default(),
            bound: Vec::new(),
            allowed_get: None,
            allowed_set: None,
            slot: config.slot,
            last_error: String::new(),
            errors: VecDeque::new(),
            logs: VecDeque::new(),
            stats: HostStats::default(),
            nil: Value::NIL,
            containers: cycles::Containers::default(),
            account: account::Account::open(config.max_host_memory),
        }
    }

    /// The memory account the embedder charges this script's host calls to (see [`meter`]).
    pub fn account_id(&self) -> u32 {
        self.account.id()
    }

    /// The script's host memory now: bytes held, peak, budget.
    pub fn memory(&self) -> account::Usage {
        self.account.usage()
    }

    // ---------------------------------------------------------------------------------------
    // Diagnostics

    /// `log(ptr, len)`: a guest message for the host log. Invalid UTF-8 is logged lossily and
    /// counted as a `bad_utf8` error (there is no return value to report it).
    pub fn log(&mut self, bytes: &[u8]) {
        if meter::charge(cost::CALL + cost::LOG_BYTE * bytes.len() as u64).is_err() {
            return;
        }
        // Only what is kept is copied: a lossy decode of 16 KiB of invalid bytes would make 48 KiB
        // of replacement characters, and a truncated String keeps its capacity.
        let text = match std::str::from_utf8(bytes) {
            Ok(s) => s[..char_floor(s, MAX_LOG_LINE)].to_owned(),
            Err(_) => {
                self.record(
                    "log",
                    Fail::new(AbiError::BadUtf8, "log message is not valid UTF-8"),
                );
                let head = &bytes[..bytes.len().min(MAX_LOG_LINE)];
                let mut text = truncate(String::from_utf8_lossy(head).into_owned(), MAX_LOG_LINE);
                text.shrink_to_fit();
                text
            }
        };
        push_bounded(&mut self.logs, text, &mut self.stats.dropped_log_entries);
    }

    /// The message of the last error (`last_error(ptr, cap)` copies at most `cap` bytes of it
    /// and returns its full length).
    pub fn last_error(&self) -> &str {
        // Paid for here (the copy is the glue's): the guest traps if it cannot pay.
        let _ = meter::charge(cost::CALL + (self.last_error.len() as u64) * cost::BYTE);
        &self.last_error
    }

    /// Records a `bad_pointer` the glue detected while copying `(ptr, len)` for `function`.
    pub fn bad_pointer(&mut self, function: &'static str, ptr: u32, len: u32) -> i32 {
        self.record(
            function,
            Fail::new(
                AbiError::BadPointer,
                format!("({ptr}, {len}) is not inside the guest's memory"),
            ),
        )
    }

    /// Records the `bad_value` of a name of `len` bytes, longer than [`crate::abi::MAX_NAME_LEN`], that
    /// the glue refused before copying it for `function`; returns the code to give the guest. The
    /// same error the host function gives for such a name.
    pub fn name_too_long(&mut self, function: &'static str, len: u32) -> i32 {
        let r = names::too_long(len as usize);
        self.finish(function, r)
    }

    // ---------------------------------------------------------------------------------------
    // Handles and values

    pub fn retain(&mut self, h: i32) -> i32 {
        let r = self
            .handles
            .retain(handle(h))
            .map(|_| 0)
            .map_err(Fail::from);
        self.finish("retain", r)
    }

    pub fn release(&mut self, h: i32) -> i32 {
        let r = self
            .handles
            .release(handle(h))
            .map(|_| 0)
            .map_err(Fail::from);
        self.finish("release", r)
    }

    /// The Variant type number; `0` (NIL) for handle 0.
    pub fn type_of(&mut self, h: i32) -> i32 {
        let r = self.peek(h).map(|v| v.type_id() as i32);
        self.finish("type_of", r)
    }

    pub fn new_int(&mut self, v: i64) -> i32 {
        let r = self.insert(Value::Plain(Variant::Int(v)));
        self.finish("new_int", r)
    }

    pub fn new_float(&mut self, v: f64) -> i32 {
        let r = self.insert(Value::Plain(Variant::Float(v)));
        self.finish("new_float", r)
    }

    pub fn new_bool(&mut self, v: i32) -> i32 {
        let r = self.insert(Value::Plain(Variant::Bool(v != 0)));
        self.finish("new_bool", r)
    }

    pub fn new_string(&mut self, bytes: &[u8]) -> i32 {
        let r = meter::bytes(bytes.len())
            .and_then(|()| raw::from_raw(type_id::STRING as i32, bytes))
            .and_then(|v| self.insert(v));
        self.finish("new_string", r)
    }

    pub fn new_value(&mut self, ty: i32, bytes: &[u8]) -> i32 {
        let r = meter::bytes(bytes.len())
            .and_then(|()| raw::from_raw(ty, bytes))
            .and_then(|v| self.insert(v));
        self.finish("new_value", r)
    }

    /// `value_read(h, ptr, cap)`: fills `out` with the raw fields and returns their length; the
    /// glue copies them only when they fit in `cap`.
    pub fn value_read(&mut self, h: i32, out: &mut Vec<u8>) -> i32 {
        out.clear();
        let r = self
            .peek(h)
            .and_then(|v| {
                meter::bytes(v.byte_size())?;
                raw::to_raw(v, out)
            })
            .and_then(|()| length(out));
        self.finish("value_read", r)
    }

    /// The INT (or BOOL) value; `0` with `last_error` set otherwise.
    pub fn as_int(&mut self, h: i32) -> i64 {
        let _ = meter::charge(cost::CALL);
        let r = self.peek(h).and_then(|v| match v {
            Value::Plain(Variant::Int(i)) => Ok(*i),
            Value::Plain(Variant::Bool(b)) => Ok(i64::from(*b)),
            other => fail(
                AbiError::WrongType,
                format!("expected an int, got type {}", other.type_id()),
            ),
        });
        match r {
            Ok(i) => i,
            Err(f) => {
                self.record("as_int", f);
                0
            }
        }
    }

    /// The FLOAT (or INT) value; NaN with `last_error` set otherwise.
    pub fn as_float(&mut self, h: i32) -> f64 {
        let _ = meter::charge(cost::CALL);
        let r = self.peek(h).and_then(|v| match v {
            Value::Plain(Variant::Float(f)) => Ok(*f),
            Value::Plain(Variant::Int(i)) => Ok(*i as f64),
            other => fail(
                AbiError::WrongType,
                format!("expected a float, got type {}", other.type_id()),
            ),
        });
        match r {
            Ok(f) => f,
            Err(f) => {
                self.record("as_float", f);
                f64::NAN
            }
        }
    }

    pub fn var_from_bytes(&mut self, bytes: &[u8]) -> i32 {
        let r = meter::bytes(bytes.len())
            .and_then(|()| {
                variant::decode_exact(bytes)
                    .map_err(|e| Fail::new(AbiError::BadValue, e.to_string()))
            })
            .and_then(|v| Value::import(v, &mut Origin::Guest))
            .and_then(|v| self.insert(v));
        self.finish("var_from_bytes", r)
    }

    /// `var_to_bytes(h, ptr, cap)`: like [`ScriptHost::value_read`], in Godot's binary format.
    pub fn var_to_bytes(&mut self, h: i32, out: &mut Vec<u8>) -> i32 {
        out.clear();
        let r = self
            .peek(h)
            .and_then(|v| v.export())
            .and_then(|v| {
                variant::encode_into(&v, out)
                    .map_err(|e| Fail::new(AbiError::BadValue, e.to_string()))
            })
            .and_then(|()| length(out));
        self.finish("var_to_bytes", r)
    }

    // ---------------------------------------------------------------------------------------
    // Arrays (and Packed*Arrays) and Dictionaries

    pub fn array_new(&mut self) -> i32 {
        let r = self.insert(Value::new_array(Vec::new()));
        self.finish("array_new", r)
    }

    pub fn array_len(&mut self, h: i32) -> i32 {
        let r = self.subject(h).and_then(|v| match v {
            Value::Array(a) => Ok(a.borrow().items.len()),
            Value::Packed(p) => Ok(packed_len(&p.borrow())),
            other => not_array(other),
        });
        let r = r.and_then(count);
        self.finish("array_len", r)
    }

    pub fn array_get(&mut self, h: i32, index: i32) -> i32 {
        let element = self.subject(h).and_then(|v| match v {
            Value::Array(a) => {
                let a = a.borrow();
                let i = check_index(index, a.items.len())?;
                copy(&a.items[i])
            }
            Value::Packed(p) => {
                let p = p.borrow();
                let i = check_index(index, packed_len(&p))?;
                let element = packed_get(&p, i);
                meter::bytes(value::heap_bytes(&element))?;
                Ok(Value::Plain(element))
            }
            other => not_array(other),
        });
        let r = element.and_then(|e| self.insert(e));
        self.finish("array_get", r)
    }

    pub fn array_set(&mut self, h: i32, index: i32, value: i32) -> i32 {
        let r = self.shared(h).and_then(|target| {
            let value = self.copy_of(value)?;
            match target {
                Value::Array(a) => {
                    let len = a.borrow().items.len();
                    let i = check_index(index, len)?;
                    check_fits(&value, &a.borrow().element_type)?;
                    a.borrow_mut().items[i] = value;
                }
                Value::Packed(p) => {
                    let i = check_index(index, packed_len(&p.borrow()))?;
                    let element = packed_element(&p.borrow(), &value)?;
                    packed_store(&mut p.borrow_mut(), Some(i), element);
                }
                other => return not_array(&other),
            }
            Ok(0)
        });
        self.finish("array_set", r)
    }

    pub fn array_push(&mut self, h: i32, value: i32) -> i32 {
        let r = self.shared(h).and_then(|target| {
            let value = self.copy_of(value)?;
            match target {
                Value::Array(a) => {
                    check_fits(&value, &a.borrow().element_type)?;
                    a.borrow_mut().items.push(value);
                }
                Value::Packed(p) => {
                    let element = packed_element(&p.borrow(), &value)?;
                    packed_store(&mut p.borrow_mut(), None, element);
                }
                other => return not_array(&other),
            }
            Ok(0)
        });
        self.finish("array_push", r)
    }

    pub fn dict_new(&mut self) -> i32 {
        let r = self.insert(Value::new_dictionary());
        self.finish("dict_new", r)
    }

    pub fn dict_len(&mut self, h: i32) -> i32 {
        let r = self.dictionary(h).and_then(|d| count(d.borrow().len()));
        self.finish("dict_len", r)
    }

    pub fn dict_get(&mut self, h: i32, key: i32) -> i32 {
        let r = self.dictionary(h).and_then(|d| {
            let found = match d.borrow().get(self.peek(key)?)? {
                Some(v) => Some(copy(v)?),
                None => None,
            };
            match found {
                Some(v) => self.insert(v),
                None => fail(AbiError::NotFound, "no such key in the Dictionary"),
            }
        });
        self.finish("dict_get", r)
    }

    pub fn dict_set(&mut self, h: i32, key: i32, value: i32) -> i32 {
        let r = self.dictionary(h).and_then(|d| {
            let key = self.copy_of(key)?;
            let value = self.copy_of(value)?;
            // Hash under a shared borrow (the key may contain this Dictionary), then mutate.
            let slot = {
                let d = d.borrow();
                check_fits(&key, &d.key_type)?;
                check_fits(&value, &d.value_type)?;
                d.find(&key)?
            };
            d.borrow_mut().insert_at(slot, key, value);
            Ok(0)
        });
        self.finish("dict_set", r)
    }

    pub fn dict_keys(&mut self, h: i32) -> i32 {
        let r = self.dictionary(h).and_then(|d| {
            let keys = d
                .borrow()
                .keys()
                .map(|k| meter::values(1).and_then(|()| copy(k)))
                .collect::<Result<_, _>>()?;
            self.insert(Value::new_array(keys))
        });
        self.finish("dict_keys", r)
    }

    // ---------------------------------------------------------------------------------------
    // Objects, properties, signals

    /// `self()`: a new handle to the script's node.
    pub fn self_object(&mut self) -> i32 {
        let r = self.insert(Value::Object(self.this.clone()));
        self.finish("self", r)
    }

    pub fn object_get(&mut self, obj: i32, name: &[u8]) -> i32 {
        let r = name_input(name).and_then(|()| self.object_get_inner(obj, name));
        self.finish("object_get", r)
    }

    fn object_get_inner(&mut self, obj: i32, name: &[u8]) -> Result<i32, Fail> {
        let object = self.object(obj)?;
        let name = utf8_name(name)?;
        let value = self.read_property(&object, name)?;
        self.insert(value)
    }

    /// `object_get_value(obj, name_ptr, name_len, ty, out_ptr, out_cap)`: `object_get` then
    /// `value_read` of the result, without putting it in the handle table (the one-call read of
    /// the per-frame path). Fills `out` with the raw fields and returns their length; the caller
    /// copies them only when they fit. The property must be of type `ty` (`wrong_type`
    /// otherwise), except that an INT property read as FLOAT widens, as `object_set_value` widens
    /// an INT written to a FLOAT property. `ty` outside the Variant types is `bad_value`, before
    /// the capability rules are consulted.
    pub fn object_get_value(&mut self, obj: i32, name: &[u8], ty: i32, out: &mut Vec<u8>) -> i32 {
        out.clear();
        let r = name_input(name).and_then(|()| self.object_get_value_inner(obj, name, ty, out));
        self.finish("object_get_value", r)
    }

    fn object_get_value_inner(
        &mut self,
        obj: i32,
        name: &[u8],
        ty: i32,
        out: &mut Vec<u8>,
    ) -> Result<i32, Fail> {
        let object = self.object(obj)?;
        let name = utf8_name(name)?;
        let ty = raw::variant_type(ty)?;
        let value = self.read_property_as(&object, name, ty)?;
        raw::to_raw(&value, out)?;
        length(out)
    }

    /// [`ScriptHost::read_property`] of type `ty` (`wrong_type` otherwise), except that an INT
    /// property read as FLOAT widens, as `object_set_value` widens an INT written to a FLOAT one.
    fn read_property_as(&mut self, object: &ObjectRef, name: &str, ty: u32) -> Result<Value, Fail> {
        match self.read_property(object, name)? {
            Value::Plain(Variant::Int(i)) if ty == type_id::FLOAT => {
                Ok(Value::Plain(Variant::Float(i as f64)))
            }
            v if v.type_id() == ty => Ok(v),
            v => fail(
                AbiError::WrongType,
                format!(
                    "property '{name}' is {}, asked for {}",
                    manifest::type_name(v.type_id()),
                    manifest::type_name(ty)
                ),
            ),
        }
    }

    /// A property's current value as `object_get` sees it: a declared property of `self`, else
    /// (capability rules permitting) a queued write, else the engine's value.
    fn read_property(&mut self, object: &ObjectRef, name: &str) -> Result<Value, Fail> {
        if object.id == self.this.id {
            if let Some(i) = self.property_index(name) {
                return copy(&self.properties[i]);
            }
        }
        self.check_get(object, name)?;
        if let Some(value) = self.bound_value(object.id, name) {
            return Ok(Value::Plain(value));
        }
        let queued = {
            let sink = self.batch.borrow();
            if object.id == self.this.id {
                self.own
                    .get(name)
                    .filter(|(_, frame)| sink.answers(*frame, true))
                    .map(|(v, _)| v.clone())
            } else {
                sink.read(object.id, name, false).cloned()
            }
        };
        let value = match queued {
            Some(queued) => queued,
            None => {
                meter::charge(cost::BRIDGE)?;
                self.bridge.get(object.id, name)?
            }
        };
        self.import_trusted(value)
    }

    pub fn object_set(&mut self, obj: i32, name: &[u8], value: i32) -> i32 {
        let r = name_input(name).and_then(|()| self.object_set_inner(obj, name, value));
        self.finish("object_set", r)
    }

    fn object_set_inner(&mut self, obj: i32, name: &[u8], value: i32) -> Result<i32, Fail> {
        let object = self.object(obj)?;
        let name = utf8_name(name)?;
        if object.id == self.this.id {
            if let Some(i) = self.property_index(name) {
                let value = self.copy_of(value)?;
                let declared = self.manifest.properties[i].type_id;
                self.properties[i] = coerce(value, declared, name)?;
                return Ok(0);
            }
        }
        // Errors in the order they always came: the value handle, the rules, then the value.
        if value != 0 {
            self.handles.get(handle(value))?;
        }
        self.check_set(&object, name)?;
        // Exported straight from the table: no intermediate clone of the value.
        let value = match value {
            0 => Variant::Nil,
            h => self.handles.get(handle(h))?.export()?,
        };
        self.queue_set(&object, name, value)
    }

    /// `object_set_value(obj, name_ptr, name_len, ty, val_ptr, val_len)`: `object_set` of the
    /// value `new_value(ty, val_ptr, val_len)` would make, without putting it in the handle table
    /// (the one-call write of the per-frame path). Same rules, same batch entry, same errors;
    /// a malformed value is refused before the capability rules are consulted.
    pub fn object_set_value(&mut self, obj: i32, name: &[u8], ty: i32, bytes: &[u8]) -> i32 {
        let r = name_input(name).and_then(|()| self.object_set_value_inner(obj, name, ty, bytes));
        self.finish("object_set_value", r)
    }

    fn object_set_value_inner(
        &mut self,
        obj: i32,
        name: &[u8],
        ty: i32,
        bytes: &[u8],
    ) -> Result<i32, Fail> {
        meter::bytes(bytes.len())?;
        let object = self.object(obj)?;
        let name = utf8_name(name)?;
        let value = raw::from_raw(ty, bytes)?;
        if object.id == self.this.id {
            if let Some(i) = self.property_index(name) {
                let declared = self.manifest.properties[i].type_id;
                self.properties[i] = coerce(value, declared, name)?;
                return Ok(0);
            }
        }
        self.check_set(&object, name)?;
        let value = value.export()?;
        self.queue_set(&object, name, value)
    }

    /// The capability rules for setting `name` on `object` (the last allowed pair is cached).
    fn check_set_rules(&mut self, object: &ObjectRef, name: &str) -> Result<(), Fail> {
        if !allowed(&self.allowed_set, &object.class, name) {
            self.capabilities.check_set(&object.class, name)?;
            self.allowed_set = Some((object.class.clone(), name.into()));
        }
        Ok(())
    }

    /// [`ScriptHost::check_set_rules`], then whether the property is bound: a bound property is
    /// written through its bytes only.
    fn check_set(&mut self, object: &ObjectRef, name: &str) -> Result<(), Fail> {
        self.check_set_rules(object, name)?;
        if self.bindings.borrow().is_bound(object.id, name) {
            return fail(
                AbiError::NotAllowed,
                format!(
                    "property '{name}' is bound to guest memory (object_bind_value): \
                     write the bound bytes, or unbind it first"
                ),
            );
        }
        Ok(())
    }

    /// The capability rules for reading `name` of `object` (the last allowed pair is cached).
    fn check_get(&mut self, object: &ObjectRef, name: &str) -> Result<(), Fail> {
        if !allowed(&self.allowed_get, &object.class, name) {
            self.capabilities.check_get(&object.class, name)?;
            self.allowed_get = Some((object.class.clone(), name.into()));
        }
        Ok(())
    }

    /// A bound property's value as of the last harvest.
    fn bound_value(&self, object: u64, name: &str) -> Option<Variant> {
        let table = self.bindings.borrow();
        let (ty, bytes) = table.value(object, name)?;
        raw::from_raw(ty as i32, bytes).ok()?.export().ok()
    }

    // ---------------------------------------------------------------------------------------
    // Property bindings

    /// `object_bind_value(obj, name_ptr, name_len, ty, ptr)`: binds property `name` of `obj`,
    /// of type `ty`, to the [`bindings::bound_size`] bytes at guest address `ptr` (the guest's
    /// memory is `mem_len` bytes now). Fills `out` with the property's current value, which the
    /// caller copies to `ptr`, and returns its length. From then on every harvest
    /// ([`ScriptHost::harvest_bindings`], once per frame) writes the property when those bytes
    /// changed. `ty` NIL unbinds (`not_found` when not bound) and returns 0. Needs both the get
    /// and the set capability; declared script properties cannot be bound.
    pub fn object_bind_value(
        &mut self,
        obj: i32,
        name: &[u8],
        ty: i32,
        ptr: u32,
        mem_len: usize,
        out: &mut Vec<u8>,
    ) -> i32 {
        out.clear();
        let r = name_input(name)
            .and_then(|()| self.object_bind_value_inner(obj, name, ty, ptr, mem_len, out));
        if r.is_err() {
            out.clear();
        }
        self.finish("object_bind_value", r)
    }

    fn object_bind_value_inner(
        &mut self,
        obj: i32,
        name: &[u8],
        ty: i32,
        ptr: u32,
        mem_len: usize,
        out: &mut Vec<u8>,
    ) -> Result<i32, Fail> {
        let object = self.object(obj)?;
        let name = utf8_name(name)?;
        let ty = raw::variant_type(ty)?;
        if ty == type_id::NIL {
            return self.unbind(object.id, name);
        }
        let Some(size) = bindings::bound_size(ty) else {
            return fail(
                AbiError::WrongType,
                format!(
                    "{} cannot be bound: only fixed-size values (numbers, vectors, transforms, \
                     colours) can",
                    manifest::type_name(ty)
                ),
            );
        };
        if object.id == self.this.id && self.property_index(name).is_some() {
            return fail(
                AbiError::NotAllowed,
                format!(
                    "'{name}' is a declared script property: the host keeps it, so it cannot be \
                     bound (use object_set_value)"
                ),
            );
        }
        self.check_get(&object, name)?;
        self.check_set_rules(&object, name)?;
        if u64::from(ptr) + size as u64 > mem_len as u64 {
            return fail(
                AbiError::BadPointer,
                format!("({ptr}, {size}) is not inside the guest's memory ({mem_len} bytes)"),
            );
        }
        let rebinding = self
            .bound
            .iter()
            .any(|(o, n)| *o == object.id && **n == *name);
        if !rebinding && self.bound.len() >= bindings::MAX_BINDINGS_PER_HOST {
            return fail(
                AbiError::HandleLimit,
                format!(
                    "a script binds at most {} properties",
                    bindings::MAX_BINDINGS_PER_HOST
                ),
            );
        }
        // The seed: the value as a read sees it now (a rebinding's last harvested value).
        let current = self.read_property_as(&object, name, ty)?;
        raw::to_raw(&current, out)?;
        if self
            .bindings
            .borrow_mut()
            .bind(object.id, name, ty, ptr, out)
        {
            self.bound.push((object.id, name.into()));
        }
        length(out)
    }

    fn unbind(&mut self, object: u64, name: &str) -> Result<i32, Fail> {
        let Some(at) = self
            .bound
            .iter()
            .position(|(o, n)| *o == object && **n == *name)
        else {
            return fail(
                AbiError::NotFound,
                format!("property '{name}' is not bound by this script"),
            );
        };
        self.bound.swap_remove(at);
        self.release_binding(object, name);
        Ok(0)
    }

    /// Removes a binding from the instance's table; the node's own reads after it answer the last
    /// value sent (other objects' reads ask Godot). Every harvest is followed by the take, so a
    /// browser host (a mirroring sink) treats the value as the engine's, like a seed: it outlives
    /// the frame and a reset's cleared batch. A native embedder may unbind between a harvest and
    /// the take: there it is this frame's pending write.
    fn release_binding(&mut self, object: u64, name: &str) {
        let removed = self.bindings.borrow_mut().unbind(object, name);
        if let Some((ty, bytes)) = removed.filter(|_| object == self.this.id) {
            if let Ok(value) = raw::from_raw(ty as i32, &bytes).and_then(|v| v.export()) {
                let sink = self.batch.borrow();
                let frame = if sink.mirrors() { 0 } else { sink.frame() };
                drop(sink);
                self.own.set(name, value, frame);
            }
        }
    }

    /// The instance's binding table (to create the other hosts of a shared instance).
    pub fn bindings(&self) -> SharedBindings {
        Rc::clone(&self.bindings)
    }

    /// The harvest of a host with its own table (node instancing, native embedders): see
    /// [`harvest_bindings`].
    pub fn harvest_bindings(&mut self, bytes: &[u8]) -> Option<usize> {
        harvest_bindings(&self.bindings, &self.batch, bytes)
    }

    fn drop_bindings(&mut self) {
        for (object, name) in std::mem::take(&mut self.bound) {
            self.release_binding(object, &name);
        }
    }

    /// Queues an allowed write in the frame's batch (and remembers the node's own writes).
    fn queue_set(&mut self, object: &ObjectRef, name: &str, value: Variant) -> Result<i32, Fail> {
        meter::charge(cost::BATCH_ENTRY)?;
        let mut sink = self.batch.borrow_mut();
        if object.id == self.this.id {
            sink.queue_set(object.id, name, &value).map_err(bad_value)?;
            self.own.set(name, value, sink.frame());
        } else {
            sink.push_set(object.id, name, value).map_err(bad_value)?;
        }
        Ok(0)
    }

    pub fn object_call(&mut self, obj: i32, name: &[u8], args: i32) -> i32 {
        let r = name_input(name).and_then(|()| self.object_call_inner(obj, name, args));
        self.finish("object_call", r)
    }

    fn object_call_inner(&mut self, obj: i32, name: &[u8], args: i32) -> Result<i32, Fail> {
        let object = self.object(obj)?;
        let name = utf8_name(name)?;
        let kind = self.capabilities.check_call(&object.class, name)?;
        let args = self.args(args)?;
        match kind {
            MethodKind::Command => {
                meter::charge(cost::BATCH_ENTRY)?;
                self.batch
                    .borrow_mut()
                    .push(&BatchEntry::Call {
                        object: object.id,
                        method: name.to_owned(),
                        args,
                    })
                    .map_err(bad_value)?;
                Ok(0)
            }
            MethodKind::Query => match meter::charge(cost::BRIDGE)
                .and_then(|()| self.bridge.call(object.id, name, &args))?
            {
                Variant::Nil => Ok(0),
                result => {
                    let result = self.import_trusted(result)?;
                    self.insert(result)
                }
            },
        }
    }

    pub fn emit_signal(&mut self, name: &[u8], args: i32) -> i32 {
        let r = name_input(name).and_then(|()| self.emit_signal_inner(name, args));
        self.finish("emit_signal", r)
    }

    fn emit_signal_inner(&mut self, name: &[u8], args: i32) -> Result<i32, Fail> {
        let name = utf8_name(name)?;
        let Some(signal) = self.manifest.signal(name) else {
            return fail(
                AbiError::NotFound,
                format!("signal '{name}' is not declared in the manifest"),
            );
        };
        let args = self.args(args)?;
        if args.len() != signal.args.len() {
            return fail(
                AbiError::BadValue,
                format!(
                    "signal '{name}' takes {} arguments, got {}",
                    signal.args.len(),
                    args.len()
                ),
            );
        }
        for (arg, decl) in args.iter().zip(&signal.args) {
            if decl.type_id != type_id::NIL && arg.type_id() != decl.type_id {
                return fail(
                    AbiError::WrongType,
                    format!(
                        "argument '{}' of signal '{name}' must be {}, got {}",
                        decl.name,
                        manifest::type_name(decl.type_id),
                        manifest::type_name(arg.type_id())
                    ),
                );
            }
        }
        meter::charge(cost::BATCH_ENTRY)?;
        self.batch
            .borrow_mut()
            .push(&BatchEntry::Emit {
                object: self.this.id,
                signal: name.to_owned(),
                args,
            })
            .map_err(bad_value)?;
        Ok(0)
    }

    // ---------------------------------------------------------------------------------------
    // The embedding side: properties, export arguments, the batch, stats.

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The id of the script's node.
    pub fn self_id(&self) -> u64 {
        self.this.id
    }

    /// The current value of a declared property.
    pub fn property(&self, name: &str) -> Option<Result<Variant, Fail>> {
        self.property_index(name)
            .map(|i| self.properties[i].export())
    }

    /// Sets a declared property from the game (before or after the module loaded). Ints are
    /// accepted for float properties; any other type mismatch is `wrong_type`.
    pub fn set_property(&mut self, name: &str, value: Variant) -> Result<(), Fail> {
        let Some(i) = self.property_index(name) else {
            return fail(
                AbiError::NotFound,
                format!("property '{name}' is not declared in the manifest"),
            );
        };
        let value = self.import_trusted(value)?;
        self.properties[i] = coerce(value, self.manifest.properties[i].type_id, name)?;
        Ok(())
    }

    /// Puts a value in the table for passing into an export call (a method's `args`, the
    /// `name` of `_property_changed`). The guest borrows it; call [`ScriptHost::end_lend`] after
    /// the call returns.
    pub fn lend(&mut self, value: Variant) -> Result<i32, Fail> {
        let value = self.import_trusted(value)?;
        self.insert(value)
    }

    /// Ends a loan from [`ScriptHost::lend`] (the value lives on if the guest retained it).
    pub fn end_lend(&mut self, h: i32) -> Result<(), Fail> {
        self.handles.release(handle(h))?;
        Ok(())
    }

    /// Takes over a handle a method export returned (`0`: nil) and converts its value.
    pub fn take_returned(&mut self, h: i32) -> Result<Variant, Fail> {
        if h == 0 {
            return Ok(Variant::Nil);
        }
        let value = self.peek(h)?.export()?;
        self.handles.release(handle(h))?;
        Ok(value)
    }

    /// `node_slot()`: the node's slot in its instance.
    pub fn node_slot(&self) -> i32 {
        // Slots are dense indices of attached nodes, far below 2^31.
        self.slot as i32
    }

    /// The batch sink this host writes to (to create the other hosts of a shared instance).
    pub fn batch_sink(&self) -> BatchSink {
        Rc::clone(&self.batch)
    }

    /// The frame's queued writes, in order; the queue starts empty again. Under shared
    /// instancing these are every node's writes.
    pub fn take_batch(&mut self) -> Vec<BatchEntry> {
        self.batch.borrow_mut().take()
    }

    /// [`ScriptHost::take_batch`] encoded as one Godot Array (`bytes_to_var` on the Godot side).
    pub fn take_batch_bytes(&mut self) -> Result<Vec<u8>, Fail> {
        Ok(self.batch.borrow_mut().take_bytes())
    }

    /// Tells the host an engine property of its node as the game knows it (answered to the
    /// node's reads when its batch sink mirrors, see [`batch::BatchQueue`]).
    pub fn seed_node_property(&mut self, name: &str, value: Variant) {
        self.own.set(name, value, 0);
    }

    pub fn stats(&self) -> HostStats {
        HostStats {
            live_handles: self.handles.len(),
            batch_len: self.batch.borrow().len(),
            ..self.stats
        }
    }

    /// The most recent ABI errors (at most [`LOG_CAPACITY`]), oldest first.
    pub fn errors(&self) -> impl Iterator<Item = &ErrorRecord> {
        self.errors.iter()
    }

    /// The guest's log lines since the last call.
    pub fn take_logs(&mut self) -> Vec<String> {
        self.logs.drain(..).collect()
    }

    /// Releases every handle and drops the queued batch (dispose / reset; a shared sink is
    /// cleared for every node of the instance, which resets as a whole). Declared property
    /// values are kept: they belong to the node, not to the module instance.
    pub fn reset(&mut self) {
        drop(self.handles.clear());
        self.containers.clear(&self.properties);
        self.batch.borrow_mut().clear();
        // The bound bytes were in the old instance's memory.
        self.drop_bindings();
        // What was held is back: the peak and the over-budget mark start again.
        self.account.clear_over();
    }

    // ---------------------------------------------------------------------------------------
    // Internals

    fn finish(&mut self, function: &'static str, r: Result<i32, Fail>) -> i32 {
        // Paid whatever the outcome: a refusal is work too.
        let paid = meter::charge(cost::CALL);
        let r = r.and_then(|v| paid.map(|()| v));
        match r {
            Ok(v) => v,
            Err(f) => self.record(function, f),
        }
    }

    fn record(&mut self, function: &'static str, f: Fail) -> i32 {
        let code = f.code.code();
        // A call stopped by the meter is not an ABI error: the embedder traps the guest.
        if meter::fatal().is_some() {
            return code;
        }
        // Keeping the error (its message, the bounded log) is work too.
        let _ = meter::charge(cost::ERROR);
        self.last_error = format!("{function}: {}: {}", f.code.name(), f.message);
        self.stats.abi_errors += 1;
        push_bounded(
            &mut self.errors,
            ErrorRecord {
                function,
                code: f.code,
                message: f.message,
            },
            &mut self.stats.dropped_log_entries,
        );
        code
    }

    fn insert(&mut self, value: Value) -> Result<i32, Fail> {
        self.containers.note(&value);
        // The table issues handles below 2^31 only, so they are positive as an i32.
        let h = self.handles.insert(value)?;
        Ok(h.0 as i32)
    }

    /// The value a handle names, borrowed: a lookup never copies; `0` is nil.
    fn peek(&self, h: i32) -> Result<&Value, Fail> {
        if h == 0 {
            return Ok(&self.nil);
        }
        Ok(self.handles.get(handle(h))?)
    }

    /// A copy of the value a handle names, to store somewhere: paid for by its size.
    fn copy_of(&self, h: i32) -> Result<Value, Fail> {
        copy(self.peek(h)?)
    }

    /// The value a function operates on, borrowed: `0` is not one.
    fn subject(&self, h: i32) -> Result<&Value, Fail> {
        Ok(self.handles.get(handle(h))?)
    }

    /// The Array a function changes: a new reference to it (a plain value is refused before it
    /// could be copied).
    fn shared(&self, h: i32) -> Result<Value, Fail> {
        match self.subject(h)? {
            v @ (Value::Array(_) | Value::Packed(_)) => Ok(v.clone()),
            other => not_array(other),
        }
    }

    fn dictionary(&self, h: i32) -> Result<Rc<RefCell<DictValue>>, Fail> {
        match self.subject(h)? {
            Value::Dictionary(d) => Ok(Rc::clone(d)),
            other => fail(
                AbiError::WrongType,
                format!("expected a Dictionary, got type {}", other.type_id()),
            ),
        }
    }

    fn object(&self, h: i32) -> Result<ObjectRef, Fail> {
        match self.subject(h)? {
            Value::Object(o) => Ok(o.clone()),
            other => fail(
                AbiError::WrongType,
                format!("expected an Object, got type {}", other.type_id()),
            ),
        }
    }

    /// An `args` handle: an Array, or `0` for none.
    fn args(&self, h: i32) -> Result<Vec<Variant>, Fail> {
        if h == 0 {
            return Ok(Vec::new());
        }
        match self.subject(h)? {
            Value::Array(a) => a.borrow().items.iter().map(Value::export).collect(),
            other => fail(
                AbiError::WrongType,
                format!("args must be an Array, got type {}", other.type_id()),
            ),
        }
    }

    fn property_index(&self, name: &str) -> Option<usize> {
        self.manifest.properties.iter().position(|p| p.name == name)
    }

    fn import_trusted(&mut self, v: Variant) -> Result<Value, Fail> {
        let bridge = &mut self.bridge;
        let this = &self.this;
        let mut class_of = |id: u64| {
            if id == this.id {
                Some(this.class.to_string())
            } else {
                bridge.class_of(id)
            }
        };
        Value::import(v, &mut Origin::Trusted(&mut class_of))
    }
}

impl Drop for ScriptHost {
    fn drop(&mut self) {
        self.drop_bindings();
        self.containers.clear(&[]);
    }
}

/// One frame's harvest of an instance's bindings: `bytes` are every bound value's current bytes
/// in [`BindingTable::layout`] order; each changed value is queued in `sink` as a write, exactly as
/// an `object_set_value` at the end of the frame (the rules were checked when it was bound).
/// Returns the number of writes, `None` when `bytes` does not match the layout.
pub fn harvest_bindings(
    bindings: &SharedBindings,
    sink: &BatchSink,
    bytes: &[u8],
) -> Option<usize> {
    let mut table = bindings.borrow_mut();
    if table.is_empty() {
        return bytes.is_empty().then_some(0);
    }
    let mut sink = sink.borrow_mut();
    table.harvest(bytes, |object, property, ty, raw| {
        // Bindable values always decode and encode (fixed-size, no containers).
        let value = || raw::from_raw(ty as i32, raw).and_then(|v| v.export()).ok();
        let _ = sink.queue_set_raw(object, property, ty, raw, value);
    })
}

/// Manifest defaults hold no objects, so no bridge is needed to import them.
fn import_trusted_default(v: &Variant) -> Value {
    Value::import(v.clone(), &mut Origin::Guest).unwrap_or(Value::NIL)
}

/// Whether `cache` holds exactly this (class, name) pair (the class compared by pointer: every
/// handle to an object shares its `ObjectRef`'s class string).
fn allowed(cache: &Option<(Rc<str>, Box<str>)>, class: &Rc<str>, name: &str) -> bool {
    matches!(cache, Some((c, n)) if Rc::ptr_eq(c, class) && **n == *name)
}

/// A name the guest passed (property, method, signal): refused past the cap before any other work,
/// then its bytes paid for.
fn name_input(name: &[u8]) -> Result<(), Fail> {
    names::check_len(name)?;
    meter::bytes(name.len())
}

/// A copy of `value` to store: containers are shared (a new reference), plain values are copied
/// and paid for by their size.
fn copy(value: &Value) -> Result<Value, Fail> {
    meter::bytes(value.byte_size())?;
    Ok(value.clone())
}

fn bad_value(e: variant::VariantError) -> Fail {
    Fail::new(AbiError::BadValue, e.to_string())
}

fn handle(h: i32) -> Handle {
    Handle(h as u32)
}

fn length(out: &[u8]) -> Result<i32, Fail> {
    i32::try_from(out.len()).map_err(|_| Fail::new(AbiError::BadValue, "value larger than 2 GiB"))
}

fn count(n: usize) -> Result<i32, Fail> {
    i32::try_from(n).map_err(|_| Fail::new(AbiError::OutOfRange, "count exceeds i32"))
}

fn check_index(index: i32, len: usize) -> Result<usize, Fail> {
    usize::try_from(index)
        .ok()
        .filter(|&i| i < len)
        .ok_or_else(|| {
            Fail::new(
                AbiError::OutOfRange,
                format!("index {index} outside 0..{len}"),
            )
        })
}

fn check_fits(value: &Value, ty: &variant::ContainerType) -> Result<(), Fail> {
    if value.fits(ty) {
        Ok(())
    } else {
        fail(
            AbiError::WrongType,
            format!(
                "a value of type {} does not fit a container typed {ty:?}",
                value.type_id()
            ),
        )
    }
}

fn not_array<T>(v: &Value) -> Result<T, Fail> {
    fail(
        AbiError::WrongType,
        format!(
            "expected an Array or Packed*Array, got type {}",
            v.type_id()
        ),
    )
}

fn utf8_name(bytes: &[u8]) -> Result<&str, Fail> {
    std::str::from_utf8(bytes).map_err(|_| Fail::new(AbiError::BadUtf8, "name is not valid UTF-8"))
}

/// A value for a declared property of type `declared` (NIL: any). Ints widen to floats.
fn coerce(value: Value, declared: u32, name: &str) -> Result<Value, Fail> {
    match (&value, declared) {
        (_, type_id::NIL) => Ok(value),
        (Value::Plain(Variant::Int(i)), type_id::FLOAT) => {
            Ok(Value::Plain(Variant::Float(*i as f64)))
        }
        _ if value.type_id() == declared => Ok(value),
        _ => fail(
            AbiError::WrongType,
            format!(
                "property '{name}' is {}, got {}",
                manifest::type_name(declared),
                manifest::type_name(value.type_id())
            ),
        ),
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn char_floor(s: &str, max: usize) -> usize {
    let mut cut = max.min(s.len());
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    cut
}

fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

fn push_bounded<T>(queue: &mut VecDeque<T>, item: T, dropped: &mut u64) {
    if queue.len() == LOG_CAPACITY {
        queue.pop_front();
        *dropped += 1;
    }
    queue.push_back(item);
}

// -------------------------------------------------------------------------------------------
// Packed*Array element access: elements are plain values of the matching type.

fn packed_len(p: &Variant) -> usize {
    match p {
        Variant::PackedByteArray(v) => v.len(),
        Variant::PackedInt32Array(v) => v.len(),
        Variant::PackedInt64Array(v) => v.len(),
        Variant::PackedFloat32Array(v) => v.len(),
        Variant::PackedFloat64Array(v) => v.len(),
        Variant::PackedStringArray(v) => v.len(),
        Variant::PackedVector2Array(v) => v.len(),
        Variant::PackedVector3Array(v) => v.len(),
        Variant::PackedColorArray(v) => v.len(),
        Variant::PackedVector4Array(v) => v.len(),
        _ => 0,
    }
}

fn packed_get(p: &Variant, i: usize) -> Variant {
    match p {
        Variant::PackedByteArray(v) => Variant::Int(v[i].into()),
        Variant::PackedInt32Array(v) => Variant::Int(v[i].into()),
        Variant::PackedInt64Array(v) => Variant::Int(v[i]),
        Variant::PackedFloat32Array(v) => Variant::Float(v[i].into()),
        Variant::PackedFloat64Array(v) => Variant::Float(v[i]),
        Variant::PackedStringArray(v) => Variant::String(v[i].clone()),
        Variant::PackedVector2Array(v) => Variant::Vector2(v[i]),
        Variant::PackedVector3Array(v) => Variant::Vector3(v[i]),
        Variant::PackedColorArray(v) => Variant::Color(v[i]),
        Variant::PackedVector4Array(v) => Variant::Vector4(v[i]),
        _ => Variant::Nil,
    }
}

/// Checks and converts `value` into an element of packed array `p`, as a one-element packed
/// array of the same type (so storing it needs no second type dispatch on the value).
fn packed_element(p: &Variant, value: &Value) -> Result<Variant, Fail> {
    let Value::Plain(v) = value else {
        return element_error(p, value);
    };
    let int_in = |lo: i64, hi: i64| match v {
        Variant::Int(i) if (lo..=hi).contains(i) => Ok(*i),
        Variant::Int(i) => fail(
            AbiError::BadValue,
            format!("{i} does not fit the elements of type {}", p.type_id()),
        ),
        _ => element_error(p, value),
    };
    let float = || match v {
        Variant::Float(f) => Ok(*f),
        Variant::Int(i) => Ok(*i as f64),
        _ => element_error(p, value),
    };
    Ok(match (p, v) {
        (Variant::PackedByteArray(_), _) => Variant::PackedByteArray(vec![int_in(0, 255)? as u8]),
        (Variant::PackedInt32Array(_), _) => {
            Variant::PackedInt32Array(vec![int_in(i32::MIN.into(), i32::MAX.into())? as i32])
        }
        (Variant::PackedInt64Array(_), _) => {
            Variant::PackedInt64Array(vec![int_in(i64::MIN, i64::MAX)?])
        }
        (Variant::PackedFloat32Array(_), _) => Variant::PackedFloat32Array(vec![float()? as f32]),
        (Variant::PackedFloat64Array(_), _) => Variant::PackedFloat64Array(vec![float()?]),
        (Variant::PackedStringArray(_), Variant::String(s) | Variant::StringName(s)) => {
            Variant::PackedStringArray(vec![s.clone()])
        }
        (Variant::PackedVector2Array(_), Variant::Vector2(e)) => {
            Variant::PackedVector2Array(vec![*e])
        }
        (Variant::PackedVector3Array(_), Variant::Vector3(e)) => {
            Variant::PackedVector3Array(vec![*e])
        }
        (Variant::PackedColorArray(_), Variant::Color(e)) => Variant::PackedColorArray(vec![*e]),
        (Variant::PackedVector4Array(_), Variant::Vector4(e)) => {
            Variant::PackedVector4Array(vec![*e])
        }
        _ => return element_error(p, value),
    })
}

fn element_error<T>(p: &Variant, value: &Value) -> Result<T, Fail> {
    fail(
        AbiError::WrongType,
        format!(
            "a value of type {} is not an element of {}",
            manifest::type_name(value.type_id()),
            manifest::type_name(p.type_id())
        ),
    )
}

/// Stores the single element of `element` (from [`packed_element`]) at `index`, or appends it.
fn packed_store(p: &mut Variant, index: Option<usize>, element: Variant) {
    fn put<T>(v: &mut Vec<T>, index: Option<usize>, mut e: Vec<T>) {
        let Some(x) = e.pop() else { return };
        match index {
            Some(i) => v[i] = x,
            None => v.push(x),
        }
    }
    match (p, element) {
        (Variant::PackedByteArray(v), Variant::PackedByteArray(e)) => put(v, index, e),
        (Variant::PackedInt32Array(v), Variant::PackedInt32Array(e)) => put(v, index, e),
        (Variant::PackedInt64Array(v), Variant::PackedInt64Array(e)) => put(v, index, e),
        (Variant::PackedFloat32Array(v), Variant::PackedFloat32Array(e)) => put(v, index, e),
        (Variant::PackedFloat64Array(v), Variant::PackedFloat64Array(e)) => put(v, index, e),
        (Variant::PackedStringArray(v), Variant::PackedStringArray(e)) => put(v, index, e),
        (Variant::PackedVector2Array(v), Variant::PackedVector2Array(e)) => put(v, index, e),
        (Variant::PackedVector3Array(v), Variant::PackedVector3Array(e)) => put(v, index, e),
        (Variant::PackedColorArray(v), Variant::PackedColorArray(e)) => put(v, index, e),
        (Variant::PackedVector4Array(v), Variant::PackedVector4Array(e)) => put(v, index, e),
        // packed_element built `element` from `p`'s own type.
        _ => unreachable!("packed element of another type"),
    }
}
