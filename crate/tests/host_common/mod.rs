//! Test support for the host: a fake Godot scene behind `ObjectBridge`, and a wasmi harness that
//! runs real guest modules with every `ugc` import wired to a `ScriptHost` (the native
//! counterpart of the JS glue: it copies `(ptr, len)` ranges and makes one host call per import).
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use ugc_wasm::abi::{AbiError, HOST_MODULE};
use ugc_wasm::host::{BatchEntry, Fail, HostConfig, Manifest, ObjectBridge, ScriptHost};
use ugc_wasm::variant::{Variant, Vector3};
use wasmi::{Caller, Engine, Extern, Instance, Linker, Memory, Module, Store};

/// One object of the fake scene.
#[derive(Debug, Clone)]
pub struct FakeObject {
    pub class: String,
    pub properties: HashMap<String, Variant>,
}

/// A tiny stand-in for Godot: objects by id, with properties; applies batches like the addon.
#[derive(Debug, Default)]
pub struct Scene {
    pub objects: HashMap<u64, FakeObject>,
    pub signals: Vec<(u64, String, Vec<Variant>)>,
    pub calls: Vec<(u64, String, Vec<Variant>)>,
}

pub type SharedScene = Rc<RefCell<Scene>>;

impl Scene {
    pub fn with_node(id: u64, class: &str, properties: &[(&str, Variant)]) -> SharedScene {
        let mut scene = Scene::default();
        scene.objects.insert(
            id,
            FakeObject {
                class: class.into(),
                properties: properties
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            },
        );
        Rc::new(RefCell::new(scene))
    }

    /// What Godot does with a frame's batch: set properties, run command methods, emit signals.
    pub fn apply(&mut self, batch: &[BatchEntry]) {
        for entry in batch {
            match entry {
                BatchEntry::Set {
                    object,
                    property,
                    value,
                } => {
                    let o = self.objects.get_mut(object).expect("object in scene");
                    o.properties.insert(property.clone(), value.clone());
                }
                BatchEntry::Call {
                    object,
                    method,
                    args,
                } => {
                    if method == "rotate_y" {
                        let o = self.objects.get_mut(object).expect("object in scene");
                        let angle = match args[0] {
                            Variant::Float(f) => f as f32,
                            ref other => panic!("rotate_y takes a float, got {other:?}"),
                        };
                        let rotation = o
                            .properties
                            .entry("rotation".into())
                            .or_insert(Variant::Vector3(Vector3::default()));
                        if let Variant::Vector3(r) = rotation {
                            r.y += angle;
                        }
                    }
                    self.calls.push((*object, method.clone(), args.clone()));
                }
                BatchEntry::Emit {
                    object,
                    signal,
                    args,
                } => self.signals.push((*object, signal.clone(), args.clone())),
            }
        }
    }

    pub fn property(&self, id: u64, name: &str) -> Option<Variant> {
        self.objects.get(&id)?.properties.get(name).cloned()
    }
}

/// `ObjectBridge` over a shared fake scene.
pub struct SceneBridge(pub SharedScene);

impl ObjectBridge for SceneBridge {
    fn class_of(&mut self, id: u64) -> Option<String> {
        self.0.borrow().objects.get(&id).map(|o| o.class.clone())
    }

    fn get(&mut self, id: u64, property: &str) -> Result<Variant, Fail> {
        let scene = self.0.borrow();
        let o = scene
            .objects
            .get(&id)
            .ok_or_else(|| Fail::new(AbiError::ObjectGone, format!("object {id} was freed")))?;
        o.properties
            .get(property)
            .cloned()
            .ok_or_else(|| Fail::new(AbiError::NotFound, format!("no property {property}")))
    }

    fn call(&mut self, id: u64, method: &str, args: &[Variant]) -> Result<Variant, Fail> {
        let scene = self.0.borrow();
        let o = scene
            .objects
            .get(&id)
            .ok_or_else(|| Fail::new(AbiError::ObjectGone, format!("object {id} was freed")))?;
        match method {
            "get_class" => Ok(Variant::String(o.class.clone())),
            "to_global" => match (args.first(), o.properties.get("position")) {
                (Some(Variant::Vector3(v)), Some(Variant::Vector3(p))) => {
                    Ok(Variant::Vector3(Vector3 {
                        x: v.x + p.x,
                        y: v.y + p.y,
                        z: v.z + p.z,
                    }))
                }
                _ => Err(Fail::new(AbiError::BadValue, "to_global(Vector3)")),
            },
            _ => Err(Fail::new(AbiError::NotFound, format!("no method {method}"))),
        }
    }
}

