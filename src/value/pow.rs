//! Exponentiation: exact for an exact base and an integer exponent, a float
//! otherwise.

use dashu::base::Signed;
use dashu::rational::RBig;

use super::convert::{float_result, value_to_f64};
use super::estimate::{check_estimate, check_value, describe};
use super::int::Int;
use super::{Fault, Limits, Value};

/// `a ^ b`.
pub(crate) fn power(a: &Value, b: &Value, limits: &Limits) -> Result<Value, Fault> {
    let what = || format!("{}^{}", operand(a), operand(b));
    if let Value::Int(n) = b
        && a.is_exact()
    {
        return exact_power(a, n, limits, what);
    }
    if a.is_zero() && is_negative(b) {
        return Err(Fault::DivisionByZero);
    }
    if is_negative(a) && !is_integral(b) {
        return Err(Fault::Domain(format!(
            "{} has a negative base and a non-integer exponent",
            what()
        )));
    }
    let (x, y) = (value_to_f64(a)?, value_to_f64(b)?);
    float_result(float_pow(x, y), what).map(Value::Float)
}

/// `x ^ y` on floats: `x * x` for the exponent 2 (correctly rounded, as
/// numpy's `x**2` is), the platform's `pow` otherwise. Every path that
/// computes a float power (the value layer, a formula's fast paths and
/// its column kernels) calls this one function, so they agree bit for bit.
#[inline]
pub(crate) fn float_pow(x: f64, y: f64) -> f64 {
    if y == 2.0 { x * x } else { x.powf(y) }
}

/// `a ^ n` for an exact `a` and an integer `n`; the result is exact.
fn exact_power(
    a: &Value,
    n: &Int,
    limits: &Limits,
    what: impl Fn() -> String,
) -> Result<Value, Fault> {
    // Bases whose powers do not grow are answered without computing.
    if n.is_zero() {
        return Ok(Value::from_i64(1)); // including 0^0
    }
    if let Value::Int(i) = a {
        match i.to_i64() {
            Some(0) if n.is_negative() => return Err(Fault::DivisionByZero),
            Some(0) | Some(1) => return Ok(a.clone()),
            Some(-1) => return Ok(Value::from_i64(if n.is_even() { 1 } else { -1 })),
            _ => {}
        }
    }
    // |a| != 0, 1, so the larger part has at least one bit of log2.
    let log2_part = match a {
        Value::Int(i) => i.log2_abs(),
        Value::Rat(r) => {
            let num = Int::from(r.numerator().clone()).log2_abs();
            let den = Int::from(r.denominator().clone()).log2_abs();
            num.max(den)
        }
        Value::Float(_) => return Err(Fault::Domain("unexpected float".into())),
    };
    let est = n.abs().to_f64_lossy() * log2_part;
    check_estimate(est, limits, &what)?;
    let Some(e) = n.abs().to_u64().and_then(|e| isize::try_from(e).ok()) else {
        return Err(Fault::TooLarge(format!(
            "{} has too large an exponent",
            what()
        )));
    };
    let v = match a {
        Value::Int(i) if !n.is_negative() => Value::Int(i.pow(e.unsigned_abs())),
        _ => {
            let q = a.to_rbig().unwrap_or(RBig::ONE);
            let signed = if n.is_negative() { -e } else { e };
            Value::from_rbig(q.pow(signed))
        }
    };
    check_value(v, limits, what)
}

/// An operand in a `a^b` description, parenthesised unless it is a plain
/// non-negative number.
fn operand(v: &Value) -> String {
    let s = describe(v);
    if s.bytes()
        .all(|c| c.is_ascii_digit() || c == b'.' || c == b'e')
    {
        s
    } else {
        format!("({s})")
    }
}

fn is_negative(v: &Value) -> bool {
    match v {
        Value::Int(i) => i.is_negative(),
        Value::Rat(r) => r.as_rbig().is_negative(),
        Value::Float(x) => *x < 0.0,
    }
}

