//! Facial-expression driver: `express({ "smile": 0.8, "jaw": 0.2, … })` maps high-level inputs
//! to the blend-shape weights of the face mesh, writes them to the node (`blend_shapes/<name>`)
//! and returns them as a Dictionary. Inputs are clamped to [0, 1]; unknown inputs are ignored;
//! `intensity` scales everything. Stateless between calls, so one shared instance serves every
//! face.
#![no_std]

use ugc_guest::{log, script, Borrowed, Dictionary, Error, Object, Result, Variant};

script!(
    r#"{
  "extends": "MeshInstance3D",
  "instancing": "shared",
  "properties": [
    { "name": "intensity", "type": "float", "default": 1.0, "hint": "range", "hint_string": "0,2,0.01" }
  ],
  "methods": [
    { "name": "express", "args": [ { "name": "inputs", "type": "Dictionary" } ], "return": "Dictionary" }
  ]
}"#
);

/// Blend shape ← Σ weight × input. A typical ARKit-style rig: smiling lifts both mouth corners
/// and squints a little; the jaw input opens the mouth; surprise raises brows and opens the jaw.
const SHAPES: &[(&str, &[(&str, f64)])] = &[
    ("mouthSmileLeft", &[("smile", 1.0)]),
    ("mouthSmileRight", &[("smile", 1.0)]),
    ("eyeSquintLeft", &[("smile", 0.3)]),
    ("eyeSquintRight", &[("smile", 0.3)]),
    ("jawOpen", &[("jaw", 1.0), ("surprise", 0.4)]),
    ("browInnerUp", &[("surprise", 1.0), ("sad", 0.6)]),
    ("mouthFrownLeft", &[("sad", 1.0)]),
    ("mouthFrownRight", &[("sad", 1.0)]),
];

const INPUTS: &[&str] = &["smile", "jaw", "surprise", "sad"];

#[no_mangle]
pub extern "C" fn express(args: i32) -> i32 {
    // SAFETY: the host lends `args` (an Array) for this call.
    let args = unsafe { Borrowed::new(args) };
    match run(&args) {
        Ok(weights) => weights.into_variant().into_raw(),
        Err(e) => {
            log!("face_driver.express: {}", e);
            0
        }
    }
}

fn run(args: &Variant) -> Result<Dictionary> {
    let args = ugc_guest::Array::try_from(args.clone())?;
    let inputs = Dictionary::try_from(args.get(0)?)?;
    let node = Object::this()?;
    let intensity = node.get_value::<f64>("intensity")?;

    let mut values = [0.0f64; INPUTS.len()];
    for (value, name) in values.iter_mut().zip(INPUTS) {
        if let Some(v) = inputs.get_str(name)? {
            *value = clamp01(v.to_float().map_err(|_| Error::WrongType)?);
        }
    }
    let input = |name: &str| {
        INPUTS
            .iter()
            .position(|n| *n == name)
            .map_or(0.0, |i| values[i])
    };

    let weights = Dictionary::new()?;
    let mut path = PathBuf::new();
    for (shape, terms) in SHAPES {
        let w = clamp01(terms.iter().map(|(i, k)| k * input(i)).sum::<f64>() * intensity);
        weights.set_str(shape, &w)?;
        node.set_value(path.blend_shape(shape), &w)?;
    }
    Ok(weights)
}

fn clamp01(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, 1.0)
    }
}

/// Builds `blend_shapes/<name>` without an allocator.
struct PathBuf([u8; 64], usize);

impl PathBuf {
    fn new() -> Self {
        PathBuf([0; 64], 0)
    }

    fn blend_shape(&mut self, name: &str) -> &str {
        const PREFIX: &[u8] = b"blend_shapes/";
        let len = (PREFIX.len() + name.len()).min(self.0.len());
        self.0[..PREFIX.len()].copy_from_slice(PREFIX);
        self.0[PREFIX.len()..len].copy_from_slice(&name.as_bytes()[..len - PREFIX.len()]);
        self.1 = len;
        core::str::from_utf8(&self.0[..self.1]).unwrap_or("")
    }
}
