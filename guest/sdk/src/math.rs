//! The few float functions scripts need, without `std` or `libm` (core's float math is not
//! stable in `no_std`): `sin`/`cos` are a range reduction plus a Taylor polynomial (error below
//! 1e-9 after reduction to [-π/2, π/2]).

use core::f64::consts::PI;

/// Square root: a bit-level first guess (exponent halved), then Newton steps; each step doubles
/// the correct bits, 6 reach full precision.
pub fn sqrt(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 || x.is_infinite() {
        return x;
    }
    let mut r = f64::from_bits((x.to_bits() >> 1) + (1023u64 << 51));
    for _ in 0..6 {
        r = 0.5 * (r + x / r);
    }
    r
}

/// Largest integer not above `x`.
pub fn floor(x: f64) -> f64 {
    // Beyond 2^52 every f64 is an integer already.
    if !x.is_finite() || x.abs() >= 4_503_599_627_370_496.0 {
        return x;
    }
    let t = x as i64 as f64;
    if t > x {
        t - 1.0
    } else {
        t
    }
}

/// Nearest integer (halves round up; the reduction below does not care).
fn nearest(x: f64) -> f64 {
    floor(x + 0.5)
}

/// Sine. Inputs beyond ±1e15 lose all precision (as in any f64 reduction by π).
pub fn sin(x: f64) -> f64 {
    if !x.is_finite() {
        return f64::NAN;
    }
    let k = nearest(x / PI);
    let r = x - k * PI;
    let r2 = r * r;
    // Taylor series of sin up to r^15 in Horner form.
    let mut p = -1.0 / 1_307_674_368_000.0;
    p = p * r2 + 1.0 / 6_227_020_800.0;
    p = p * r2 - 1.0 / 39_916_800.0;
    p = p * r2 + 1.0 / 362_880.0;
    p = p * r2 - 1.0 / 5_040.0;
    p = p * r2 + 1.0 / 120.0;
    p = p * r2 - 1.0 / 6.0;
    let s = r + r * r2 * p;
    // sin(r + kπ) = (-1)^k sin(r)
    if (k as i64) & 1 == 1 {
        -s
    } else {
        s
    }
}

/// Cosine.
pub fn cos(x: f64) -> f64 {
    sin(x + PI / 2.0)
}
