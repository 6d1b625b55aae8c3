//! Square roots: `isqrt` (integer) and `sqrt` (exact for squares of
//! rationals, a float otherwise).

use dashu::base::{SquareRoot, UnsignedAbs};
use dashu::integer::{IBig, UBig};
use dashu::rational::RBig;

use super::convert::float_result;
use super::estimate::describe;
use super::int::Int;
use super::transcend::split_exact;
use super::{Fault, Value};

/// `isqrt(n)`: the largest integer whose square is at most `n >= 0`.
pub(crate) fn isqrt(x: &Value) -> Result<Value, Fault> {
    match x {
        Value::Int(i) if !i.is_negative() => Ok(Value::Int(match i.to_u64() {
            Some(n) => Int::from(n.isqrt()),
            None => Int::from(i.to_ibig().unsigned_abs().sqrt()),
        })),
        Value::Int(_) => Err(Fault::Domain("isqrt of a negative number".into())),
        _ => Err(Fault::Domain(format!(
            "isqrt needs an integer, got the {} {}",
            x.kind_name(),
            describe(x)
        ))),
    }
}

/// `sqrt(x)`: exact when `x` is the square of a rational, else a float.
pub(crate) fn sqrt(x: &Value) -> Result<Value, Fault> {
    let negative = || Err(Fault::Domain("sqrt of a negative number".into()));
    let q = match x {
        Value::Float(v) if *v < 0.0 => return negative(),
        Value::Float(v) => return Ok(Value::Float(v.sqrt())),
        Value::Int(i) if i.is_negative() => return negative(),
        Value::Rat(r) if r.is_negative() => return negative(),
        _ => x.to_rbig().unwrap_or(RBig::ZERO),
    };
    let (num, den) = (q.numerator().unsigned_abs(), q.denominator());
    if let (Some(a), Some(b)) = (exact_sqrt(&num), exact_sqrt(den)) {
        return Ok(Value::from_rbig(RBig::from_parts(IBig::from(a), b)));
    }
    let what = || format!("sqrt({})", describe(x));
    let y = match x.to_f64() {
        Ok(v) if v.is_normal() => v.sqrt(),
        _ => match split_exact(x) {
            // x = m 2^e: sqrt(x) = sqrt(m 2^(e mod 2)) 2^(e div 2)
            Some((m, e)) => {
                let (half, odd) = (e.div_euclid(2), e.rem_euclid(2));
                let root = (m * if odd == 1 { 2.0 } else { 1.0 }).sqrt();
                ldexp(root, half)
            }
            None => f64::NAN,
        },
    };
    float_result(y, what).map(Value::Float)
}

/// `x * 2^e` without premature overflow or underflow of the power.
fn ldexp(x: f64, e: i64) -> f64 {
    let e = i32::try_from(e.clamp(-4000, 4000)).unwrap_or(0);
    let h = e / 2;
    x * 2f64.powi(h) * 2f64.powi(e - h)
}

/// `Some(r)` when `n = r^2`.
fn exact_sqrt(n: &UBig) -> Option<UBig> {
    let r = n.sqrt();
    if &(&r * &r) == n { Some(r) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::test_support::{f, i, q};

    #[test]
    fn integer_square_roots() {
        assert_eq!(isqrt(&i(0)), Ok(i(0)));
        assert_eq!(isqrt(&i(1)), Ok(i(1)));
        assert_eq!(isqrt(&i(15)), Ok(i(3)));
        assert_eq!(isqrt(&i(16)), Ok(i(4)));
        assert_eq!(isqrt(&i(i64::MAX)), Ok(i(3037000499)));
        let big = Value::from_ibig(IBig::from(10).pow(40) + 5);
        assert_eq!(isqrt(&big), Ok(Value::from_ibig(IBig::from(10).pow(20))));
        assert!(matches!(isqrt(&i(-1)), Err(Fault::Domain(_))));
        assert!(matches!(isqrt(&f(4.0)), Err(Fault::Domain(_))));
        assert!(matches!(isqrt(&q(1, 4)), Err(Fault::Domain(_))));
    }

    #[test]
    fn exact_square_roots() {
        assert_eq!(sqrt(&i(9)), Ok(i(3)));
        assert_eq!(sqrt(&i(0)), Ok(i(0)));
        assert_eq!(sqrt(&q(9, 4)), Ok(q(3, 2)));
        assert_eq!(sqrt(&q(1, 100)), Ok(q(1, 10)));
        let sq = Value::from_ibig(IBig::from(3).pow(200));
        assert_eq!(sqrt(&sq), Ok(Value::from_ibig(IBig::from(3).pow(100))));
    }

    #[test]
    fn float_square_roots() {
        assert_eq!(sqrt(&i(2)), Ok(f(std::f64::consts::SQRT_2)));
        assert_eq!(sqrt(&q(1, 2)), Ok(f(0.5f64.sqrt())));
        assert_eq!(sqrt(&f(4.0)), Ok(f(2.0)));
        assert_eq!(sqrt(&f(2.0)), Ok(f(std::f64::consts::SQRT_2)));
        assert_eq!(sqrt(&f(-0.0)).unwrap().to_string(), "-0.0");
        // beyond the f64 range: scaled
        let big = Value::from_ibig(IBig::from(10).pow(401));
        let Value::Float(r) = sqrt(&big).unwrap() else {
            panic!()
        };
        assert!((r / (10f64.sqrt() * 1e200) - 1.0).abs() < 1e-15);
        let tiny = Value::from_rbig(RBig::from_parts(2.into(), UBig::from(10u8).pow(400)));
        let Value::Float(r) = sqrt(&tiny).unwrap() else {
            panic!()
        };
        assert!((r / (2f64.sqrt() * 1e-200) - 1.0).abs() < 1e-15);
        let too_big = Value::from_ibig(IBig::from(2).pow(3000) + 1);
        assert!(matches!(sqrt(&too_big), Err(Fault::TooLarge(_))));
    }

    #[test]
    fn scaling() {
        assert_eq!(ldexp(1.5, 3), 12.0);
        assert_eq!(ldexp(1.0, -1074), 5e-324);
        assert_eq!(ldexp(1.0, 5000), f64::INFINITY);
        assert_eq!(ldexp(1.0, -5000), 0.0);
    }

    #[test]
    fn negative_arguments() {
        let e = Err(Fault::Domain("sqrt of a negative number".into()));
        assert_eq!(sqrt(&i(-4)), e);
        assert_eq!(sqrt(&q(-1, 4)), e);
        assert_eq!(sqrt(&f(-1.0)), e);
    }
}
