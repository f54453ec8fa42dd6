//! Variant codec throughput, with serde_json on the same logical data as the in-run baseline.
//!
//! `cargo bench -p ugc-wasm --bench variant` prints, per workload, MB/s of our encode/decode over the
//! Godot bytes, serde_json's MB/s over its JSON text (to/from `serde_json::Value`, the dynamic
//! equivalent of a Variant tree), and the time ratio for the same structure (>1: we are faster).
//! `UGC_BENCH_JSON=path` also writes the figures as JSON (for `npm run bench`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use ugc_wasm::variant::{decode, encode, Variant, Vector3};

/// 10k elements cycling int, float, string, Vector3.
fn mixed_array() -> (Variant, Value) {
    let mut vs = Vec::new();
    let mut js = Vec::new();
    for i in 0..10_000i64 {
        let f = i as f64 * 0.37;
        let (v, j) = match i % 4 {
            0 => (Variant::Int(i * 7919), json!(i * 7919)),
            1 => (Variant::Float(f), json!(f)),
            2 => (
                Variant::String(format!("item-{i}")),
                json!(format!("item-{i}")),
            ),
            _ => {
                let (x, y, z) = (i as f32, f as f32, -(i as f32) / 3.0);
                (Variant::Vector3(Vector3 { x, y, z }), json!([x, y, z]))
            }
        };
        vs.push(v);
        js.push(j);
    }
    (Variant::array(vs), Value::Array(js))
}

/// 500 entities, each a dictionary nesting a dictionary and an array, under one dictionary.
fn nested_dictionary() -> (Variant, Value) {
    let mut entries = Vec::new();
    let mut map = serde_json::Map::new();
    for i in 0..500i64 {
        let name = format!("entity-{i}");
        let pos = Vector3 {
            x: i as f32,
            y: 1.5,
            z: -(i as f32),
        };
        let v = Variant::dictionary(vec![
            ("name".into(), Variant::String(name.clone())),
            ("position".into(), Variant::Vector3(pos)),
            (
                "stats".into(),
                Variant::dictionary(vec![
                    ("hp".into(), Variant::Int(100 + i)),
                    ("speed".into(), Variant::Float(2.25 + i as f64 * 0.01)),
                    ("alive".into(), Variant::Bool(i % 3 != 0)),
                ]),
            ),
            (
                "tags".into(),
                Variant::array(vec!["npc".into(), format!("zone-{}", i % 10).into()]),
            ),
        ]);
        let j = json!({
            "name": name,
            "position": [pos.x, pos.y, pos.z],
            "stats": { "hp": 100 + i, "speed": 2.25 + i as f64 * 0.01, "alive": i % 3 != 0 },
            "tags": ["npc", format!("zone-{}", i % 10)],
        });
        entries.push((Variant::String(format!("id{i}")), v));
        map.insert(format!("id{i}"), j);
    }
    (Variant::dictionary(entries), Value::Object(map))
}

/// Mean time of one call of `f` over a batch of at least 25 ms.
fn batch(f: &mut impl FnMut()) -> Duration {
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < Duration::from_millis(25) {
        f();
        n += 1;
    }
    start.elapsed() / n
}

/// Best batch mean of `ours` and of `baseline`, measured alternately so that load from other
/// processes (this machine is shared) hits both sides alike; the minimum filters out the batches
/// that were interrupted.
fn compare(mut ours: impl FnMut(), mut baseline: impl FnMut()) -> (Duration, Duration) {
    ours();
    baseline();
    let (mut a, mut b) = (Duration::MAX, Duration::MAX);
    for _ in 0..12 {
        a = a.min(batch(&mut ours));
        b = b.min(batch(&mut baseline));
    }
    (a, b)
}

fn mbps(bytes: usize, t: Duration) -> f64 {
    bytes as f64 / t.as_secs_f64() / 1e6
}

/// Prints one workload's figures and returns them as JSON.
fn run(name: &str, (v, j): (Variant, Value)) -> Value {
    let bytes = encode(&v).expect("benchmark value encodes");
    let text = serde_json::to_vec(&j).expect("benchmark value serializes");
    assert_eq!(decode(&bytes).expect("decodes").0, v);

    let (enc, jenc) = compare(
        || drop(black_box(encode(black_box(&v)))),
        || drop(black_box(serde_json::to_vec(black_box(&j)))),
    );
    let (dec, jdec) = compare(
        || drop(black_box(decode(black_box(&bytes)))),
        || drop(black_box(serde_json::from_slice::<Value>(black_box(&text)))),
    );

    println!(
        "{name}: Variant {} bytes, JSON {} bytes",
        bytes.len(),
        text.len()
    );
    println!(
        "  encode  variant {:>8.1} MB/s ({:>9.1?})   serde_json {:>8.1} MB/s ({:>9.1?})   ratio {:.2}x",
        mbps(bytes.len(), enc),
        enc,
        mbps(text.len(), jenc),
        jenc,
        jenc.as_secs_f64() / enc.as_secs_f64()
    );
    println!(
        "  decode  variant {:>8.1} MB/s ({:>9.1?})   serde_json {:>8.1} MB/s ({:>9.1?})   ratio {:.2}x",
        mbps(bytes.len(), dec),
        dec,
        mbps(text.len(), jdec),
        jdec,
        jdec.as_secs_f64() / dec.as_secs_f64()
    );
    let ns = |d: Duration| d.as_nanos() as f64;
    json!({
        "name": name,
        "variant_bytes": bytes.len(),
        "json_bytes": text.len(),
        "encode_ns": ns(enc),
        "serde_json_encode_ns": ns(jenc),
        "decode_ns": ns(dec),
        "serde_json_decode_ns": ns(jdec),
    })
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not: then only check that the
    // workloads round-trip, quickly.
    if !std::env::args().any(|a| a == "--bench") {
        run_smoke();
        return;
    }
    let workloads = vec![
        run("mixed array (10k: int/float/String/Vector3)", mixed_array()),
        run("nested dictionary (500 entities)", nested_dictionary()),
    ];
    if let Ok(path) = std::env::var("UGC_BENCH_JSON") {
        let out = json!({ "bench": "variant", "workloads": workloads });
        std::fs::write(&path, format!("{out:#}\n")).expect("write UGC_BENCH_JSON");
    }
}

fn run_smoke() {
    for (v, _) in [mixed_array(), nested_dictionary()] {
        let bytes = encode(&v).expect("encodes");
        assert_eq!(decode(&bytes).expect("decodes").0, v);
    }
}
