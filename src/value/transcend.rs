//! The float functions: `ln`, `exp`, `log2`, `log10`, `sin`, `cos`, `tan`.
//!
//! Exact arguments beyond the range of `f64` are handled by scaling with a
//! power of two where the result is still a representable float
//! (`ln(10^400)`, `log2(1/10^400)`).

use std::f64::consts::{LN_2, LOG10_2};

use dashu::base::{BitTest, Signed, UnsignedAbs};
use dashu::integer::UBig;

use super::convert::{float_result, value_to_f64};
use super::estimate::describe;
use super::{Builtin, Fault, Value};

/// Applies one of the one-argument float functions.
pub(crate) fn float_fn(f: Builtin, x: &Value) -> Result<Value, Fault> {
    let what = || format!("{}({})", f.name(), describe(x));
    let y = match f {
        Builtin::Ln => log_with(x, f, f64::ln, |m, e| m.ln() + e * LN_2)?,
        Builtin::Log2 => log_with(x, f, f64::log2, |m, e| m.log2() + e)?,
        Builtin::Log10 => log_with(x, f, f64::log10, |m, e| m.log10() + e * LOG10_2)?,
        Builtin::Exp => match value_to_f64(x) {
            Ok(v) => v.exp(),
            // An exact argument beyond f64: exp underflows or overflows.
            Err(_) if is_negative(x) => 0.0,
            Err(e) => return Err(e),
        },
        Builtin::Sin => value_to_f64(x)?.sin(),
        Builtin::Cos => value_to_f64(x)?.cos(),
        Builtin::Tan => value_to_f64(x)?.tan(),
        _ => {
            return Err(Fault::Domain(format!(
                "{} is not a float function",
                f.name()
            )));
        }
    };
    float_result(y, what).map(Value::Float)
}

/// A logarithm: `direct` on the float value when it is a normal float, else
/// `scaled(m, e)` with `x = m * 2^e`.
fn log_with(
    x: &Value,
    f: Builtin,
    direct: fn(f64) -> f64,
    scaled: fn(f64, f64) -> f64,
) -> Result<f64, Fault> {
    if !is_positive(x) {
        return Err(Fault::Domain(format!(
            "{} of a non-positive number",
            f.name()
        )));
    }
    if let Value::Float(v) = x {
        return Ok(direct(*v));
    }
    match value_to_f64(x) {
        Ok(v) if v.is_normal() => Ok(direct(v)),
        _ => match split_exact(x) {
            Some((m, e)) => Ok(scaled(m, e as f64)),
            None => Err(Fault::Domain(format!("{} of a float", f.name()))),
        },
    }
}

/// Splits a positive exact value into `(m, e)` with `x = m * 2^e` up to a
/// relative error of about 1e-16, `m` a normal float, whatever the size of
/// `x`. Only the top bits of the numerator and denominator are looked at, so
/// this is fast even for huge values. `None` for floats and zero.
pub(crate) fn split_exact(x: &Value) -> Option<(f64, i64)> {
    let ((n, n_exp), (d, d_exp)) = match x {
        Value::Int(i) => (top_bits(&i.to_ibig().unsigned_abs())?, (1.0, 0)),
        Value::Rat(r) => (
            top_bits(&r.numerator().unsigned_abs())?,
            top_bits(r.denominator())?,
        ),
        Value::Float(_) => return None,
    };
    Some((n / d, n_exp - d_exp))
}

/// `(t, e)` with `n = t * 2^e` (`t` from the top 64 bits of `n`, truncated).
fn top_bits(n: &UBig) -> Option<(f64, i64)> {
    let shift = n.bit_len().saturating_sub(64);
    let top = u64::try_from(&(n >> shift)).ok()?;
    (top != 0).then(|| (top as f64, i64::try_from(shift).unwrap_or(i64::MAX)))
}

fn is_positive(x: &Value) -> bool {
    match x {
        Value::Int(i) => !i.is_negative() && !i.is_zero(),
        Value::Rat(r) => r.as_rbig().is_positive(),
        Value::Float(v) => *v > 0.0,
    }
}

