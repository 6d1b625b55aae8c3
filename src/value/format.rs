//! The output format (SPEC section 4, "Output").
//!
//! - integers in decimal;
//! - non-integer rationals as an exact decimal when the expansion terminates
//!   (the denominator is `2^a 5^b`: `0.3`, `-1.25`), else as `p/q`;
//! - floats in shortest round-trip form that always shows a `.` or an
//!   exponent (`1.4142135623730951`, `2.0`, `1e300`, `1e-7`).

use std::fmt;

use dashu::base::{BitTest, UnsignedAbs};
use dashu::integer::UBig;

use super::Value;
use super::decimal::{Decimal, decimal};
use super::int::usize_to_u64;
use super::rat::Rat;

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => fmt::Display::fmt(i, f),
            Value::Rat(r) => fmt::Display::fmt(r, f),
            // Rust's `Debug` for f64 is the shortest representation that
            // round-trips, with `.0` for integral values and an exponent for
            // very large or small magnitudes.
            Value::Float(x) => write!(f, "{x:?}"),
        }
    }
}

impl fmt::Display for Rat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match decimal_places(self.denominator()) {
            Some((a, b)) => write_decimal(self, a, b, f),
            None => write!(
                f,
                "{}/{}",
                Decimal(self.numerator()),
                Decimal(self.denominator())
            ),
        }
    }
}

/// `Some((a, b))` when `q = 2^a 5^b`.
fn decimal_places(q: &UBig) -> Option<(usize, usize)> {
    let a = q.trailing_zeros().unwrap_or(0);
    let odd = q >> a;
    power_of_five(&odd).map(|b| (a, b))
}

/// `Some(b)` when `n = 5^b`.
fn power_of_five(n: &UBig) -> Option<usize> {
    if let Ok(mut small) = u64::try_from(n) {
        let mut b = 0;
        while small > 1 && small % 5 == 0 {
            small /= 5;
            b += 1;
        }
        return (small == 1).then_some(b);
    }
    // Cheap filter: 5^4 divides every power of five this large.
    if n % 625u32 != 0 {
        return None;
    }
    // 5^b has floor(b log2 5) + 1 bits; at most one or two candidates fit.
    let bits = usize_to_u64(n.bit_len());
    let log2_5 = 5f64.log2();
    let guess = ((bits - 1) as f64 / log2_5) as u64;
    for b in guess.saturating_sub(1)..=guess + 1 {
        if (b as f64 * log2_5).floor() as u64 + 1 != bits {
            continue;
        }
        let b = usize::try_from(b).ok()?;
        if UBig::from(5u8).pow(b) == *n {
            return Some(b);
        }
    }
    None
}

