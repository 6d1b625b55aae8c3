//! Size estimates for exact results and the bit-limit checks built on them.
//!
//! Operations that can make numbers much larger than their inputs estimate
//! `log2` of the result in `f64` first (so nothing overflows) and refuse when
//! even a pessimistic lower bound exceeds the limit; after computing, the true
//! size is checked again. So a result is refused exactly when its numerator
//! or denominator has more than `max_bits` bits, and nothing much larger than
//! the limit is ever computed.

use std::f64::consts::{LN_2, PI};

use super::{Fault, Limits, Value};

/// Values with at most this many bits are shown in full in error messages.
const DESCRIBE_MAX_BITS: u64 = 200;

/// A short description of a value for error messages: the value itself when
/// it is small, its size otherwise.
pub(crate) fn describe(v: &Value) -> String {
    if v.bits() <= DESCRIBE_MAX_BITS {
        v.to_string()
    } else {
        format!("a {}-bit {}", v.bits(), v.kind_name())
    }
}

/// Formats a (possibly astronomically large) bit count.
fn fmt_bits(bits: f64) -> String {
    if !bits.is_finite() {
        "more than 10^308".to_string()
    } else if bits < 1e15 {
        format!("about {:.0}", bits.max(0.0))
    } else {
        format!("about {bits:.3e}")
    }
}

/// Refuses a result estimated to need `est_bits` bits (in its numerator or
/// denominator) when even a lower bound of the estimate exceeds the limit.
/// The estimate must be accurate to within a bit plus a relative 1e-9.
pub(crate) fn check_estimate(
    est_bits: f64,
    limits: &Limits,
    what: impl FnOnce() -> String,
) -> Result<(), Fault> {
    let lower = est_bits * (1.0 - 1e-9) - 2.0;
    // NaN never refuses here; the caller's exact check still applies.
    if lower > limits.max_bits as f64 {
        Err(too_large(&what(), &fmt_bits(est_bits), limits))
    } else {
        Ok(())
    }
}

/// Checks the true size of a computed exact result.
pub(crate) fn check_value(
    v: Value,
    limits: &Limits,
    what: impl FnOnce() -> String,
) -> Result<Value, Fault> {
    let bits = match &v {
        Value::Int(i) => i.bit_len(),
        Value::Rat(r) => {
            let (n, d) = r.part_bits();
            n.max(d)
        }
        Value::Float(_) => return Ok(v),
    };
    if bits > limits.max_bits {
        Err(too_large(&what(), &format!("about {bits}"), limits))
    } else {
        Ok(v)
    }
}

fn too_large(what: &str, bits: &str, limits: &Limits) -> Fault {
    Fault::TooLarge(format!(
        "{what} needs {bits} bits, limit is {}",
        limits.max_bits
    ))
}

/// `log2(n!)`, by Stirling's series (accurate to far better than a bit).
pub(crate) fn log2_factorial(n: u64) -> f64 {
    if n < 2 {
        return 0.0;
    }
    let x = n as f64;
    let ln =
        x * x.ln() - x + 0.5 * (2.0 * PI * x).ln() + 1.0 / (12.0 * x) - 1.0 / (360.0 * x * x * x);
    ln / LN_2
}

/// `log2(binom(n, k))` for `k <= n`, computed without cancellation.
pub(crate) fn log2_binom(n: u64, k: u64) -> f64 {
    let k = k.min(n - k);
    if k == 0 {
        return 0.0;
    }
    let (nf, kf, mf) = (n as f64, k as f64, (n - k) as f64);
    // Stirling for n!/(k! m!), m = n - k, rearranged into positive terms.
    let ln = kf * (nf / kf).ln() - mf * (-kf / nf).ln_1p()
        + 0.5 * (nf / (2.0 * PI * kf * mf)).ln()
        + 1.0 / (12.0 * nf)
        - 1.0 / (12.0 * kf)
        - 1.0 / (12.0 * mf);
    ln / LN_2
}

