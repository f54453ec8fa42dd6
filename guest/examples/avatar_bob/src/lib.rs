//! Avatar animation driver: a procedural idle bob (up/down) and sway (roll) of the script's node,
//! from time accumulated over `_process` calls. `amplitude` (metres) and `frequency` (Hz) are
//! declared properties the game can tweak live. Shared instancing: one instance animates every
//! avatar, each with its own time and base position in a [`PerNode`] table.
#![no_std]

use core::f64::consts::TAU;
use ugc_guest::{log, math, script, Object, PerNode, Result, Variant, Vector3};

script!(
    r#"{
  "extends": "Node3D",
  "instancing": "shared",
  "properties": [
    { "name": "amplitude", "type": "float", "default": 0.1, "hint": "range", "hint_string": "0,1,0.01" },
    { "name": "frequency", "type": "float", "default": 1.5, "hint": "range", "hint_string": "0,10,0.1" }
  ]
}"#
);

/// One avatar's animation state.
#[derive(Clone, Copy)]
struct Bob {
    /// Seconds of animation so far.
    time: f64,
    /// The node's position when the script started: the bob is an offset from it.
    base: Vector3,
}

static BOB: PerNode<Bob> = PerNode::new(Bob {
    time: 0.0,
    base: Vector3::ZERO,
});

#[no_mangle]
pub extern "C" fn _ready() {
    // The slot may have served an avatar that left: start afresh.
    BOB.reset();
    let base = Object::this().and_then(|node| node.get("position")?.get::<Vector3>());
    match base {
        Ok(base) => BOB.with(|b| b.base = base),
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
    let Bob { time, base } = BOB.with(|b| {
        b.time += delta;
        *b
    });
    let t = time;
    let node = Object::this()?;
    let amplitude = node.get("amplitude")?.to_float()?;
    let frequency = node.get("frequency")?.to_float()?;
    let phase = t * frequency * TAU;

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
