//! Golden bytes derived by hand from Godot 4's core/io/marshalls.cpp, for cases the engine fixture
//! does not cover (non-zero object/RID ids, script-typed containers, padding edge cases, our own
//! error paths). Each hex string is commented with how it follows from the source.

use ugc_wasm::variant::{
    decode, decode_exact, encode, encode_into, Array, ContainerType, Dictionary, Variant, Vector3,
    MAX_DEPTH,
};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn golden(v: Variant, want: &str) {
    let want = hex(want);
    assert_eq!(encode(&v).unwrap(), want, "{v:?}");
    assert_eq!(decode(&want).unwrap(), (v, want.len()));
}

#[test]
fn scalars() {
    // FLOAT: 1.5 survives f32, so no FLAG_64; f32 1.5 = 0x3fc00000.
    golden(Variant::Float(1.5), "03000000 0000c03f");
    // INT: i32::MIN fits 32 bits; i32::MIN - 1 sets FLAG_64 (bit 16) and writes 8 bytes.
    golden(Variant::Int(i64::from(i32::MIN)), "02000000 00000080");
    golden(
        Variant::Int(i64::from(i32::MIN) - 1),
        "02000100 ffffff7f ffffffff",
    );
    // BOOL is a u32.
    golden(Variant::Bool(false), "01000000 00000000");
}

#[test]
fn ids() {
    // OBJECT without full_objects: header | HEADER_DATA_FLAG_OBJECT_AS_ID, then the u64 ObjectID.
    golden(Variant::Object(5), "18000100 05000000 00000000");
    // RID: the u64 id, no flag.
    golden(
        Variant::Rid(0x0102_0304_0506_0708),
        "17000000 08070605 04030201",
    );
    // SIGNAL: name as a padded string, then the object id.
    golden(
        Variant::Signal {
            name: "hit".into(),
            object: 9,
        },
        "1a000000 03000000 68697400 09000000 00000000",
    );
    // CALLABLE: no payload at all.
    golden(Variant::Callable, "19000000");
}

#[test]
fn null_object_is_written_as_nil() {
    // encode_variant writes NIL for an object that is not valid.
    assert_eq!(encode(&Variant::Object(0)).unwrap(), hex("00000000"));
    // …but an explicit ObjectID 0 on the wire decodes as a (null) Object.
    assert_eq!(
        decode(&hex("18000100 00000000 00000000")).unwrap().0,
        Variant::Object(0)
    );
}

#[test]
fn containers() {
    // Array[Node] of a script class without full_objects: CONTAINER_TYPE_KIND_CLASS_NAME (0b10 in
    // bits 16-17) and the class name string; a Script kind (0b11) carries a res:// path.
    golden(
        Variant::Array(Box::new(Array {
            element_type: ContainerType::Script("res://a.gd".into()),
            elements: vec![],
        })),
        "1c000300 0a000000 7265733a 2f2f612e 67640000 00000000",
    );
    // Dictionary[int, Variant]: key kind in bits 16-17, value kind (none) in bits 18-19.
    golden(
        Variant::Dictionary(Box::new(Dictionary {
            key_type: ContainerType::Builtin(2),
            value_type: ContainerType::Untyped,
            entries: vec![(Variant::Int(7), Variant::Nil)],
        })),
        "1b000100 02000000 01000000 02000000 07000000 00000000",
    );
    // Dictionary[Variant, Node]: value kind CLASS_NAME (0b10 << 18 = 0x80000).
    golden(
        Variant::Dictionary(Box::new(Dictionary {
            key_type: ContainerType::Untyped,
            value_type: ContainerType::ClassName("Node".into()),
            entries: vec![],
        })),
        "1b000800 04000000 4e6f6465 00000000",
    );
}

#[test]
fn packed_padding() {
    // PackedStringArray writes length + 1 and a NUL, then pads: "ab" -> 3, 'a' 'b' 0, 1 pad byte;
    // "abc" -> 4, no pad.
    golden(
        Variant::PackedStringArray(vec!["ab".into(), "abc".into()]),
        "22000000 02000000 03000000 61620000 04000000 61626300",
    );
    // PackedByteArray pads its bytes to 4.
    golden(
        Variant::PackedByteArray(vec![9]),
        "1d000000 01000000 09000000",
    );
    golden(
        Variant::PackedVector3Array(vec![Vector3 {
            x: 1.0,
            y: 0.0,
            z: -1.0,
        }]),
        "24000000 01000000 0000803f 00000000 000080bf",
    );
}

