//! Property tests: every Variant type, nested Arrays and Dictionaries included, survives
//! encode → decode unchanged; hostile bytes never panic and always get a typed error.
// Native only: uses crates (wasmi, proptest, wasm-smith) or files that the wasm32 build of the tests lacks.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use ugc_wasm::variant::{
    decode, encode, encode_into, Aabb, Array, Basis, Color, ContainerType, Dictionary, NodePath,
    Plane, Projection, Quaternion, Rect2, Rect2i, Transform2D, Transform3D, Variant, Vector2,
    Vector2i, Vector3, Vector3i, Vector4, Vector4i,
};

/// Any f32 except NaN (NaN has no equality; its encoding is checked separately).
fn real() -> impl Strategy<Value = f32> {
    any::<u32>()
        .prop_map(f32::from_bits)
        .prop_map(|f| if f.is_nan() { 0.25 } else { f })
}

fn v2() -> impl Strategy<Value = Vector2> {
    (real(), real()).prop_map(|(x, y)| Vector2 { x, y })
}
fn v3() -> impl Strategy<Value = Vector3> {
    (real(), real(), real()).prop_map(|(x, y, z)| Vector3 { x, y, z })
}
fn v4() -> impl Strategy<Value = Vector4> {
    (real(), real(), real(), real()).prop_map(|(x, y, z, w)| Vector4 { x, y, z, w })
}
fn v2i() -> impl Strategy<Value = Vector2i> {
    any::<(i32, i32)>().prop_map(|(x, y)| Vector2i { x, y })
}
fn color() -> impl Strategy<Value = Color> {
    (real(), real(), real(), real()).prop_map(|(r, g, b, a)| Color { r, g, b, a })
}
/// Text without NUL (Godot strings end at the first NUL).
fn text() -> impl Strategy<Value = String> {
    "[^\u{0}]{0,9}"
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        real().prop_map(f64::from),
        any::<u64>()
            .prop_map(f64::from_bits)
            .prop_map(|f| if f.is_nan() { 0.1 } else { f }),
    ]
}

fn container_type() -> impl Strategy<Value = ContainerType> {
    prop_oneof![
        3 => Just(ContainerType::Untyped),
        1 => (0u32..39).prop_map(ContainerType::Builtin),
        1 => text().prop_map(ContainerType::ClassName),
        1 => text().prop_map(ContainerType::Script),
    ]
}

fn leaf() -> BoxedStrategy<Variant> {
    prop_oneof![
        Just(Variant::Nil),
        any::<bool>().prop_map(Variant::Bool),
        prop_oneof![any::<i32>().prop_map(i64::from), any::<i64>()].prop_map(Variant::Int),
        float().prop_map(Variant::Float),
        text().prop_map(Variant::String),
        v2().prop_map(Variant::Vector2),
        v2i().prop_map(Variant::Vector2i),
        (v2(), v2()).prop_map(|(position, size)| Variant::Rect2(Rect2 { position, size })),
        (v2i(), v2i()).prop_map(|(position, size)| Variant::Rect2i(Rect2i { position, size })),
        v3().prop_map(Variant::Vector3),
        any::<(i32, i32, i32)>().prop_map(|(x, y, z)| Variant::Vector3i(Vector3i { x, y, z })),
        [v2(), v2(), v2()].prop_map(|columns| Variant::Transform2D(Transform2D { columns })),
        v4().prop_map(Variant::Vector4),
        any::<(i32, i32, i32, i32)>().prop_map(|(x, y, z, w)| Variant::Vector4i(Vector4i {
            x,
            y,
            z,
            w
        })),
        (v3(), real()).prop_map(|(normal, d)| Variant::Plane(Plane { normal, d })),
        v4().prop_map(|v| Variant::Quaternion(Quaternion {
            x: v.x,
            y: v.y,
            z: v.z,
            w: v.w
        })),
        (v3(), v3()).prop_map(|(position, size)| Variant::Aabb(Aabb { position, size })),
        [v3(), v3(), v3()].prop_map(|rows| Variant::Basis(Basis { rows })),
        ([v3(), v3(), v3()], v3()).prop_map(|(rows, origin)| {
            Variant::Transform3D(Box::new(Transform3D {
                basis: Basis { rows },
                origin,
            }))
        }),
        [v4(), v4(), v4(), v4()]
            .prop_map(|columns| Variant::Projection(Box::new(Projection { columns }))),
        color().prop_map(Variant::Color),
        text().prop_map(Variant::StringName),
        (
            prop::collection::vec(text(), 0..3),
            prop::collection::vec(text(), 0..3),
            any::<bool>()
        )
            .prop_map(|(names, subnames, absolute)| Variant::NodePath(Box::new(
                NodePath {
                    names,
                    subnames,
                    absolute
                }
            ))),
        any::<u64>().prop_map(Variant::Rid),
        // ObjectID 0 is a null object, which Godot writes as NIL: not a round trip.
        (1..=u64::MAX).prop_map(Variant::Object),
        Just(Variant::Callable),
        (text(), any::<u64>()).prop_map(|(name, object)| Variant::Signal { name, object }),
        prop::collection::vec(any::<u8>(), 0..9).prop_map(Variant::PackedByteArray),
        prop::collection::vec(any::<i32>(), 0..5).prop_map(Variant::PackedInt32Array),
        prop::collection::vec(any::<i64>(), 0..5).prop_map(Variant::PackedInt64Array),
        prop::collection::vec(real(), 0..5).prop_map(Variant::PackedFloat32Array),
        prop::collection::vec(float(), 0..5).prop_map(Variant::PackedFloat64Array),
        prop::collection::vec(text(), 0..5).prop_map(Variant::PackedStringArray),
        prop::collection::vec(v2(), 0..4).prop_map(Variant::PackedVector2Array),
        prop::collection::vec(v3(), 0..4).prop_map(Variant::PackedVector3Array),
        prop::collection::vec(color(), 0..4).prop_map(Variant::PackedColorArray),
        prop::collection::vec(v4(), 0..4).prop_map(Variant::PackedVector4Array),
    ]
    .boxed()
}