/// `log2(fib(n))`: `n log2(phi) - log2(sqrt 5)`.
pub(crate) fn log2_fib(n: u64) -> f64 {
    if n < 3 {
        return 0.0;
    }
    let phi = (1.0 + 5f64.sqrt()) / 2.0;
    n as f64 * phi.log2() - 5f64.sqrt().log2()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dashu::integer::IBig;

    fn lim(max_bits: u64) -> Limits {
        Limits { max_bits }
    }

    #[test]
    fn describe_small_and_large() {
        assert_eq!(describe(&Value::from_i64(-12)), "-12");
        assert_eq!(
            describe(&Value::from_ibig(IBig::from(2).pow(1000))),
            "a 1001-bit integer"
        );
    }

    #[test]
    fn estimates_refuse_only_when_clearly_over() {
        assert!(check_estimate(100.0, &lim(100), || "x".into()).is_ok());
        assert!(check_estimate(101.5, &lim(100), || "x".into()).is_ok());
        assert_eq!(
            check_estimate(1e8, &lim(1 << 24), || "2^100000000".into()),
            Err(Fault::TooLarge(
                "2^100000000 needs about 100000000 bits, limit is 16777216".into()
            ))
        );
        let e = check_estimate(1e30, &lim(10), || "x".into()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "result too large: x needs about 1.000e30 bits, limit is 10"
        );
        let e = check_estimate(f64::INFINITY, &lim(10), || "x".into()).unwrap_err();
        assert!(e.to_string().contains("more than 10^308"));
        assert!(check_estimate(f64::NAN, &lim(10), || "x".into()).is_ok());
    }

    #[test]
    fn value_check() {
        let v = Value::from_ibig(IBig::from(2).pow(100)); // 101 bits
        assert!(check_value(v.clone(), &lim(101), || "x".into()).is_ok());
        assert_eq!(
            check_value(v, &lim(100), || "2^100".into()),
            Err(Fault::TooLarge(
                "2^100 needs about 101 bits, limit is 100".into()
            ))
        );
        assert!(check_value(Value::Float(1e300), &lim(1), || "x".into()).is_ok());
    }

    fn exact_log2_fact(n: u64) -> f64 {
        (1..=n).map(|i| (i as f64).log2()).sum()
    }

    #[test]
    fn factorial_estimate_is_accurate() {
        for n in [0u64, 1, 2, 3, 5, 10, 100, 1000, 100_000] {
            let e = log2_factorial(n);
            let exact = exact_log2_fact(n);
            assert!(
                (e - exact).abs() < 1e-3 + exact * 1e-12,
                "{n}: {e} vs {exact}"
            );
        }
        assert!(log2_factorial(u64::MAX).is_finite());
    }

    #[test]
    fn binom_estimate_is_accurate() {
        for (n, k) in [
            (2u64, 1u64),
            (10, 3),
            (100, 50),
            (1000, 1),
            (1000, 999),
            (5000, 2500),
            (7, 0),
            (7, 7),
        ] {
            let exact = exact_log2_fact(n) - exact_log2_fact(k) - exact_log2_fact(n - k);
            let e = log2_binom(n, k);
            assert!((e - exact).abs() < 0.01, "{n},{k}: {e} vs {exact}");
        }
        assert!(log2_binom(u64::MAX, u64::MAX / 2).is_finite());
        assert!((log2_binom(u64::MAX, 1) - 64.0).abs() < 0.01);
    }

    #[test]
    fn fib_estimate_is_accurate() {
        let (mut a, mut b) = (0f64, 1f64);
        for n in 0..1000u64 {
            if n >= 1 {
                assert!((log2_fib(n) - a.log2()).abs() < 0.5, "{n}");
            }
            (a, b) = (b, a + b);
        }
        assert!(log2_fib(u64::MAX).is_finite());
    }
}