#[test]
fn encode_into_pads_relative_to_the_value_start() {
    let mut out = vec![0xAA];
    encode_into(&Variant::from("a"), &mut out).unwrap();
    assert_eq!(out, hex("aa 04000000 01000000 61000000"));
}

#[test]
fn encode_errors_are_typed() {
    let bad = Variant::Array(Box::new(Array {
        element_type: ContainerType::Builtin(39),
        elements: vec![],
    }));
    let e = encode(&bad).unwrap_err();
    assert_eq!((e.code, e.offset), ("invalid_data", 4));

    let mut deep = Variant::Nil;
    for _ in 0..=MAX_DEPTH {
        deep = Variant::array(vec![deep]);
    }
    // MAX_DEPTH + 1 arrays around a Nil: the Nil sits at depth MAX_DEPTH + 1.
    let e = encode(&deep).unwrap_err();
    assert_eq!(e.code, "too_deep");
    assert!(e.to_string().starts_with("too_deep"));
    // serde shape shared with the rest of the crate's errors.
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["code"], "too_deep");
    assert!(json["offset"].is_u64() && json["message"].is_string());
    drop_deep(deep);
}

#[test]
fn nesting_limit_matches_godot() {
    // MAX_DEPTH arrays around a Nil: the deepest value is at depth MAX_DEPTH, which Godot accepts.
    let ok = nested_bytes(MAX_DEPTH);
    let v = decode_exact(&ok).unwrap();
    assert_eq!(encode(&v).unwrap(), ok);
    drop_deep(v);
    let e = decode(&nested_bytes(MAX_DEPTH + 1)).unwrap_err();
    assert_eq!((e.code, e.offset), ("too_deep", 8 * (MAX_DEPTH + 1)));
    // Dictionaries count the same way (key and value are both one level down).
    let mut b = Vec::new();
    for _ in 0..=MAX_DEPTH {
        b.extend_from_slice(&hex("1b000000 01000000 00000000"));
    }
    b.extend_from_slice(&hex("00000000"));
    assert_eq!(decode(&b).unwrap_err().code, "too_deep");
}

/// Encode and decode walk nesting with explicit stacks: the deepest legal value needs no more
/// native stack than a flat one, even in debug builds (a wasm32 stack is 1 MiB by default).
#[test]
fn max_depth_fits_a_small_stack() {
    let bytes = nested_bytes(MAX_DEPTH);
    std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || {
            let v = decode(&bytes).unwrap().0;
            assert_eq!(encode(&v).unwrap(), bytes);
            drop_deep(v);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn huge_declared_counts_are_refused_before_allocating() {
    // 2^31 - 1 elements declared, none present: refused from the byte count, not by running out of
    // memory or looping.
    for h in [
        "1c000000 ffffff7f",                   // Array
        "1b000000 ffffff7f",                   // Dictionary
        "22000000 ffffff7f",                   // PackedStringArray
        "1e000000 ffffff7f",                   // PackedInt32Array
        "26000100 ffffff7f",                   // PackedVector4Array, doubles
        "16000000 ffffffff ffffffff 02000000", // NodePath, u32::MAX subnames + 1
    ] {
        let e = decode(&hex(h)).unwrap_err();
        assert_eq!(e.code, "truncated", "{h}: {e}");
    }
    let e = decode(&hex("1d000000 ffffffff")).unwrap_err();
    assert_eq!(e.code, "invalid_length");
}

#[test]
fn decode_exact_refuses_trailing_bytes() {
    let e = decode_exact(&hex("00000000 00000000")).unwrap_err();
    assert_eq!((e.code, e.offset), ("trailing_bytes", 4));
}

fn nested_bytes(levels: usize) -> Vec<u8> {
    let mut b = Vec::new();
    for _ in 0..levels {
        b.extend_from_slice(&hex("1c000000 01000000"));
    }
    b.extend_from_slice(&hex("00000000"));
    b
}

/// Take a deep nest apart iteratively, so the test does not depend on the drop glue's stack use.
fn drop_deep(mut v: Variant) {
    while let Variant::Array(mut a) = v {
        v = a.elements.pop().unwrap_or(Variant::Nil);
    }
}
