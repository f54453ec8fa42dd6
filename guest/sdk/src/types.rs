//! Godot's value types as plain `#[repr(C)]` structs: their bytes are exactly the raw layout that
//! `new_value` takes and `value_read` writes (little-endian `f32`/`i32` fields, docs/ABI.md).

/// Godot's `Variant::Type` numbers.
pub mod type_id {
    pub const NIL: i32 = 0;
    pub const BOOL: i32 = 1;
    pub const INT: i32 = 2;
    pub const FLOAT: i32 = 3;
    pub const STRING: i32 = 4;
    pub const VECTOR2: i32 = 5;
    pub const VECTOR2I: i32 = 6;
    pub const RECT2: i32 = 7;
    pub const VECTOR3: i32 = 9;
    pub const VECTOR3I: i32 = 10;
    pub const VECTOR4: i32 = 12;
    pub const QUATERNION: i32 = 15;
    pub const BASIS: i32 = 17;
    pub const TRANSFORM3D: i32 = 18;
    pub const COLOR: i32 = 20;
    pub const STRING_NAME: i32 = 21;
    pub const NODE_PATH: i32 = 22;
    pub const OBJECT: i32 = 24;
    pub const DICTIONARY: i32 = 27;
    pub const ARRAY: i32 = 28;
    pub const PACKED_BYTE_ARRAY: i32 = 29;
    pub const PACKED_INT32_ARRAY: i32 = 30;
    pub const PACKED_INT64_ARRAY: i32 = 31;
    pub const PACKED_FLOAT32_ARRAY: i32 = 32;
    pub const PACKED_FLOAT64_ARRAY: i32 = 33;
    pub const PACKED_VECTOR2_ARRAY: i32 = 35;
    pub const PACKED_VECTOR3_ARRAY: i32 = 36;
    pub const PACKED_COLOR_ARRAY: i32 = 37;
}

/// Plain old data: `#[repr(C)]`, no padding, every bit pattern valid.
///
/// # Safety
/// Implement only for types with exactly those properties.
pub unsafe trait Pod: Copy + Default {}

/// A value with a fixed raw layout: `Self`'s bytes are what the host expects for `TYPE`.
pub trait Raw: Pod {
    /// The Variant type this layout belongs to.
    const TYPE: i32;
}

/// A value a property can be bound to (`object_bind_value`, [`crate::PerNode::bind`]): its bytes
/// are the raw layout of `TYPE`, a fixed-size type the host accepts for binding.
///
/// # Safety
/// `Self`'s bytes must be exactly `TYPE`'s raw layout, and every value the host writes there (any
/// bit pattern for the number types, 0 or 1 for BOOL) must be a valid `Self`.
pub unsafe trait Bindable: Copy {
    const TYPE: i32;
}

// SAFETY: the raw layouts of INT, FLOAT and BOOL (docs/ABI.md); the host seeds a BOOL with 0 or 1.
unsafe impl Bindable for i64 {
    const TYPE: i32 = type_id::INT;
}
unsafe impl Bindable for f64 {
    const TYPE: i32 = type_id::FLOAT;
}
unsafe impl Bindable for bool {
    const TYPE: i32 = type_id::BOOL;
}
// SAFETY: a `Raw` type's bytes are its type's raw layout, and every bit pattern is valid (`Pod`).
unsafe impl<T: Raw> Bindable for T {
    const TYPE: i32 = T::TYPE;
}

/// An element of a Packed*Array: a slice of them is that array's raw layout.
pub trait Element: Pod {
    /// The Packed*Array type of slices of `Self`.
    const PACKED_TYPE: i32;
}

/// Views plain values as bytes.
pub(crate) fn bytes_of<T: Pod>(values: &[T]) -> &[u8] {
    // SAFETY: `Pod` types are padding-free `repr(C)` structs of plain numbers.
    unsafe { core::slice::from_raw_parts(values.as_ptr().cast(), core::mem::size_of_val(values)) }
}

/// Views plain values as mutable bytes (for the host to fill).
pub(crate) fn bytes_of_mut<T: Pod>(values: &mut [T]) -> &mut [u8] {
    // SAFETY: as above, and every bit pattern of a `Raw` type is valid.
    unsafe {
        core::slice::from_raw_parts_mut(values.as_mut_ptr().cast(), core::mem::size_of_val(values))
    }
}

