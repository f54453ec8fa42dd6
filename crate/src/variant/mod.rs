//! Godot 4's binary Variant format, as written by `var_to_bytes` and read by `bytes_to_var`
//! (`core/io/marshalls.cpp`, `encode_variant` / `decode_variant` with `full_objects = false`).
//!
//! The encoder reproduces a single-precision engine (`real_t` = `float`, as in the web export)
//! byte for byte; the decoder also accepts double-precision encodings of the math types and narrows
//! them. See docs/VARIANT.md for the type table and the exact differences from Godot.

mod decode;
mod encode;
mod error;

pub use decode::{decode, decode_exact};
pub use encode::{encode, encode_into};
pub use error::VariantError;

/// Maximum container nesting, as Godot's `Variant::MAX_RECURSION_DEPTH`: the top-level value is at
/// depth 0 and a value at depth greater than this is refused by both encode and decode.
pub const MAX_DEPTH: usize = 1024;

/// Godot's `Variant::Type` numbers (core/variant/variant.h, 4.3+).
#[allow(missing_docs)]
pub mod type_id {
    pub const NIL: u32 = 0;
    pub const BOOL: u32 = 1;
    pub const INT: u32 = 2;
    pub const FLOAT: u32 = 3;
    pub const STRING: u32 = 4;
    pub const VECTOR2: u32 = 5;
    pub const VECTOR2I: u32 = 6;
    pub const RECT2: u32 = 7;
    pub const RECT2I: u32 = 8;
    pub const VECTOR3: u32 = 9;
    pub const VECTOR3I: u32 = 10;
    pub const TRANSFORM2D: u32 = 11;
    pub const VECTOR4: u32 = 12;
    pub const VECTOR4I: u32 = 13;
    pub const PLANE: u32 = 14;
    pub const QUATERNION: u32 = 15;
    pub const AABB: u32 = 16;
    pub const BASIS: u32 = 17;
    pub const TRANSFORM3D: u32 = 18;
    pub const PROJECTION: u32 = 19;
    pub const COLOR: u32 = 20;
    pub const STRING_NAME: u32 = 21;
    pub const NODE_PATH: u32 = 22;
    pub const RID: u32 = 23;
    pub const OBJECT: u32 = 24;
    pub const CALLABLE: u32 = 25;
    pub const SIGNAL: u32 = 26;
    pub const DICTIONARY: u32 = 27;
    pub const ARRAY: u32 = 28;
    pub const PACKED_BYTE_ARRAY: u32 = 29;
    pub const PACKED_INT32_ARRAY: u32 = 30;
    pub const PACKED_INT64_ARRAY: u32 = 31;
    pub const PACKED_FLOAT32_ARRAY: u32 = 32;
    pub const PACKED_FLOAT64_ARRAY: u32 = 33;
    pub const PACKED_STRING_ARRAY: u32 = 34;
    pub const PACKED_VECTOR2_ARRAY: u32 = 35;
    pub const PACKED_VECTOR3_ARRAY: u32 = 36;
    pub const PACKED_COLOR_ARRAY: u32 = 37;
    pub const PACKED_VECTOR4_ARRAY: u32 = 38;
    /// `Variant::VARIANT_MAX`: every valid type number is below this.
    pub const VARIANT_MAX: u32 = 39;
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Vector2 {
    pub x: f32,
    pub y: f32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Vector2i {
    pub x: i32,
    pub y: i32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Vector3 {
    pub x: f32,
    pub y: f32,
    pub z: f32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Vector3i {
    pub x: i32,
    pub y: i32,
    pub z: i32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Vector4 {
    pub x: f32,
    pub y: f32,
    pub z: f32,
    pub w: f32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Vector4i {
    pub x: i32,
    pub y: i32,
    pub z: i32,
    pub w: i32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect2 {
    pub position: Vector2,
    pub size: Vector2,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rect2i {
    pub position: Vector2i,
    pub size: Vector2i,
}

/// Columns `x`, `y` and `origin`, encoded in that order (Godot's `columns[3]`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Transform2D {
    pub columns: [Vector2; 3],
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Plane {
    pub normal: Vector3,
    pub d: f32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Quaternion {
    pub x: f32,
    pub y: f32,
    pub z: f32,
    pub w: f32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Aabb {
    pub position: Vector3,
    pub size: Vector3,
}

/// Row-major, as Godot stores and encodes it (`rows[3]`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Basis {
    pub rows: [Vector3; 3],
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Transform3D {
    pub basis: Basis,
    pub origin: Vector3,
}

/// Column-major 4×4 (`columns[4]`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Projection {
    pub columns: [Vector4; 4],
}

/// Always single precision, even in double-precision engine builds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Color {
    pub r: f32,
    pub g: f32,
    pub b: f32,
    pub a: f32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct NodePath {
    pub names: Vec<String>,
    pub subnames: Vec<String>,
    pub absolute: bool,
}

/// The element (or key/value) type of a typed container, as it appears on the wire.
///
/// Without `full_objects` Godot writes `ClassName("EncodedObjectAsID")` for object-typed containers,
/// script-typed ones included; `Script` (a `res://` path) only appears with `full_objects`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum ContainerType {
    #[default]
    Untyped,
    /// A built-in `Variant::Type` number (see [`type_id`]).
    Builtin(u32),
    ClassName(String),
    Script(String),
}

/// A (possibly typed) `Array`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Array {
    pub element_type: ContainerType,
    pub elements: Vec<Variant>,
}

/// A (possibly typed) `Dictionary`: ordered pairs exactly as on the wire.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dictionary {
    pub key_type: ContainerType,
    pub value_type: ContainerType,
    pub entries: Vec<(Variant, Variant)>,
}

/// A Godot Variant. Containers keep their elements in order; a dictionary is an ordered list of
/// pairs exactly as on the wire (the decoder does not merge duplicate keys).
#[derive(Clone, Debug, PartialEq)]
pub enum Variant {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Vector2(Vector2),
    Vector2i(Vector2i),
    Rect2(Rect2),
    Rect2i(Rect2i),
    Vector3(Vector3),
    Vector3i(Vector3i),
    Transform2D(Transform2D),
    Vector4(Vector4),
    Vector4i(Vector4i),
    Plane(Plane),
    Quaternion(Quaternion),
    Aabb(Aabb),
    Basis(Basis),
    Transform3D(Box<Transform3D>),
    Projection(Box<Projection>),
    Color(Color),
    StringName(String),
    NodePath(Box<NodePath>),
    /// A RID's 64-bit id.
    Rid(u64),
    /// An object by `ObjectID` (Godot's `EncodedObjectAsID`); 0 is a null object.
    Object(u64),
    /// Godot writes no payload for a Callable: every Callable decodes as an empty one.
    Callable,
    Signal {
        name: String,
        object: u64,
    },
    Dictionary(Box<Dictionary>),
    Array(Box<Array>),
    PackedByteArray(Vec<u8>),
    PackedInt32Array(Vec<i32>),
    PackedInt64Array(Vec<i64>),
    PackedFloat32Array(Vec<f32>),
    PackedFloat64Array(Vec<f64>),
    PackedStringArray(Vec<String>),
    PackedVector2Array(Vec<Vector2>),
    PackedVector3Array(Vec<Vector3>),
    PackedColorArray(Vec<Color>),
    PackedVector4Array(Vec<Vector4>),
}

impl Variant {
    /// An untyped `Array`.
    pub fn array(elements: Vec<Variant>) -> Variant {
        Variant::Array(Box::new(Array {
            element_type: ContainerType::Untyped,
            elements,
        }))
    }

    /// An untyped `Dictionary`.
    pub fn dictionary(entries: Vec<(Variant, Variant)>) -> Variant {
        Variant::Dictionary(Box::new(Dictionary {
            key_type: ContainerType::Untyped,
            value_type: ContainerType::Untyped,
            entries,
        }))
    }

    /// Godot's `Variant::Type` number of this value.
    pub fn type_id(&self) -> u32 {
        use type_id as t;
        match self {
            Variant::Nil => t::NIL,
            Variant::Bool(_) => t::BOOL,
            Variant::Int(_) => t::INT,
            Variant::Float(_) => t::FLOAT,
            Variant::String(_) => t::STRING,
            Variant::Vector2(_) => t::VECTOR2,
            Variant::Vector2i(_) => t::VECTOR2I,
            Variant::Rect2(_) => t::RECT2,
            Variant::Rect2i(_) => t::RECT2I,
            Variant::Vector3(_) => t::VECTOR3,
            Variant::Vector3i(_) => t::VECTOR3I,
            Variant::Transform2D(_) => t::TRANSFORM2D,
            Variant::Vector4(_) => t::VECTOR4,
            Variant::Vector4i(_) => t::VECTOR4I,
            Variant::Plane(_) => t::PLANE,
            Variant::Quaternion(_) => t::QUATERNION,
            Variant::Aabb(_) => t::AABB,
            Variant::Basis(_) => t::BASIS,
            Variant::Transform3D(_) => t::TRANSFORM3D,
            Variant::Projection(_) => t::PROJECTION,
            Variant::Color(_) => t::COLOR,
            Variant::StringName(_) => t::STRING_NAME,
            Variant::NodePath(_) => t::NODE_PATH,
            Variant::Rid(_) => t::RID,
            Variant::Object(_) => t::OBJECT,
            Variant::Callable => t::CALLABLE,
            Variant::Signal { .. } => t::SIGNAL,
            Variant::Dictionary(_) => t::DICTIONARY,
            Variant::Array(_) => t::ARRAY,
            Variant::PackedByteArray(_) => t::PACKED_BYTE_ARRAY,
            Variant::PackedInt32Array(_) => t::PACKED_INT32_ARRAY,
            Variant::PackedInt64Array(_) => t::PACKED_INT64_ARRAY,
            Variant::PackedFloat32Array(_) => t::PACKED_FLOAT32_ARRAY,
            Variant::PackedFloat64Array(_) => t::PACKED_FLOAT64_ARRAY,
            Variant::PackedStringArray(_) => t::PACKED_STRING_ARRAY,
            Variant::PackedVector2Array(_) => t::PACKED_VECTOR2_ARRAY,
            Variant::PackedVector3Array(_) => t::PACKED_VECTOR3_ARRAY,
            Variant::PackedColorArray(_) => t::PACKED_COLOR_ARRAY,
            Variant::PackedVector4Array(_) => t::PACKED_VECTOR4_ARRAY,
        }
    }
}

impl From<bool> for Variant {
    fn from(v: bool) -> Self {
        Variant::Bool(v)
    }
}

impl From<i64> for Variant {
    fn from(v: i64) -> Self {
        Variant::Int(v)
    }
}

impl From<i32> for Variant {
    fn from(v: i32) -> Self {
        Variant::Int(v.into())
    }
}

impl From<f64> for Variant {
    fn from(v: f64) -> Self {
        Variant::Float(v)
    }
}

impl From<&str> for Variant {
    fn from(v: &str) -> Self {
        Variant::String(v.to_owned())
    }
}

impl From<String> for Variant {
    fn from(v: String) -> Self {
        Variant::String(v)
    }
}

impl From<Vector3> for Variant {
    fn from(v: Vector3) -> Self {
        Variant::Vector3(v)
    }
}
