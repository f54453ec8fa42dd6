//! Procedural mesh generator: `generate()` returns the arrays of a UV sphere for an ArrayMesh,
//! as a Dictionary `{ "vertices": PackedVector3Array, "normals": PackedVector3Array,
//! "uvs": PackedVector2Array, "indices": PackedInt32Array }` (Godot's
//! `Mesh.ARRAY_VERTEX/NORMAL/TEX_UV/INDEX`). `rings`, `segments` and `radius` are properties;
//! the sizes are clamped so the static buffers below always suffice. Shared instancing: the
//! buffers are scratch space for one call, never state kept between calls, so every node can use
//! the same ones.
#![no_std]

use core::cell::UnsafeCell;
use core::f64::consts::PI;
use ugc_guest::{log, math, script, Dictionary, Object, Result, Variant, Vector2, Vector3};

script!(
    r#"{
  "extends": "MeshInstance3D",
  "instancing": "shared",
  "properties": [
    { "name": "rings", "type": "int", "default": 8, "hint": "range", "hint_string": "2,64" },
    { "name": "segments", "type": "int", "default": 16, "hint": "range", "hint_string": "3,128" },
    { "name": "radius", "type": "float", "default": 0.5, "hint": "range", "hint_string": "0.01,10,0.01" }
  ],
  "methods": [ { "name": "generate", "return": "Dictionary" } ]
}"#
);

const MAX_RINGS: usize = 64;
const MAX_SEGMENTS: usize = 128;
const MAX_VERTICES: usize = (MAX_RINGS + 1) * (MAX_SEGMENTS + 1);
const MAX_INDICES: usize = MAX_RINGS * MAX_SEGMENTS * 6;

/// Scratch space for one mesh (no allocator in a no_std guest).
struct Buffers {
    vertices: [Vector3; MAX_VERTICES],
    normals: [Vector3; MAX_VERTICES],
    uvs: [Vector2; MAX_VERTICES],
    indices: [i32; MAX_INDICES],
}

struct Scratch(UnsafeCell<Buffers>);
// SAFETY: a guest is single-threaded, and `generate` is the only user and is not re-entrant.
unsafe impl Sync for Scratch {}

static SCRATCH: Scratch = Scratch(UnsafeCell::new(Buffers {
    vertices: [Vector3::ZERO; MAX_VERTICES],
    normals: [Vector3::ZERO; MAX_VERTICES],
    uvs: [Vector2::new(0.0, 0.0); MAX_VERTICES],
    indices: [0; MAX_INDICES],
}));

#[no_mangle]
pub extern "C" fn generate(_args: i32) -> i32 {
    match run() {
        Ok(d) => d.into_variant().into_raw(),
        Err(e) => {
            log!("sphere_mesh.generate: {}", e);
            0
        }
    }
}

fn run() -> Result<Dictionary> {
    let node = Object::this()?;
    let rings = node.get("rings")?.to_int()?.clamp(2, MAX_RINGS as i64) as usize;
    let segments = node
        .get("segments")?
        .to_int()?
        .clamp(3, MAX_SEGMENTS as i64) as usize;
    let radius = node.get("radius")?.to_float()?;

    // SAFETY: see `Scratch`: no other reference to the buffers exists during this call.
    let b = unsafe { &mut *SCRATCH.0.get() };
    let mut v = 0;
    for ring in 0..=rings {
        let theta = PI * ring as f64 / rings as f64; // 0 at the north pole
        let (sin_t, cos_t) = (math::sin(theta), math::cos(theta));
        for seg in 0..=segments {
            let phi = 2.0 * PI * seg as f64 / segments as f64;
            let n = Vector3::new(
                (sin_t * math::cos(phi)) as f32,
                cos_t as f32,
                (sin_t * math::sin(phi)) as f32,
            );
            b.normals[v] = n;
            b.vertices[v] = Vector3::new(
                n.x * radius as f32,
                n.y * radius as f32,
                n.z * radius as f32,
            );
            b.uvs[v] = Vector2::new(seg as f32 / segments as f32, ring as f32 / rings as f32);
            v += 1;
        }
    }
    let mut i = 0;
    let row = segments + 1;
    for ring in 0..rings {
        for seg in 0..segments {
            let a = (ring * row + seg) as i32;
            let b_ = a + row as i32;
            // Two triangles per quad, clockwise seen from outside (Godot's front faces).
            for idx in [a, a + 1, b_, a + 1, b_ + 1, b_] {
                b.indices[i] = idx;
                i += 1;
            }
        }
    }

    let mesh = Dictionary::new()?;
    mesh.set_str("vertices", &Variant::packed(&b.vertices[..v])?)?;
    mesh.set_str("normals", &Variant::packed(&b.normals[..v])?)?;
    mesh.set_str("uvs", &Variant::packed(&b.uvs[..v])?)?;
    mesh.set_str("indices", &Variant::packed(&b.indices[..i])?)?;
    Ok(mesh)
}
