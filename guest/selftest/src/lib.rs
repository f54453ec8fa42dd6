//! SDK self-test: `run()` walks every wrapper of `ugc-guest` against the host and returns 0, or the
//! number of the first check that failed (after logging it). Run by crate/tests/host_guests.rs.
#![no_std]

use ugc_guest::{
    last_error_message, log, math, script, type_id, Array, Color, Dictionary, Error, Object,
    Transform3D, Variant, Vector2, Vector3,
};

script!(
    r#"{ "extends": "Node3D",
  "properties": [ { "name": "label", "type": "String", "default": "héllo" } ],
  "signals": [ { "name": "done", "args": [ { "name": "checks", "type": "int" } ] } ] }"#
);

macro_rules! check {
    ($n:expr, $cond:expr) => {
        let ok: bool = $cond;
        if !ok {
            log!("check {} failed: {}", $n, stringify!($cond));
            return $n;
        }
    };
}

#[no_mangle]
pub extern "C" fn run() -> i32 {
    // Scalars.
    let i = Variant::int(-7).unwrap();
    check!(1, i.type_id() == type_id::INT && i.to_int() == Ok(-7));
    check!(2, i.to_float() == Ok(-7.0));
    check!(3, Variant::bool(true).unwrap().to_bool() == Ok(true));
    let s = Variant::string("héllo").unwrap();
    check!(4, s.to_int() == Err(Error::WrongType));
    let mut buf = [0u8; 16];
    check!(5, s.read_str(&mut buf) == Ok("héllo"));
    let mut tiny = [0u8; 2];
    check!(6, s.read_str(&mut tiny) == Err(Error::BadValue));

    // Raw value types round-trip.
    let v = Vector3::new(1.0, -2.0, 3.5);
    check!(7, Variant::new(v).unwrap().get::<Vector3>() == Ok(v));
    let c = Color::rgba(0.1, 0.2, 0.3, 0.4);
    check!(8, Variant::new(c).unwrap().get::<Color>() == Ok(c));
    let mut t = Transform3D::IDENTITY;
    t.origin = v;
    check!(9, Variant::new(t).unwrap().get::<Transform3D>() == Ok(t));
    check!(
        10,
        Variant::new(v).unwrap().get::<Color>() == Err(Error::WrongType)
    );

    // Packed arrays.
    let pts = [Vector2::new(1.0, 2.0), Vector2::new(3.0, 4.0)];
    let packed = Variant::packed(&pts).unwrap();
    let mut back = [Vector2::default(); 4];
    check!(
        11,
        packed.read_packed(&mut back) == Ok(2) && back[..2] == pts
    );
    let as_array = Array::try_from(packed.clone()).unwrap();
    check!(12, as_array.len() == Ok(2));
    check!(13, as_array.get(1).unwrap().get::<Vector2>() == Ok(pts[1]));
    check!(14, as_array.get(2).err() == Some(Error::OutOfRange));

    // Arrays share; clones retain.
    let a = Array::of(&[&1i64, &2.5f64, &"x"]).unwrap();
    let alias = a.clone();
    alias.push(&Variant::int(4).unwrap()).unwrap();
    check!(15, a.len() == Ok(4));
    drop(alias);
    check!(16, a.get(0).unwrap().to_int() == Ok(1));

    // Dictionaries.
    let d = Dictionary::new().unwrap();
    d.set_str("a", &1i64).unwrap();
    d.set_str("b", &v).unwrap();
    check!(17, d.len() == Ok(2));
    check!(
        18,
        d.get_str("b").unwrap().unwrap().get::<Vector3>() == Ok(v)
    );
    check!(19, d.get_str("zzz").unwrap().is_none());
    let keys = d.keys().unwrap();
    check!(20, keys.get(0).unwrap().read_str(&mut buf) == Ok("a"));

    // Binary Variant format both ways.
    let mut bytes = [0u8; 64];
    let n = d.as_variant().to_bytes(&mut bytes).unwrap();
    let decoded = Dictionary::try_from(Variant::from_bytes(&bytes[..n]).unwrap()).unwrap();
    check!(21, decoded.len() == Ok(2));
    check!(
        22,
        Variant::from_bytes(&bytes[..n - 1]).err() == Some(Error::BadValue)
    );
    check!(
        23,
        Dictionary::try_from(Variant::int(1).unwrap()).err() == Some(Error::WrongType)
    );

    // Objects, properties, capabilities, signals.
    let me = Object::this().unwrap();
    check!(
        24,
        me.get("label").unwrap().read_str(&mut buf) == Ok("héllo")
    );
    me.set_value("label", &"bye").unwrap();
    check!(25, me.get("label").unwrap().read_str(&mut buf) == Ok("bye"));
    check!(26, me.call("free", None).err() == Some(Error::NotAllowed));
    let mut msg = [0u8; 128];
    check!(27, last_error_message(&mut msg).contains("free"));
    check!(
        28,
        me.set_value("label", &1i64).err() == Some(Error::WrongType)
    );
    check!(29, me.set_value("position", &v).is_ok());
    check!(30, me.get("position").unwrap().get::<Vector3>() == Ok(v));
    check!(
        31,
        ugc_guest::emit_signal("nope", None).err() == Some(Error::NotFound)
    );

    // Math.
    check!(32, (math::sin(1.0) - 0.8414709848078965).abs() < 1e-9);
    check!(33, (math::cos(100.0) - 0.8623188722876839).abs() < 1e-9);
    check!(
        34,
        (math::sqrt(2.0) - core::f64::consts::SQRT_2).abs() < 1e-15
    );
    check!(35, math::floor(-1.5) == -2.0 && math::floor(2.0) == 2.0);

    // One-call typed reads (object_get_value): the values the handle path reads.
    check!(36, me.get_value::<Vector3>("position") == Ok(v));
    check!(
        37,
        me.get_value::<f64>("position") == Err(Error::WrongType)
            && me.get_value::<bool>("script") == Err(Error::NotAllowed)
    );
    me.set("visible", &false).unwrap();
    check!(38, me.get_value::<bool>("visible") == Ok(false));

    let args = Array::of(&[&38i64]).unwrap();
    check!(39, ugc_guest::emit_signal("done", Some(&args)).is_ok());
    0
}
