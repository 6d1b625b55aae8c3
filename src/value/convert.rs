//! Conversions between the exact values and floats, with the checks that keep
//! NaN and infinities out of the tower.

use dashu::rational::RBig;

use super::estimate::describe;
use super::int::Int;
use super::{Fault, Value};

/// Accepts a finite float; NaN is a domain error and an infinity is too large.
pub(crate) fn checked_float(x: f64) -> Result<f64, Fault> {
    float_result(x, || "the float".to_string())
}

/// Checks a float result of the operation described by `what`.
pub(crate) fn float_result(x: f64, what: impl FnOnce() -> String) -> Result<f64, Fault> {
    if x.is_nan() {
        Err(Fault::Domain(format!("{} is not a number", what())))
    } else if x.is_infinite() {
        Err(Fault::TooLarge(format!("{} overflows a float", what())))
    } else {
        Ok(x)
    }
}

/// The nearest float to a value; an exact value beyond the `f64` range is
/// too large.
pub(crate) fn value_to_f64(v: &Value) -> Result<f64, Fault> {
    let x = match v {
        Value::Float(x) => return Ok(*x),
        Value::Int(i) => i.to_f64_lossy(),
        Value::Rat(r) => r.as_rbig().to_f64().value(),
    };
    if x.is_finite() {
        Ok(x)
    } else {
        Err(Fault::TooLarge(format!(
            "{} is too large for a float",
            describe(v)
        )))
    }
}

/// The exact binary value of a finite float.
pub(crate) fn float_to_rbig(x: f64) -> RBig {
    RBig::try_from(x).unwrap_or_default()
}

/// The exact value of a finite float, as an `Int` when it is integral.
pub(crate) fn float_to_exact(x: f64) -> Value {
    Value::from_rbig(float_to_rbig(x))
}

/// The exact integer value of a finite, integral float (e.g. the result of
/// `f64::floor`).
pub(crate) fn integral_float_to_int(x: f64) -> Int {
    match float_to_exact(x) {
        Value::Int(i) => i,
        // Not reachable for integral input; truncate to be total anyway.
        Value::Rat(r) => Int::from(r.as_rbig().trunc()),
        Value::Float(_) => Int::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dashu::integer::IBig;

    #[test]
    fn checked() {
        assert_eq!(checked_float(-0.5), Ok(-0.5));
        assert_eq!(
            float_result(f64::INFINITY, || "exp(1000)".into()),
            Err(Fault::TooLarge("exp(1000) overflows a float".into()))
        );
        assert_eq!(
            float_result(f64::NAN, || "inf - inf".into()),
            Err(Fault::Domain("inf - inf is not a number".into()))
        );
    }

    #[test]
    fn to_float() {
        assert_eq!(value_to_f64(&Value::from_i64(3)), Ok(3.0));
        let third = Value::from_rbig(RBig::from_parts(1.into(), 3u8.into()));
        assert_eq!(value_to_f64(&third), Ok(1.0 / 3.0));
        let huge = Value::from_ibig(IBig::from(10).pow(400));
        assert!(matches!(value_to_f64(&huge), Err(Fault::TooLarge(_))));
        let tiny = Value::from_rbig(RBig::from_parts(
            1.into(),
            dashu::integer::UBig::from(10u8).pow(400),
        ));
        assert_eq!(value_to_f64(&tiny), Ok(0.0));
        // just below f64::MAX rounds fine, 2^1024 does not
        let two_1024 = Value::from_ibig(IBig::from(2).pow(1024));
        assert!(value_to_f64(&two_1024).is_err());
        assert_eq!(
            value_to_f64(&Value::from_ibig(IBig::from(2).pow(1023))),
            Ok(2f64.powi(1023))
        );
    }

    #[test]
    fn exact_floats() {
        assert_eq!(float_to_exact(2.0), Value::from_i64(2));
        assert_eq!(float_to_exact(-0.0), Value::from_i64(0));
        assert_eq!(
            float_to_exact(0.1),
            Value::from_rbig(RBig::from_parts(
                3602879701896397i64.into(),
                36028797018963968u64.into()
            ))
        );
        assert_eq!(
            integral_float_to_int(1e300).to_string(),
            "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160"
        );
        assert_eq!(integral_float_to_int(-3.0), Int::from(-3i64));
    }
}
