//! Avatar animation driver: a procedural idle bob (up/down) and sway (roll) of the script's node,
//! from time accumulated over `_process` calls. `amplitude` (metres) and `frequency` (Hz) are
//! declared properties the game can tweak live.
#![no_std]

use core::f64::consts::TAU;
use ugc_guest::{log, math, script, Global, Object, Result, Variant, Vector3};

script!(
    r#"{
  "extends": "Node3D",
  "properties": [
    { "name": "amplitude", "type": "float", "default": 0.1, "hint": "range", "hint_string": "0,1,0.01" },
    { "name": "frequency", "type": "float", "default": 1.5, "hint": "range", "hint_string": "0,10,0.1" }
  ]
}"#
);

/// Seconds of animation so far.
static TIME: Global<f64> = Global::new(0.0);
/// The node's position when the script started: the bob is an offset from it.
static BASE: Global<Vector3> = Global::new(Vector3::ZERO);

#[no_mangle]
pub extern "C" fn _ready() {
    let base = Object::this().and_then(|node| node.get("position")?.get::<Vector3>());
    match base {
        Ok(p) => BASE.set(p),
        Err(e) => log!(
            "avatar_bob: cannot read position ({}), bobbing around the origin",
            e
        ),
    }
}

#[no_mangle]
pub extern "C" fn _process(delta: f64) {
    if let Err(e) = animate(delta) {
        log!("avatar_bob: {}", e);
    }
}

fn animate(delta: f64) -> Result<()> {
    let t = TIME.get() + delta;
    TIME.set(t);
    let node = Object::this()?;
    let amplitude = node.get("amplitude")?.to_float()?;
    let frequency = node.get("frequency")?.to_float()?;
    let phase = t * frequency * TAU;

    let base = BASE.get();
    let bob = (math::sin(phase) * amplitude) as f32;
    // Sway at half the bob frequency, a quarter of a radian per metre of amplitude.
    let sway = (math::sin(phase * 0.5) * amplitude * 0.25) as f32;
    node.set(
        "position",
        &Variant::new(Vector3::new(base.x, base.y + bob, base.z))?,
    )?;
    node.set("rotation", &Variant::new(Vector3::new(0.0, 0.0, sway))?)?;
    Ok(())
}
