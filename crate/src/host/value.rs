//! The runtime value held in a script's handle table, with Godot's reference semantics.
//!
//! Arrays, Dictionaries, Packed*Arrays and Objects are shared (`Rc<RefCell<…>>`): every handle
//! to one of them, and every container holding it, sees the same mutations, as in GDScript.
//! Everything else is a plain value and is copied. [`Value::import`]/[`Value::export`] convert
//! to and from the codec's tree-shaped [`Variant`] at the edges (bytes, Godot, the manifest).

use super::dict::DictValue;
use super::fail::{fail, Fail};
use super::meter;
use crate::abi::AbiError;
use crate::variant::{self, type_id, ContainerType, Variant};
use std::cell::RefCell;
use std::rc::Rc;

/// A shared, mutable container.
pub type Shared<T> = Rc<RefCell<T>>;

/// Deepest nesting converted to or from a [`Variant`] (and compared as a Dictionary key). It
/// stops a container that holds itself (which GDScript allows too) from recursing forever, and
/// keeps the recursion well inside a browser's 1 MiB wasm stack; deeper values are `bad_value`.
pub const MAX_DEPTH: usize = 128;

/// A value a handle names.
#[derive(Debug, Clone)]
pub enum Value {
    /// Any value type without reference semantics: nil, numbers, strings, vectors, transforms…
    Plain(Variant),
    Array(Shared<ArrayValue>),
    Dictionary(Shared<DictValue>),
    /// A `Packed*Array` (always one of the `Variant::Packed*` cases).
    Packed(Shared<Variant>),
    Object(ObjectRef),
}

/// A (possibly typed) Array.
#[derive(Debug, Clone, Default)]
pub struct ArrayValue {
    pub element_type: ContainerType,
    pub items: Vec<Value>,
}

impl Drop for ArrayValue {
    fn drop(&mut self) {
        drop_iteratively(std::mem::take(&mut self.items));
    }
}

impl Drop for DictValue {
    fn drop(&mut self) {
        let entries = self.drain();
        drop_iteratively(entries.into_iter().flat_map(|(k, v)| [k, v]).collect());
    }
}

/// Drops a tree of containers without recursion: a guest can nest Arrays a million deep one
/// `array_push` at a time, and recursive drops would overflow the host's stack.
fn drop_iteratively(mut stack: Vec<Value>) {
    while let Some(value) = stack.pop() {
        match value {
            Value::Array(rc) => {
                if let Ok(cell) = Rc::try_unwrap(rc) {
                    stack.append(&mut cell.into_inner().items);
                }
            }
            Value::Dictionary(rc) => {
                if let Ok(cell) = Rc::try_unwrap(rc) {
                    let entries = cell.into_inner().drain();
                    stack.extend(entries.into_iter().flat_map(|(k, v)| [k, v]));
                }
            }
            _ => {}
        }
    }
}

/// A live Godot object, as the runtime knows it: its id and its class (for the capability rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub id: u64,
    pub class: Rc<str>,
}

/// Where a Variant comes from, which decides whether it may name objects.
pub enum Origin<'a> {
    /// Guest bytes (`var_from_bytes`): an object id there would be forged, so none are accepted.
    Guest,
    /// Godot or the embedding game: object ids are real; the closure gives each one's class
    /// (`None`: the object is gone).
    Trusted(&'a mut dyn FnMut(u64) -> Option<String>),
}

impl Value {
    pub const NIL: Value = Value::Plain(Variant::Nil);

    /// Godot's `Variant::Type` number.
    pub fn type_id(&self) -> u32 {
        match self {
            Value::Plain(v) => v.type_id(),
            Value::Array(_) => type_id::ARRAY,
            Value::Dictionary(_) => type_id::DICTIONARY,
            Value::Packed(p) => p.borrow().type_id(),
            Value::Object(_) => type_id::OBJECT,
        }
    }

    pub fn new_array(items: Vec<Value>) -> Value {
        Value::Array(Rc::new(RefCell::new(ArrayValue {
            element_type: ContainerType::Untyped,
            items,
        })))
    }

    pub fn new_dictionary() -> Value {
        Value::Dictionary(Rc::new(RefCell::new(DictValue::default())))
    }

    /// Converts a codec value into a runtime value (fresh containers for every nested one).
    pub fn import(v: Variant, origin: &mut Origin<'_>) -> Result<Value, Fail> {
        import(v, origin, 0)
    }

    /// Converts into a codec value (a deep snapshot of shared containers).
    pub fn export(&self) -> Result<Variant, Fail> {
        export(self, 0)
    }

    /// The bytes a copy of this value copies (containers are shared, so a copy is a reference):
    /// what storing or reading it costs, before the copy is made.
    pub fn byte_size(&self) -> usize {
        match self {
            Value::Plain(v) => heap_bytes(v),
            Value::Packed(p) => p.try_borrow().map_or(0, |p| heap_bytes(&p)),
            _ => 0,
        }
    }

