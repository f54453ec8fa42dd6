//! A "facial expression" service for the Godot demo (WasiService): reads tracked
//! feature values on stdin, one frame per line (`smile=0.8 blink=0.1 jaw=0.3
//! brow=0.2`), and writes the avatar's blend-shape weights on stdout, one line
//! per frame (`weights mouth_smile=0.800 …`), flushed at once.
//!
//! The mapping is small but real: values are clamped to [0, 1], smoothed over
//! frames (`--smoothing S`, 0 = none), and combined (a smile narrows the eyes
//! and lifts the cheeks; the jaw opens less while blinking hard).
//!
//! Control lines: `reset` (forget the smoothing state), `exit N` (exit with code
//! N), `trap` (abort: the host reports a trap). A malformed line is reported on
//! stderr and skipped. EOF ends the service with code 0.

use std::io::{BufRead, Write};

const FEATURES: [&str; 4] = ["smile", "blink", "jaw", "brow"];

fn parse_frame(line: &str) -> Result<[Option<f32>; 4], String> {
    let mut values = [None; 4];
    for pair in line.split_whitespace() {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("expected key=value, got {pair:?}"))?;
        let index = FEATURES
            .iter()
            .position(|f| *f == key)
            .ok_or_else(|| format!("unknown feature {key:?}"))?;
        let value: f32 = value
            .parse()
            .map_err(|_| format!("{key}: not a number: {value:?}"))?;
        if !value.is_finite() {
            return Err(format!("{key}: not finite"));
        }
        values[index] = Some(value.clamp(0.0, 1.0));
    }
    Ok(values)
}

struct Face {
    smoothing: f32,
    state: Option<[f32; 4]>,
}

impl Face {
    fn update(&mut self, input: [Option<f32>; 4]) -> [f32; 4] {
        let previous = self.state.unwrap_or([0.0; 4]);
        let mut next = previous;
        for (i, value) in input.iter().enumerate() {
            if let Some(v) = value {
                next[i] = if self.state.is_some() {
                    previous[i] * self.smoothing + v * (1.0 - self.smoothing)
                } else {
                    *v
                };
            }
        }
        self.state = Some(next);
        next
    }
}

fn weights([smile, blink, jaw, brow]: [f32; 4]) -> String {
    let eye = (blink + 0.25 * smile).min(1.0);
    let jaw_open = jaw * (1.0 - 0.5 * blink);
    let cheek = 0.6 * smile;
    format!(
        "weights mouth_smile={smile:.3} eye_blink_l={eye:.3} eye_blink_r={eye:.3} \
         jaw_open={jaw_open:.3} brow_up={brow:.3} cheek_raise={cheek:.3}"
    )
}

fn main() {
    let mut smoothing = 0.0f32;
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--smoothing") {
        smoothing = args
            .get(i + 1)
            .and_then(|s| s.parse::<f32>().ok())
            .filter(|s| (0.0..1.0).contains(s))
            .unwrap_or_else(|| {
                eprintln!("--smoothing needs a number in [0, 1)");
                std::process::exit(2);
            });
    }
    let mut face = Face {
        smoothing,
        state: None,
    };
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    eprintln!("face_service ready (smoothing {smoothing})");
    let mut frames = 0u64;
    for (number, line) in stdin.lock().lines().enumerate() {
        let Ok(line) = line else {
            eprintln!("error: line {}: not utf-8", number + 1);
            continue;
        };
        let line = line.trim();
        match line.split_once(' ').unwrap_or((line, "")) {
            ("", _) => continue,
            ("reset", _) => face.state = None,
            ("trap", _) => std::process::abort(),
            ("exit", code) => {
                eprintln!("face_service: {frames} frames");
                std::process::exit(code.trim().parse().unwrap_or(1));
            }
            _ => match parse_frame(line) {
                Ok(values) => {
                    frames += 1;
                    writeln!(out, "{}", weights(face.update(values))).unwrap();
                    out.flush().unwrap();
                }
                Err(message) => eprintln!("error: line {}: {message}", number + 1),
            },
        }
    }
    eprintln!("face_service: {frames} frames");
}