macro_rules! raw_struct {
    ($(#[$meta:meta])* $name:ident($ty:expr) { $($field:ident: $fty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        #[repr(C)]
        pub struct $name {
            $(pub $field: $fty),*
        }
        // SAFETY: repr(C), fields of one 4-byte type, no padding.
        unsafe impl Pod for $name {}
        impl crate::Initial for $name {
            // SAFETY: every bit pattern of a Pod type is valid, all zeros included.
            const INITIAL: Self = unsafe { core::mem::zeroed() };
        }
        impl Raw for $name {
            const TYPE: i32 = $ty;
        }
    };
}

raw_struct!(Vector2(type_id::VECTOR2) { x: f32, y: f32 });
raw_struct!(Vector3(type_id::VECTOR3) { x: f32, y: f32, z: f32 });
raw_struct!(Vector4(type_id::VECTOR4) { x: f32, y: f32, z: f32, w: f32 });
raw_struct!(Vector2i(type_id::VECTOR2I) { x: i32, y: i32 });
raw_struct!(Vector3i(type_id::VECTOR3I) { x: i32, y: i32, z: i32 });
raw_struct!(Quaternion(type_id::QUATERNION) { x: f32, y: f32, z: f32, w: f32 });
raw_struct!(
    /// Always single precision.
    Color(type_id::COLOR) { r: f32, g: f32, b: f32, a: f32 }
);
raw_struct!(
    /// Row-major, as Godot stores it.
    Basis(type_id::BASIS) { rows: [Vector3; 3] }
);
raw_struct!(
    /// The basis rows, then the origin.
    Transform3D(type_id::TRANSFORM3D) { basis: Basis, origin: Vector3 }
);

macro_rules! element {
    ($t:ty, $packed:expr) => {
        impl Element for $t {
            const PACKED_TYPE: i32 = $packed;
        }
    };
}
// SAFETY: plain numbers.
macro_rules! initial_zero {
    ($($t:ty),*) => {$(
        impl crate::Initial for $t {
            const INITIAL: Self = 0 as $t;
        }
    )*};
}
initial_zero!(u8, u32, u64, i32, i64, f32, f64);
impl crate::Initial for bool {
    const INITIAL: Self = false;
}

unsafe impl Pod for u8 {}
unsafe impl Pod for i32 {}
unsafe impl Pod for i64 {}
unsafe impl Pod for f32 {}
unsafe impl Pod for f64 {}
element!(Vector2, type_id::PACKED_VECTOR2_ARRAY);
element!(Vector3, type_id::PACKED_VECTOR3_ARRAY);
element!(Color, type_id::PACKED_COLOR_ARRAY);
element!(u8, type_id::PACKED_BYTE_ARRAY);
element!(i32, type_id::PACKED_INT32_ARRAY);
element!(i64, type_id::PACKED_INT64_ARRAY);
element!(f32, type_id::PACKED_FLOAT32_ARRAY);
element!(f64, type_id::PACKED_FLOAT64_ARRAY);

impl Vector3 {
    pub const ZERO: Vector3 = Vector3 {
        x: 0.0,
        y: 0.0,
        z: 0.0,
    };
    pub const ONE: Vector3 = Vector3 {
        x: 1.0,
        y: 1.0,
        z: 1.0,
    };

    pub const fn new(x: f32, y: f32, z: f32) -> Self {
        Vector3 { x, y, z }
    }
}

impl Vector2 {
    pub const fn new(x: f32, y: f32) -> Self {
        Vector2 { x, y }
    }
}

impl Color {
    pub const fn rgba(r: f32, g: f32, b: f32, a: f32) -> Self {
        Color { r, g, b, a }
    }
}

impl Basis {
    pub const IDENTITY: Basis = Basis {
        rows: [
            Vector3::new(1.0, 0.0, 0.0),
            Vector3::new(0.0, 1.0, 0.0),
            Vector3::new(0.0, 0.0, 1.0),
        ],
    };
}

impl Quaternion {
    pub const IDENTITY: Quaternion = Quaternion {
        x: 0.0,
        y: 0.0,
        z: 0.0,
        w: 1.0,
    };
}

impl Transform3D {
    pub const IDENTITY: Transform3D = Transform3D {
        basis: Basis::IDENTITY,
        origin: Vector3::ZERO,
    };
}