    /// Whether this value may be stored in a container typed `ty`.
    pub fn fits(&self, ty: &ContainerType) -> bool {
        match ty {
            ContainerType::Untyped => true,
            ContainerType::Builtin(t) => self.type_id() == *t,
            // Class- and script-typed containers hold objects; the class check is Godot's.
            ContainerType::ClassName(_) | ContainerType::Script(_) => {
                matches!(self, Value::Object(_) | Value::Plain(Variant::Object(0)))
            }
        }
    }
}

/// The bytes of `v` outside its fixed-size part: a string's text, a packed array's elements.
pub fn heap_bytes(v: &Variant) -> usize {
    match v {
        Variant::String(s) | Variant::StringName(s) => s.len(),
        Variant::NodePath(p) => p.names.iter().chain(&p.subnames).map(String::len).sum(),
        Variant::PackedByteArray(a) => a.len(),
        Variant::PackedInt32Array(a) => a.len() * 4,
        Variant::PackedInt64Array(a) => a.len() * 8,
        Variant::PackedFloat32Array(a) => a.len() * 4,
        Variant::PackedFloat64Array(a) => a.len() * 8,
        Variant::PackedStringArray(a) => a.iter().map(|s| s.len() + 4).sum(),
        Variant::PackedVector2Array(a) => a.len() * 8,
        Variant::PackedVector3Array(a) => a.len() * 12,
        Variant::PackedColorArray(a) => a.len() * 16,
        Variant::PackedVector4Array(a) => a.len() * 16,
        _ => 0,
    }
}

fn too_deep() -> Fail {
    Fail::new(
        AbiError::BadValue,
        format!("nesting deeper than {MAX_DEPTH} (or a container that holds itself)"),
    )
}

fn import(v: Variant, origin: &mut Origin<'_>, depth: usize) -> Result<Value, Fail> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    meter::values(1)?;
    Ok(match v {
        Variant::Array(a) => {
            let a = *a;
            let items = a
                .elements
                .into_iter()
                .map(|e| import(e, origin, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Value::Array(Rc::new(RefCell::new(ArrayValue {
                element_type: a.element_type,
                items,
            })))
        }
        Variant::Dictionary(d) => {
            let d = *d;
            let mut dict = DictValue::typed(d.key_type, d.value_type);
            for (k, v) in d.entries {
                let k = import(k, origin, depth + 1)?;
                let v = import(v, origin, depth + 1)?;
                // As Godot's decoder: a repeated key keeps the last value.
                dict.insert(k, v)?;
            }
            Value::Dictionary(Rc::new(RefCell::new(dict)))
        }
        Variant::Object(0) => Value::Plain(Variant::Object(0)),
        Variant::Object(id) => match origin {
            Origin::Guest => {
                return fail(
                    AbiError::NotAllowed,
                    format!("object id {id} in guest bytes: objects cannot be forged from bytes"),
                )
            }
            Origin::Trusted(class_of) => match class_of(id) {
                Some(class) => Value::Object(ObjectRef {
                    id,
                    class: class.into(),
                }),
                None => return fail(AbiError::ObjectGone, format!("object {id} was freed")),
            },
        },
        Variant::Signal { object, .. } if object != 0 && matches!(origin, Origin::Guest) => {
            return fail(
                AbiError::NotAllowed,
                format!("signal of object {object} in guest bytes: objects cannot be forged"),
            )
        }
        v @ (Variant::PackedByteArray(_)
        | Variant::PackedInt32Array(_)
        | Variant::PackedInt64Array(_)
        | Variant::PackedFloat32Array(_)
        | Variant::PackedFloat64Array(_)
        | Variant::PackedStringArray(_)
        | Variant::PackedVector2Array(_)
        | Variant::PackedVector3Array(_)
        | Variant::PackedColorArray(_)
        | Variant::PackedVector4Array(_)) => Value::Packed(Rc::new(RefCell::new(v))),
        plain => Value::Plain(plain),
    })
}

fn export(value: &Value, depth: usize) -> Result<Variant, Fail> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    // Paid per node of the snapshot actually produced: a DAG of shared Arrays expands here, so
    // its cost is its expanded size, stopped by the guest's fuel (docs/ABI.md "Cost").
    meter::values(1)?;
    meter::bytes(value.byte_size())?;
    Ok(match value {
        Value::Plain(v) => v.clone(),
        Value::Packed(p) => p.borrow().clone(),
        Value::Object(o) => Variant::Object(o.id),
        Value::Array(a) => {
            let a = a.borrow();
            let elements = a
                .items
                .iter()
                .map(|e| export(e, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Variant::Array(Box::new(variant::Array {
                element_type: a.element_type.clone(),
                elements,
            }))
        }
        Value::Dictionary(d) => {
            let d = d.borrow();
            let entries = d
                .iter()
                .map(|(k, v)| Ok((export(k, depth + 1)?, export(v, depth + 1)?)))
                .collect::<Result<Vec<_>, Fail>>()?;
            Variant::Dictionary(Box::new(variant::Dictionary {
                key_type: d.key_type.clone(),
                value_type: d.value_type.clone(),
                entries,
            }))
        }
    })
}