/// A built example module from guest/out/ (scripts/build-guests.sh; built here when missing).
pub fn example(name: &str) -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = root.join("guest/out").join(format!("{name}.wasm"));
    if !path.exists() {
        let status = std::process::Command::new("bash")
            .arg(root.join("scripts/build-guests.sh"))
            .status()
            .expect("run scripts/build-guests.sh");
        assert!(status.success(), "scripts/build-guests.sh failed");
    }
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every example module the build produces.
pub const EXAMPLES: &[&str] = &[
    "avatar_bob",
    "toggle_prop",
    "face_driver",
    "sphere_mesh",
    "c_spinner",
    "drifter",
];

/// What the harness's store holds: the host of the node whose call is running.
pub trait HostData: 'static {
    fn host(&mut self) -> &mut ScriptHost;
    fn host_ref(&self) -> &ScriptHost;
}

impl HostData for ScriptHost {
    fn host(&mut self) -> &mut ScriptHost {
        self
    }
    fn host_ref(&self) -> &ScriptHost {
        self
    }
}

/// The hosts of a shared instance (one per node, one batch sink) and which node is running: the
/// native twin of the JS glue's `SharedGroup`, which switches the current host before each call.
pub struct SharedHosts {
    pub hosts: Vec<ScriptHost>,
    pub current: usize,
}

impl HostData for SharedHosts {
    fn host(&mut self) -> &mut ScriptHost {
        &mut self.hosts[self.current]
    }
    fn host_ref(&self) -> &ScriptHost {
        &self.hosts[self.current]
    }
}

/// One instance of `wasm` serving `nodes` (`(id, class)`), node `i` in slot `i`, all writing to
/// one batch sink.
pub struct SharedGuest {
    pub store: Store<SharedHosts>,
    pub instance: Instance,
}

impl SharedGuest {
    pub fn new(
        wasm: &[u8],
        nodes: &[(u64, &str)],
        bridge: impl Fn() -> Box<dyn ObjectBridge>,
    ) -> Self {
        let manifest = Manifest::from_module(wasm).expect("manifest");
        let sink = ugc_wasm::host::batch::sink();
        let bindings = ugc_wasm::host::SharedBindings::default();
        let hosts = nodes
            .iter()
            .enumerate()
            .map(|(slot, (id, class))| {
                let mut config = HostConfig::new(*id, manifest.clone());
                config.self_class = class.to_string();
                config.slot = slot as u32;
                config.batch = Some(sink.clone());
                config.bindings = Some(bindings.clone());
                // Distinct keys per node, as the browser's random ones are.
                config.handle_key = Some(0x5eed + 0x1_0000_0001 * slot as u64);
                ScriptHost::new(config, bridge())
            })
            .collect();
        let engine = Engine::default();
        let module = Module::new(&engine, wasm).expect("wasmi accepts the module");
        let mut store = Store::new(&engine, SharedHosts { hosts, current: 0 });
        let instance = linker(&engine)
            .instantiate_and_start(&mut store, &module)
            .expect("instantiate");
        SharedGuest { store, instance }
    }

    /// Calls export `name` (any signature) for node `node`.
    pub fn call(
        &mut self,
        node: usize,
        name: &str,
        args: &[wasmi::Val],
    ) -> Result<Option<wasmi::Val>, wasmi::Error> {
        self.store.data_mut().current = node;
        let f = self.instance.get_func(&self.store, name).expect(name);
        let n = f.ty(&self.store).results().len();
        let mut out = vec![wasmi::Val::I32(0); n];
        f.call(&mut self.store, args, &mut out)?;
        Ok(out.pop())
    }

    pub fn host(&mut self, node: usize) -> &mut ScriptHost {
        &mut self.store.data_mut().hosts[node]
    }

