//! Avatar animation driver: a procedural idle bob (up/down) and sway (roll) of the script's node,
//! from time accumulated over `_process` calls. `amplitude` (metres) and `frequency` (Hz) are
//! declared properties the game can tweak live. Shared instancing: one instance animates every
//! avatar, each with its own time, base position and settings in a [`PerNode`] table.
#![no_std]

use core::f64::consts::TAU;
use ugc_guest::{log, math, script, Initial, Object, PerNode, Result, Vector3};

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
    /// The declared properties, kept here so a frame reads no property through the host (they
    /// change only through `_property_changed`).
    amplitude: f64,
    frequency: f64,
}

impl Initial for Bob {
    const INITIAL: Bob = Bob {
        time: 0.0,
        base: Vector3::ZERO,
        amplitude: 0.1,
        frequency: 1.5,
    };
}

static BOB: PerNode<Bob> = PerNode::new();

#[no_mangle]
pub extern "C" fn _ready() {
    // The slot may have served an avatar that left: start afresh.
    BOB.reset();
    let base = Object::this().and_then(|node| node.get_value::<Vector3>("position"));
    match base {
        Ok(base) => BOB.with(|b| b.base = base),
        Err(e) => log!(
            "avatar_bob: cannot read position ({}), bobbing around the origin",
            e
        ),
    }
    read_settings();
}

/// The game changed `amplitude` or `frequency`: take the new values.
#[no_mangle]
pub extern "C" fn _property_changed(_name: i32) {
    read_settings();
}

fn read_settings() {
    let settings = Object::this().and_then(|node| {
        let amplitude = node.get_value::<f64>("amplitude")?;
        let frequency = node.get_value::<f64>("frequency")?;
        Ok((amplitude, frequency))
    });
    match settings {
        Ok((amplitude, frequency)) => BOB.with(|b| {
            b.amplitude = amplitude;
            b.frequency = frequency;
        }),
        Err(e) => log!("avatar_bob: cannot read amplitude/frequency ({})", e),
    }
}

#[no_mangle]
pub extern "C" fn _process(delta: f64) {
    if let Err(e) = animate(delta) {
        log!("avatar_bob: {}", e);
    }
}

fn animate(delta: f64) -> Result<()> {
    let Bob {
        time,
        base,
        amplitude,
        frequency,
    } = BOB.with(|b| {
        b.time += delta;
        *b
    });
    // Four host calls a frame: `self`, two one-call writes, the release of `self`.
    let node = Object::this()?;
    let phase = time * frequency * TAU;

    let bob = (math::sin(phase) * amplitude) as f32;
    // Sway at half the bob frequency, a quarter of a radian per metre of amplitude.
    let sway = (math::sin(phase * 0.5) * amplitude * 0.25) as f32;
    // One host call each (`object_set_value`): no value handles on the per-frame path.
    node.set("position", &Vector3::new(base.x, base.y + bob, base.z))?;
    node.set("rotation", &Vector3::new(0.0, 0.0, sway))?;
    Ok(())
}