fn variant() -> impl Strategy<Value = Variant> {
    leaf().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            (container_type(), prop::collection::vec(inner.clone(), 0..8)).prop_map(
                |(element_type, elements)| {
                    Variant::Array(Box::new(Array {
                        element_type,
                        elements,
                    }))
                }
            ),
            (
                container_type(),
                container_type(),
                prop::collection::vec((inner.clone(), inner), 0..6)
            )
                .prop_map(|(key_type, value_type, entries)| {
                    Variant::Dictionary(Box::new(Dictionary {
                        key_type,
                        value_type,
                        entries,
                    }))
                }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn encode_decode_round_trip(v in variant()) {
        let bytes = encode(&v).unwrap();
        prop_assert_eq!(bytes.len() % 4, 0, "Godot encodings are 4-byte aligned");
        let (back, used) = decode(&bytes).unwrap();
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(&back, &v);
    }

    /// With trailing data after it, a value still decodes alone and reports where it ended.
    #[test]
    fn decode_reports_consumed_length(v in variant(), tail in prop::collection::vec(any::<u8>(), 0..16)) {
        let mut bytes = encode(&v).unwrap();
        let len = bytes.len();
        bytes.extend_from_slice(&tail);
        let (back, used) = decode(&bytes).unwrap();
        prop_assert_eq!(used, len);
        prop_assert_eq!(back, v);
    }

    /// `encode_into` appends, padding relative to where the value starts.
    #[test]
    fn encode_into_appends_the_same_bytes(v in variant(), prefix in prop::collection::vec(any::<u8>(), 0..7)) {
        let mut out = prefix.clone();
        encode_into(&v, &mut out).unwrap();
        prop_assert_eq!(&out[..prefix.len()], &prefix[..]);
        prop_assert_eq!(&out[prefix.len()..], &encode(&v).unwrap()[..]);
    }

    /// Any float, NaN payloads included, re-encodes to the same bytes.
    #[test]
    fn float_bits_are_stable(bits in any::<u64>(), bits32 in any::<u32>()) {
        for v in [Variant::Float(f64::from_bits(bits)), Variant::PackedFloat64Array(vec![f64::from_bits(bits)]),
                  Variant::PackedFloat32Array(vec![f32::from_bits(bits32)]),
                  Variant::Vector2(Vector2 { x: f32::from_bits(bits32), y: 1.0 })] {
            let bytes = encode(&v).unwrap();
            prop_assert_eq!(encode(&decode(&bytes).unwrap().0).unwrap(), bytes);
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check_hostile(&bytes);
    }

    /// Random bytes behind a valid header reach deeper into each type's decoder.
    #[test]
    fn random_payloads_never_panic(ty in 0u32..40, flags in 0u32..16, body in prop::collection::vec(any::<u8>(), 0..128)) {
        let mut bytes = (ty | flags << 16).to_le_bytes().to_vec();
        bytes.extend_from_slice(&body);
        check_hostile(&bytes);
    }

    /// Corrupting one byte or word of a valid encoding never panics.
    #[test]
    fn mutated_encodings_never_panic(v in variant(), at in any::<usize>(), word in any::<u32>(), byte in any::<u8>()) {
        let bytes = encode(&v).unwrap();
        let i = at % bytes.len();
        let mut one = bytes.clone();
        one[i] = byte;
        check_hostile(&one);
        let mut four = bytes.clone();
        let j = i - i % 4;
        four[j..j + 4].copy_from_slice(&word.to_le_bytes());
        check_hostile(&four);
    }

    /// Every strict prefix of a valid encoding is `truncated`, never a wrong value.
    #[test]
    fn prefixes_are_truncated(v in variant()) {
        let bytes = encode(&v).unwrap();
        for cut in 0..bytes.len() {
            let e = decode(&bytes[..cut]).unwrap_err();
            prop_assert_eq!(e.code, "truncated", "prefix {} of {}: {}", cut, bytes.len(), e);
            prop_assert!(e.offset <= cut);
        }
    }
}

const CODES: &[&str] = &[
    "truncated",
    "unknown_type",
    "invalid_utf8",
    "invalid_length",
    "invalid_data",
    "objects_not_allowed",
    "too_deep",
    "too_large",
];

fn check_hostile(bytes: &[u8]) {
    match decode(bytes) {
        Ok((v, used)) => {
            assert!(used <= bytes.len() && used % 4 == 0);
            // Whatever we accepted, we can write back.
            let again = encode(&v).unwrap();
            let want = if v == Variant::Object(0) {
                Variant::Nil.type_id()
            } else {
                v.type_id()
            };
            assert_eq!(decode(&again).unwrap().0.type_id(), want);
        }
        Err(e) => {
            assert!(CODES.contains(&e.code), "unexpected code {e}");
            assert!(
                e.offset <= bytes.len(),
                "{e} past the end of {} bytes",
                bytes.len()
            );
            assert!(!e.message.is_empty());
        }
    }
}