fn is_negative(x: &Value) -> bool {
    match x {
        Value::Int(i) => i.is_negative(),
        Value::Rat(r) => r.as_rbig().is_negative(),
        Value::Float(v) => *v < 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::test_support::{f, i};
    use dashu::integer::IBig;
    use dashu::rational::RBig;

    fn call(b: Builtin, x: Value) -> Result<f64, Fault> {
        match float_fn(b, &x)? {
            Value::Float(y) => Ok(y),
            other => panic!("not a float: {other:?}"),
        }
    }
    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn basic_values() {
        assert_eq!(call(Builtin::Ln, i(1)), Ok(0.0));
        assert_eq!(call(Builtin::Ln, f(std::f64::consts::E)), Ok(1.0));
        assert_eq!(call(Builtin::Exp, i(0)), Ok(1.0));
        assert_eq!(call(Builtin::Exp, i(1)), Ok(std::f64::consts::E));
        assert_eq!(call(Builtin::Log2, i(1024)), Ok(10.0));
        assert_eq!(call(Builtin::Log10, i(1000)), Ok(3.0));
        assert_eq!(call(Builtin::Log10, f(0.001)), Ok(-3.0));
        assert_eq!(call(Builtin::Sin, i(0)), Ok(0.0));
        assert_eq!(call(Builtin::Cos, i(0)), Ok(1.0));
        assert_eq!(call(Builtin::Tan, i(0)), Ok(0.0));
        assert_eq!(call(Builtin::Sin, f(1.0)), Ok(1f64.sin()));
        let half = Value::from_rbig(RBig::from_parts(1.into(), 2u8.into()));
        assert_eq!(call(Builtin::Ln, half), Ok(0.5f64.ln()));
        // results are always floats, even for exact arguments
        assert!(matches!(
            float_fn(Builtin::Log2, &i(8)),
            Ok(Value::Float(_))
        ));
    }

    #[test]
    fn domain_errors() {
        for b in [Builtin::Ln, Builtin::Log2, Builtin::Log10] {
            for x in [i(0), i(-1), f(0.0), f(-0.0), f(-2.5)] {
                assert!(
                    matches!(float_fn(b, &x), Err(Fault::Domain(_))),
                    "{b:?} {x}"
                );
            }
        }
        assert_eq!(
            float_fn(Builtin::Ln, &i(0)),
            Err(Fault::Domain("ln of a non-positive number".into()))
        );
        assert!(matches!(
            float_fn(Builtin::Abs, &i(0)),
            Err(Fault::Domain(_))
        ));
    }

    #[test]
    fn overflow() {
        assert_eq!(
            float_fn(Builtin::Exp, &i(1000)),
            Err(Fault::TooLarge("exp(1000) overflows a float".into()))
        );
        assert_eq!(call(Builtin::Exp, i(-1000)), Ok(0.0));
        let huge = Value::from_ibig(IBig::from(10).pow(400));
        assert!(matches!(
            float_fn(Builtin::Exp, &huge),
            Err(Fault::TooLarge(_))
        ));
        assert_eq!(
            call(Builtin::Exp, Value::from_ibig(-IBig::from(10).pow(400))),
            Ok(0.0)
        );
        assert!(matches!(
            float_fn(Builtin::Sin, &huge),
            Err(Fault::TooLarge(_))
        ));
    }

    #[test]
    fn logs_of_huge_and_tiny_exact_values() {
        let big = Value::from_ibig(IBig::from(10).pow(400));
        assert!(close(
            call(Builtin::Ln, big.clone()).unwrap(),
            400.0 * 10f64.ln()
        ));
        assert!(close(call(Builtin::Log10, big.clone()).unwrap(), 400.0));
        assert!(close(
            call(Builtin::Log2, big).unwrap(),
            400.0 * 10f64.log2()
        ));
        let tiny = Value::from_rbig(RBig::from_parts(1.into(), UBig::from(10u8).pow(400)));
        assert!(close(call(Builtin::Log10, tiny.clone()).unwrap(), -400.0));
        assert!(close(call(Builtin::Ln, tiny).unwrap(), -400.0 * 10f64.ln()));
        let two_big = Value::from_ibig(IBig::from(2).pow(5000));
        assert_eq!(call(Builtin::Log2, two_big), Ok(5000.0));
        let r = Value::from_rbig(RBig::from_parts(
            IBig::from(3).pow(1000),
            UBig::from(2u8).pow(3),
        ));
        assert!(close(
            call(Builtin::Log2, r).unwrap(),
            1000.0 * 3f64.log2() - 3.0
        ));
    }

    #[test]
    fn splitting() {
        assert_eq!(split_exact(&i(12)), Some((12.0, 0)));
        assert_eq!(split_exact(&i(0)), None);
        let (m, e) = split_exact(&Value::from_ibig(IBig::from(3) << 1000)).unwrap();
        assert_eq!(m * 2f64.powi(i32::try_from(e - 1000).unwrap()), 3.0);
        assert!(split_exact(&f(1.0)).is_none());
    }
}