    /// The end-of-frame harvest of every node's bindings (the glue's takeBatch does it).
    pub fn harvest(&mut self) -> Option<usize> {
        let memory = self.instance.get_memory(&self.store, "memory").unwrap();
        let bytes = bound_bytes(
            &self.store.data().hosts[0].bindings().borrow().layout(),
            memory.data(&self.store),
        );
        let host = &mut self.store.data_mut().hosts[0];
        ugc_wasm::host::harvest_bindings(&host.bindings(), &host.batch_sink(), &bytes)
    }
}

/// Every bound value's current bytes, back to back in `layout` order (`[ptr, size, …]`).
pub fn bound_bytes(layout: &[u32], memory: &[u8]) -> Vec<u8> {
    layout
        .chunks(2)
        .flat_map(|b| &memory[b[0] as usize..(b[0] + b[1]) as usize])
        .copied()
        .collect()
}

/// A guest instance running under wasmi with its `ScriptHost` as store data.
pub struct Guest {
    pub store: Store<ScriptHost>,
    pub instance: Instance,
}

/// A trap a host function raises (only `log` with a bad pointer does).
#[derive(Debug)]
struct HostTrap(&'static str);

impl std::fmt::Display for HostTrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl wasmi::errors::HostError for HostTrap {}

impl Guest {
    /// Instantiates `wasm` with the host built from its own manifest.
    pub fn new(wasm: &[u8], self_id: u64, bridge: Box<dyn ObjectBridge>) -> Guest {
        let manifest = Manifest::from_module(wasm).expect("manifest");
        let mut config = HostConfig::new(self_id, manifest);
        config.handle_key = Some(0x5eed);
        Guest::with_host(wasm, ScriptHost::new(config, bridge))
    }

    pub fn with_host(wasm: &[u8], host: ScriptHost) -> Guest {
        let engine = Engine::default();
        let module = Module::new(&engine, wasm).expect("wasmi accepts the module");
        let mut store = Store::new(&engine, host);
        let linker = linker(&engine);
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .expect("instantiate");
        Guest { store, instance }
    }

    pub fn host(&mut self) -> &mut ScriptHost {
        self.store.data_mut()
    }

    pub fn has_export(&self, name: &str) -> bool {
        self.instance.get_func(&self.store, name).is_some()
    }

    pub fn ready(&mut self) {
        if self.has_export("_ready") {
            let f = self
                .instance
                .get_typed_func::<(), ()>(&self.store, "_ready")
                .unwrap();
            f.call(&mut self.store, ()).expect("_ready");
        }
    }

    pub fn process(&mut self, delta: f64) {
        let f = self
            .instance
            .get_typed_func::<f64, ()>(&self.store, "_process")
            .unwrap();
        f.call(&mut self.store, delta).expect("_process");
    }

    /// Sets a declared property from the game and notifies the script, as the addon does.
    pub fn set_property(&mut self, name: &str, value: Variant) {
        self.host().set_property(name, value).expect("set_property");
        if self.has_export("_property_changed") {
            let h = self.host().lend(Variant::String(name.into())).unwrap();
            let f = self
                .instance
                .get_typed_func::<i32, ()>(&self.store, "_property_changed")
                .unwrap();
            f.call(&mut self.store, h).expect("_property_changed");
            self.host().end_lend(h).unwrap();
        }
    }

    /// `node.call(name, args…)` on a declared method.
    pub fn call_method(&mut self, name: &str, args: Vec<Variant>) -> Variant {
        let h = self.host().lend(Variant::array(args)).unwrap();
        let f = self
            .instance
            .get_typed_func::<i32, i32>(&self.store, name)
            .unwrap();
        let ret = f.call(&mut self.store, h).expect(name);
        self.host().end_lend(h).unwrap();
        self.host().take_returned(ret).expect("returned handle")
    }

    pub fn memory(&self) -> Memory {
        self.instance.get_memory(&self.store, "memory").unwrap()
    }

    /// The end-of-frame harvest of the script's bindings (the glue's takeBatch does it).
    pub fn harvest(&mut self) -> Option<usize> {
        let layout = self.store.data().bindings().borrow().layout();
        let bytes = bound_bytes(&layout, self.memory().data(&self.store));
        self.host().harvest_bindings(&bytes)
    }

    /// Sets a prepared module's fuel counter (`__ugc_fuel`), as the runtime does before a call.
    pub fn set_fuel(&mut self, fuel: i64) {
        let g = self
            .instance
            .get_global(&self.store, ugc_wasm::prepare::FUEL_EXPORT)
            .expect("a prepared module exports its fuel");
        g.set(&mut self.store, wasmi::Val::I64(fuel)).unwrap();
    }

    pub fn fuel(&self) -> i64 {
        let g = self
            .instance
            .get_global(&self.store, ugc_wasm::prepare::FUEL_EXPORT)
            .expect("a prepared module exports its fuel");
        match g.get(&self.store) {
            wasmi::Val::I64(v) => v,
            other => panic!("fuel is an i64, got {other:?}"),
        }
    }

    /// Calls `_process`, returning the trap instead of panicking.
    pub fn try_process(&mut self, delta: f64) -> Result<(), wasmi::Error> {
        let f = self
            .instance
            .get_typed_func::<f64, ()>(&self.store, "_process")
            .unwrap();
        f.call(&mut self.store, delta)
    }

    /// Calls any `() -> ()` export, returning the trap instead of panicking.
    pub fn try_call(&mut self, name: &str) -> Result<(), wasmi::Error> {
        let f = self
            .instance
            .get_typed_func::<(), ()>(&self.store, name)
            .unwrap();
        f.call(&mut self.store, ())
    }
}

/// The guest's memory: prepared modules export it as `__ugc_memory`, plain ones as `memory`.
fn memory<T: HostData>(caller: &Caller<'_, T>) -> Option<Memory> {
    caller
        .get_export(ugc_wasm::prepare::MEMORY_EXPORT)
        .or_else(|| caller.get_export("memory"))
        .and_then(Extern::into_memory)
}

/// Copies `(ptr, len)` out of guest memory; `None` when it is not inside it.
fn read<T: HostData>(caller: &Caller<'_, T>, ptr: i32, len: i32) -> Option<Vec<u8>> {
    let data = memory(caller)?.data(caller);
    let start = usize::try_from(ptr as u32).ok()?;
    let end = start.checked_add(usize::try_from(len as u32).ok()?)?;
    data.get(start..end).map(<[u8]>::to_vec)
}

/// Whether `(ptr, cap)` lies inside guest memory.
fn in_bounds<T: HostData>(caller: &Caller<'_, T>, ptr: i32, cap: i32) -> bool {
    let Some(mem) = memory(caller) else {
        return false;
    };
    (ptr as u32 as u64) + (cap as u32 as u64) <= mem.data(caller).len() as u64
}

fn write<T: HostData>(caller: &mut Caller<'_, T>, ptr: i32, bytes: &[u8]) {
    let mem = memory(caller).expect("memory");
    mem.write(caller, ptr as u32 as usize, bytes)
        .expect("checked in bounds");
}

type C<'a, T> = Caller<'a, T>;

/// The `ugc` imports, each one host call (the native twin of js-glue's host imports).
pub fn linker<T: HostData>(engine: &Engine) -> Linker<T> {
    let mut l = Linker::new(engine);
    let m = HOST_MODULE;
    l.func_wrap(
        m,
        "log",
        |mut c: C<T>, ptr: i32, len: i32| -> Result<(), wasmi::Error> {
            match read(&c, ptr, len) {
                Some(bytes) => {
                    c.data_mut().host().log(&bytes);
                    Ok(())
                }
                None => Err(wasmi::Error::host(HostTrap("bad_pointer: log"))),
            }
        },
    )
    .unwrap();
    l.func_wrap(m, "last_error", |mut c: C<T>, ptr: i32, cap: i32| -> i32 {
        if !in_bounds(&c, ptr, cap) {
            return c
                .data_mut()
                .host()
                .bad_pointer("last_error", ptr as u32, cap as u32);
        }
        let msg = c.data().host_ref().last_error().as_bytes().to_vec();
        let n = msg.len().min(cap as u32 as usize);
        write(&mut c, ptr, &msg[..n]);
        msg.len() as i32
    })
    .unwrap();
    l.func_wrap(m, "retain", |mut c: C<T>, h: i32| {
        c.data_mut().host().retain(h)
    })
    .unwrap();
    l.func_wrap(m, "release", |mut c: C<T>, h: i32| {
        c.data_mut().host().release(h)
    })
    .unwrap();
    l.func_wrap(m, "type_of", |mut c: C<T>, h: i32| {
        c.data_mut().host().type_of(h)
    })
    .unwrap();
    l.func_wrap(m, "new_int", |mut c: C<T>, v: i64| {
        c.data_mut().host().new_int(v)
    })
    .unwrap();
    l.func_wrap(m, "new_float", |mut c: C<T>, v: f64| {
        c.data_mut().host().new_float(v)
    })
    .unwrap();
    l.func_wrap(m, "new_bool", |mut c: C<T>, v: i32| {
        c.data_mut().host().new_bool(v)
    })
    .unwrap();
    l.func_wrap(
        m,
        "new_string",
        |mut c: C<T>, ptr: i32, len: i32| match read(&c, ptr, len) {
            Some(b) => c.data_mut().host().new_string(&b),
            None => c
                .data_mut()
                .host()
                .bad_pointer("new_string", ptr as u32, len as u32),
        },
    )
    .unwrap();
    l.func_wrap(
        m,
        "new_value",
        |mut c: C<T>, ty: i32, ptr: i32, len: i32| match read(&c, ptr, len) {
            Some(b) => c.data_mut().host().new_value(ty, &b),
            None => c
                .data_mut()
                .host()
                .bad_pointer("new_value", ptr as u32, len as u32),
        },
    )
    .unwrap();
    l.func_wrap(
        m,
        "value_read",
        |mut c: C<T>, h: i32, ptr: i32, cap: i32| {
            out_call(&mut c, "value_read", ptr, cap, |host, out| {
                host.value_read(h, out)
            })
        },
    )
    .unwrap();
    l.func_wrap(m, "as_int", |mut c: C<T>, h: i32| {
        c.data_mut().host().as_int(h)
    })
    .unwrap();
    l.func_wrap(m, "as_float", |mut c: C<T>, h: i32| {
        c.data_mut().host().as_float(h)
    })
    .unwrap();
    l.func_wrap(
        m,
        "var_from_bytes",
        |mut c: C<T>, ptr: i32, len: i32| match read(&c, ptr, len) {
            Some(b) => c.data_mut().host().var_from_bytes(&b),
            None => c
                .data_mut()
                .host()
                .bad_pointer("var_from_bytes", ptr as u32, len as u32),
        },
    )
    .unwrap();
    l.func_wrap(
        m,
        "var_to_bytes",
        |mut c: C<T>, h: i32, ptr: i32, cap: i32| {
            out_call(&mut c, "var_to_bytes", ptr, cap, |host, out| {
                host.var_to_bytes(h, out)
            })
        },
    )
    .unwrap();
    l.func_wrap(m, "array_new", |mut c: C<T>| {
        c.data_mut().host().array_new()
    })
    .unwrap();
    l.func_wrap(m, "array_len", |mut c: C<T>, h: i32| {
        c.data_mut().host().array_len(h)
    })
    .unwrap();
    l.func_wrap(m, "array_get", |mut c: C<T>, h: i32, i: i32| {
        c.data_mut().host().array_get(h, i)
    })
    .unwrap();
    l.func_wrap(m, "array_set", |mut c: C<T>, h: i32, i: i32, v: i32| {
        c.data_mut().host().array_set(h, i, v)
    })
    .unwrap();
    l.func_wrap(m, "array_push", |mut c: C<T>, h: i32, v: i32| {
        c.data_mut().host().array_push(h, v)
    })
    .unwrap();
    l.func_wrap(m, "dict_new", |mut c: C<T>| c.data_mut().host().dict_new())
        .unwrap();
    l.func_wrap(m, "dict_len", |mut c: C<T>, h: i32| {
        c.data_mut().host().dict_len(h)
    })
    .unwrap();
    l.func_wrap(m, "dict_get", |mut c: C<T>, h: i32, k: i32| {
        c.data_mut().host().dict_get(h, k)
    })
    .unwrap();
    l.func_wrap(m, "dict_set", |mut c: C<T>, h: i32, k: i32, v: i32| {
        c.data_mut().host().dict_set(h, k, v)
    })
    .unwrap();
    l.func_wrap(m, "dict_keys", |mut c: C<T>, h: i32| {
        c.data_mut().host().dict_keys(h)
    })
    .unwrap();
    l.func_wrap(m, "self", |mut c: C<T>| c.data_mut().host().self_object())
        .unwrap();
    l.func_wrap(m, "node_slot", |c: C<T>| c.data().host_ref().node_slot())
        .unwrap();
    l.func_wrap(
        m,
        "object_get",
        |mut c: C<T>, o: i32, ptr: i32, len: i32| match read(&c, ptr, len) {
            Some(name) => c.data_mut().host().object_get(o, &name),
            None => c
                .data_mut()
                .host()
                .bad_pointer("object_get", ptr as u32, len as u32),
        },
    )
    .unwrap();
    l.func_wrap(
        m,
        "object_set",
        |mut c: C<T>, o: i32, ptr: i32, len: i32, v: i32| match read(&c, ptr, len) {
            Some(name) => c.data_mut().host().object_set(o, &name, v),
            None => c
                .data_mut()
                .host()
                .bad_pointer("object_set", ptr as u32, len as u32),
        },
    )
    .unwrap();
    l.func_wrap(
        m,
        "object_get_value",
        |mut c: C<T>, o: i32, np: i32, nl: i32, ty: i32, op: i32, cap: i32| {
            // The name's range is checked first, then the output's, as the JS glue does.
            let Some(name) = read(&c, np, nl) else {
                return c
                    .data_mut()
                    .host()
                    .bad_pointer("object_get_value", np as u32, nl as u32);
            };
            out_call(&mut c, "object_get_value", op, cap, |host, out| {
                host.object_get_value(o, &name, ty, out)
            })
        },
    )
    .unwrap();
    l.func_wrap(
        m,
        "object_set_value",
        |mut c: C<T>, o: i32, np: i32, nl: i32, ty: i32, vp: i32, vl: i32| {
            // The name's range is checked first, as the JS glue does.
            let Some(name) = read(&c, np, nl) else {
                return c
                    .data_mut()
                    .host()
                    .bad_pointer("object_set_value", np as u32, nl as u32);
            };
            match read(&c, vp, vl) {
                Some(value) => c.data_mut().host().object_set_value(o, &name, ty, &value),
                None => c
                    .data_mut()
                    .host()
                    .bad_pointer("object_set_value", vp as u32, vl as u32),
            }
        },
    )
    .unwrap();
    l.func_wrap(
        m,
        "object_bind_value",
        |mut c: C<T>, o: i32, np: i32, nl: i32, ty: i32, ptr: i32| {
            let Some(name) = read(&c, np, nl) else {
                return c
                    .data_mut()
                    .host()
                    .bad_pointer("object_bind_value", np as u32, nl as u32);
            };
            let mem_len = memory(&c).map_or(0, |m| m.data(&c).len());
            let mut seed = Vec::new();
            let n = c
                .data_mut()
                .host()
                .object_bind_value(o, &name, ty, ptr as u32, mem_len, &mut seed);
            if n > 0 {
                write(&mut c, ptr, &seed);
            }
            n
        },
    )
    .unwrap();
    l.func_wrap(
        m,
        "object_call",
        |mut c: C<T>, o: i32, ptr: i32, len: i32, args: i32| match read(&c, ptr, len) {
            Some(name) => c.data_mut().host().object_call(o, &name, args),
            None => c
                .data_mut()
                .host()
                .bad_pointer("object_call", ptr as u32, len as u32),
        },
    )
    .unwrap();
    l.func_wrap(
        m,
        "emit_signal",
        |mut c: C<T>, ptr: i32, len: i32, args: i32| match read(&c, ptr, len) {
            Some(name) => c.data_mut().host().emit_signal(&name, args),
            None => c
                .data_mut()
                .host()
                .bad_pointer("emit_signal", ptr as u32, len as u32),
        },
    )
    .unwrap();
    l
}

/// A host call that produces bytes for `(ptr, cap)`: written only when they fit.
fn out_call<T: HostData>(
    c: &mut C<T>,
    function: &'static str,
    ptr: i32,
    cap: i32,
    f: impl FnOnce(&mut ScriptHost, &mut Vec<u8>) -> i32,
) -> i32 {
    if !in_bounds(c, ptr, cap) {
        return c
            .data_mut()
            .host()
            .bad_pointer(function, ptr as u32, cap as u32);
    }
    let mut out = Vec::new();
    let n = f(c.data_mut().host(), &mut out);
    if n >= 0 && (n as u32) <= cap as u32 {
        write(c, ptr, &out);
    }
    n
}