fn is_integral(v: &Value) -> bool {
    match v {
        Value::Int(_) => true,
        Value::Rat(_) => false,
        Value::Float(x) => x.fract() == 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::test_support::{f, i, lim, q, without_hanging};
    use crate::value::{BinOp, binary};
    use dashu::integer::IBig;

    fn p(a: Value, b: Value) -> Result<Value, Fault> {
        binary(BinOp::Pow, &a, &b, &lim())
    }
    fn big(n: IBig) -> Value {
        Value::from_ibig(n)
    }

    #[test]
    fn exact_powers() {
        assert_eq!(p(i(2), i(10)), Ok(i(1024)));
        assert_eq!(p(i(-2), i(3)), Ok(i(-8)));
        assert_eq!(p(i(2), i(-1)), Ok(q(1, 2)));
        assert_eq!(p(i(-2), i(-3)), Ok(q(-1, 8)));
        assert_eq!(p(q(2, 3), i(2)), Ok(q(4, 9)));
        assert_eq!(p(q(-2, 3), i(-3)), Ok(q(-27, 8)));
        assert_eq!(p(q(1, 2), i(-2)), Ok(i(4)));
        assert_eq!(
            p(i(2), i(100)).unwrap().to_string(),
            "1267650600228229401496703205376"
        );
        assert_eq!(p(i(10), i(-2)), Ok(q(1, 100)));
        assert_eq!(p(i(7), i(1)), Ok(i(7)));
    }

    #[test]
    fn zero_and_one() {
        assert_eq!(p(i(0), i(0)), Ok(i(1)));
        assert_eq!(p(i(0), i(5)), Ok(i(0)));
        assert_eq!(p(i(0), i(-1)), Err(Fault::DivisionByZero));
        assert_eq!(p(f(0.0), f(-1.0)), Err(Fault::DivisionByZero));
        assert_eq!(p(f(0.0), i(-2)), Err(Fault::DivisionByZero));
        assert_eq!(p(i(0), q(-1, 2)), Err(Fault::DivisionByZero));
        assert_eq!(p(f(0.0), f(0.0)), Ok(f(1.0)));
        assert_eq!(p(q(3, 7), i(0)), Ok(i(1)));
        assert_eq!(p(f(2.5), i(0)), Ok(f(1.0)));
    }

    #[test]
    fn trivial_bases_with_huge_exponents_are_instant() {
        let huge = big(IBig::from(10).pow(30));
        let odd_huge = big(IBig::from(10).pow(30) + 1);
        let neg_huge = big(-IBig::from(10).pow(30));
        without_hanging(move || {
            assert_eq!(p(i(0), huge.clone()), Ok(i(0)));
            assert_eq!(p(i(1), huge.clone()), Ok(i(1)));
            assert_eq!(p(i(1), neg_huge.clone()), Ok(i(1)));
            assert_eq!(p(i(-1), huge.clone()), Ok(i(1)));
            assert_eq!(p(i(-1), odd_huge.clone()), Ok(i(-1)));
            assert_eq!(p(i(-1), neg_huge.clone()), Ok(i(1)));
            assert_eq!(p(i(0), neg_huge), Err(Fault::DivisionByZero));
            assert!(matches!(p(i(2), huge.clone()), Err(Fault::TooLarge(_))));
            assert!(matches!(p(q(1, 2), huge.clone()), Err(Fault::TooLarge(_))));
            assert!(matches!(p(q(-1, 2), odd_huge), Err(Fault::TooLarge(_))));
        });
    }

    #[test]
    fn too_large_refused_instantly() {
        without_hanging(|| {
            // 2^2^2^2^2^2 = 2^(2^65536)
            let tower = p(i(2), i(65536)).unwrap();
            assert!(matches!(p(i(2), tower), Err(Fault::TooLarge(_))));
            let e = p(i(10), i(100_000_000)).unwrap_err();
            assert_eq!(
                e,
                Fault::TooLarge(
                    "10^100000000 needs about 332192809 bits, limit is 16777216".into()
                )
            );
            assert_eq!(
                p(i(2), i(100_000_000)).unwrap_err().to_string(),
                "result too large: 2^100000000 needs about 100000000 bits, limit is 16777216"
            );
            assert!(matches!(p(i(3), i(-100_000_000)), Err(Fault::TooLarge(_))));
            assert!(matches!(
                p(q(3, 2), i(100_000_000)),
                Err(Fault::TooLarge(_))
            ));
            assert!(matches!(p(i(-2), i(i64::MAX)), Err(Fault::TooLarge(_))));
        });
    }

    #[test]
    fn limit_is_exact_for_powers() {
        let l = Limits { max_bits: 64 };
        let pw = |a: i64, b: i64| binary(BinOp::Pow, &i(a), &i(b), &l);
        assert!(pw(2, 63).is_ok()); // 64 bits
        assert!(matches!(pw(2, 64), Err(Fault::TooLarge(_)))); // 65 bits
        assert!(pw(3, 40).is_ok()); // 64 bits
        assert!(matches!(pw(3, 41), Err(Fault::TooLarge(_)))); // 65 bits
        assert!(pw(2, -63).is_ok());
        assert!(matches!(pw(2, -64), Err(Fault::TooLarge(_))));
        // default limit: 2^(2^24 - 1) has exactly 2^24 bits
        assert!(p(i(2), i((1 << 24) - 1)).is_ok());
        assert!(matches!(p(i(2), i(1 << 24)), Err(Fault::TooLarge(_))));
    }

    #[test]
    fn float_powers() {
        assert_eq!(p(i(2), q(1, 2)), Ok(f(std::f64::consts::SQRT_2)));
        assert_eq!(p(i(4), f(0.5)), Ok(f(2.0)));
        assert_eq!(p(f(2.0), i(3)), Ok(f(8.0)));
        assert_eq!(p(f(-2.0), i(3)), Ok(f(-8.0)));
        assert_eq!(p(f(-2.0), f(2.0)), Ok(f(4.0)));
        assert_eq!(p(f(2.0), i(-1)), Ok(f(0.5)));
        assert_eq!(p(f(0.5), big(IBig::from(10).pow(30))), Ok(f(0.0)));
        assert_eq!(p(i(0), q(1, 2)), Ok(f(0.0)));
    }

    #[test]
    fn negative_base_non_integer_exponent() {
        let e = p(i(-8), q(1, 3)).unwrap_err();
        assert_eq!(
            e,
            Fault::Domain("(-8)^(1/3) has a negative base and a non-integer exponent".into())
        );
        assert!(matches!(p(f(-2.0), f(0.5)), Err(Fault::Domain(_))));
        assert!(matches!(p(q(-1, 2), f(1.5)), Err(Fault::Domain(_))));
    }

    #[test]
    fn float_overflow() {
        assert!(matches!(p(f(10.0), i(400)), Err(Fault::TooLarge(_))));
        assert!(matches!(
            p(f(1.5), big(IBig::from(10).pow(30))),
            Err(Fault::TooLarge(_))
        ));
        assert!(matches!(
            p(f(2.0), big(IBig::from(10).pow(400))),
            Err(Fault::TooLarge(_))
        ));
        assert!(matches!(
            p(big(IBig::from(10).pow(400)), f(0.5)),
            Err(Fault::TooLarge(_))
        ));
    }
}
