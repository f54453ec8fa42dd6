//! Floating prop: drifts its node around where it started, on a slow circle (`radius` metres,
//! one turn per `period` seconds), and spins it about Y. Written for many nodes at once: shared
//! instancing, and the node's `position` and `rotation` BOUND to per-node memory (`PerNode::bind`,
//! `object_bind_value` in docs/ABI.md), so a frame makes no host call at all — `_process` only
//! writes memory and the runtime sends whatever changed once per frame.
#![no_std]

use core::f64::consts::TAU;
use ugc_guest::{log, math, script, Initial, Object, PerNode, Result, Vector3};

script!(
    r#"{
  "extends": "Node3D",
  "instancing": "shared",
  "properties": [
    { "name": "radius", "type": "float", "default": 0.5, "hint": "range", "hint_string": "0,5,0.05" },
    { "name": "period", "type": "float", "default": 4.0, "hint": "range", "hint_string": "0.1,60,0.1" }
  ]
}"#
);

/// One prop's drift: its centre (the position it started at), time, and settings.
#[derive(Clone, Copy)]
struct Drift {
    centre: Vector3,
    time: f64,
    radius: f64,
    period: f64,
}

impl Initial for Drift {
    const INITIAL: Drift = Drift {
        centre: Vector3::ZERO,
        time: 0.0,
        radius: 0.5,
        period: 4.0,
    };
}

static DRIFT: PerNode<Drift> = PerNode::new();
/// The node's `position` and `rotation`, bound in `_ready`: writing these IS moving the node.
static POSITION: PerNode<Vector3> = PerNode::new();
static ROTATION: PerNode<Vector3> = PerNode::new();

#[no_mangle]
pub extern "C" fn _ready() {
    DRIFT.reset();
    if let Err(e) = bind() {
        log!("drifter: cannot bind position/rotation ({})", e);
    }
    read_settings();
}

fn bind() -> Result<()> {
    let node = Object::this()?;
    // Binding seeds each cell with the node's current value.
    POSITION.bind(&node, "position")?;
    ROTATION.bind(&node, "rotation")?;
    let centre = POSITION.get();
    DRIFT.with(|d| d.centre = centre);
    Ok(())
}

/// The game changed `radius` or `period`.
#[no_mangle]
pub extern "C" fn _property_changed(_name: i32) {
    read_settings();
}

fn read_settings() {
    let settings = Object::this().and_then(|node| {
        Ok((
            node.get_value::<f64>("radius")?,
            node.get_value::<f64>("period")?,
        ))
    });
    match settings {
        Ok((radius, period)) => DRIFT.with(|d| {
            d.radius = radius;
            d.period = if period > 0.0 { period } else { 4.0 };
        }),
        Err(e) => log!("drifter: cannot read radius/period ({})", e),
    }
}

#[no_mangle]
pub extern "C" fn _process(delta: f64) {
    let d = DRIFT.with(|d| {
        d.time += delta;
        *d
    });
    let angle = d.time / d.period * TAU;
    // Plain memory writes: no host call (the runtime harvests the bound values once per frame).
    POSITION.set(Vector3::new(
        d.centre.x + (math::cos(angle) * d.radius) as f32,
        d.centre.y,
        d.centre.z + (math::sin(angle) * d.radius) as f32,
    ));
    ROTATION.set(Vector3::new(0.0, (angle % TAU) as f32, 0.0));
}

/// Seconds this node has drifted (for tests and the game).
#[no_mangle]
pub extern "C" fn drift_time() -> f64 {
    DRIFT.get().time
}