/// Writes `r = p / (2^a 5^b)` as an exact decimal with `max(a, b)` places.
fn write_decimal(r: &Rat, a: usize, b: usize, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let places = a.max(b);
    let p = r.numerator().unsigned_abs();
    // |r| * 10^places = |p| * 2^(places - a) * 5^(places - b)
    let scaled = (p << (places - a)) * UBig::from(5u8).pow(places - b);
    let digits = decimal(&scaled);
    let sign = if r.is_negative() { "-" } else { "" };
    if digits.len() > places {
        let (int, frac) = digits.split_at(digits.len() - places);
        write!(f, "{sign}{int}.{frac}")
    } else {
        let zeros = "0".repeat(places - digits.len());
        write!(f, "{sign}0.{zeros}{digits}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::test_support::q;
    use dashu::integer::IBig;
    use dashu::rational::RBig;

    fn s(v: Value) -> String {
        v.to_string()
    }

    #[test]
    fn integers() {
        assert_eq!(s(Value::from_i64(0)), "0");
        assert_eq!(s(Value::from_i64(-42)), "-42");
        assert_eq!(s(Value::from_i64(i64::MIN)), "-9223372036854775808");
        assert_eq!(
            s(Value::from_ibig(IBig::from(10).pow(25))),
            "10000000000000000000000000"
        );
    }

    #[test]
    fn non_terminating_rationals() {
        assert_eq!(s(q(1, 3)), "1/3");
        assert_eq!(s(q(-7, 3)), "-7/3");
        assert_eq!(s(q(1, 6)), "1/6");
        assert_eq!(s(q(22, 7)), "22/7");
        assert_eq!(s(q(1, 15)), "1/15");
        // 3 * 5^30: a large denominator that is not a power of five
        let d = UBig::from(5u8).pow(30) * UBig::from(3u8);
        assert_eq!(
            s(Value::from_rbig(RBig::from_parts(1.into(), d.clone()))),
            format!("1/{d}")
        );
        let d = UBig::from(5u8).pow(40) * UBig::from(2u8).pow(7) + UBig::ONE;
        assert_eq!(
            s(Value::from_rbig(RBig::from_parts(1.into(), d.clone()))),
            format!("1/{d}")
        );
    }

    #[test]
    fn terminating_rationals() {
        assert_eq!(s(q(3, 10)), "0.3");
        assert_eq!(s(q(-5, 4)), "-1.25");
        assert_eq!(s(q(1, 16)), "0.0625");
        assert_eq!(s(q(1, 2)), "0.5");
        assert_eq!(s(q(-1, 2)), "-0.5");
        assert_eq!(s(q(1, 1000)), "0.001");
        assert_eq!(s(q(-1, 1000)), "-0.001");
        assert_eq!(s(q(12345, 100)), "123.45");
        assert_eq!(s(q(1, 5)), "0.2");
        assert_eq!(s(q(1, 125)), "0.008");
        assert_eq!(s(q(7, 40)), "0.175");
        // 3 / 5^60 = 3 * 2^60 / 10^60
        let v = Value::from_rbig(RBig::from_parts(3.into(), UBig::from(5u8).pow(60)));
        let n = (UBig::from(3u8) << 60).to_string();
        assert_eq!(s(v), format!("0.{}{n}", "0".repeat(60 - n.len())));
        let two = UBig::from(2u8).pow(100);
        let v = Value::from_rbig(RBig::from_parts(IBig::from(-1), two));
        let out = s(v);
        assert!(out.starts_with("-0.0000000000000000000000000000007888609052210118"));
        assert_eq!(out.len(), 103);
    }

    #[test]
    fn floats() {
        let f = |x: f64| s(Value::Float(x));
        assert_eq!(f(std::f64::consts::SQRT_2), "1.4142135623730951");
        assert_eq!(f(2.0), "2.0");
        assert_eq!(f(1e300), "1e300");
        assert_eq!(f(-0.5), "-0.5");
        assert_eq!(f(1e-7), "1e-7");
        assert_eq!(f(0.1), "0.1");
        assert_eq!(f(0.0), "0.0");
        assert_eq!(f(-0.0), "-0.0");
        assert_eq!(f(1e16), "1e16");
        assert_eq!(f(1e15), "1000000000000000.0");
        assert_eq!(f(123456.789), "123456.789");
        assert_eq!(f(1.5e-300), "1.5e-300");
        assert_eq!(f(5e-324), "5e-324");
        assert_eq!(f(f64::MAX), "1.7976931348623157e308");
        assert_eq!(f(0.1 + 0.2), "0.30000000000000004");
        for x in [1.0 / 3.0, 2.0f64.sqrt(), 1e-5, 6.02214076e23, -7.25] {
            let out = f(x);
            assert!(out.contains('.') || out.contains('e'), "{out}");
            assert_eq!(out.parse::<f64>(), Ok(x));
        }
    }

    #[test]
    fn powers_of_five() {
        assert_eq!(power_of_five(&UBig::ONE), Some(0));
        assert_eq!(power_of_five(&UBig::from(125u8)), Some(3));
        assert_eq!(power_of_five(&UBig::from(3u8)), None);
        for b in [27usize, 28, 50, 100, 1000, 4321] {
            assert_eq!(power_of_five(&UBig::from(5u8).pow(b)), Some(b), "{b}");
            assert_eq!(
                power_of_five(&(UBig::from(5u8).pow(b) * UBig::from(3u8))),
                None
            );
        }
        assert_eq!(decimal_places(&UBig::from(40u8)), Some((3, 1)));
        assert_eq!(decimal_places(&UBig::from(48u8)), None);
    }

    #[test]
    /// Its speed is measured by `benches/workloads.rs` (printing 456,574
    /// digits), not asserted here.
    fn big_output_has_every_digit() {
        let x = Value::from_ibig(IBig::from(7).pow(100_000)); // 84,510 digits
        let text = s(x);
        assert_eq!(text.len(), 84_510);
        // The ends, as Python prints 7**100000.
        assert!(text.starts_with("636797611356") && text.ends_with("128060000001"));
    }
}
