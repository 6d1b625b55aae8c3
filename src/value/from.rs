//! Conversions between [`Value`] and Rust numbers, for embedders.
//!
//! ```
//! use exprflow::Value;
//! assert_eq!(Value::from(7u64).to_string(), "7");
//! assert_eq!(Value::from(-(1i128 << 100)).to_string(), "-1267650600228229401496703205376");
//! assert!(Value::try_from(f64::NAN).is_err());
//! assert_eq!(i64::try_from(&Value::from(42)).unwrap(), 42);
//! assert!(i64::try_from(&Value::from(1u64 << 63)).is_err()); // out of range
//! assert_eq!(f64::try_from(&exprflow::Engine::new().unwrap().eval("1/4").unwrap()).unwrap(), 0.25);
//! ```

use dashu::integer::IBig;

use super::{Fault, Int, Value};
use crate::error::{Error, ErrorKind, Span};

/// Plain integer literals (`Value::from(3)`, `3.into()`) are `i32`.
impl From<i32> for Value {
    fn from(n: i32) -> Value {
        Value::from_i64(i64::from(n))
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::from_i64(i64::from(n))
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Int(Int::from(n))
    }
}

impl From<i128> for Value {
    fn from(n: i128) -> Value {
        Value::from_ibig(IBig::from(n))
    }
}

/// A float value; a NaN or an infinity is refused (`domain error` or
/// `result too large`).
impl TryFrom<f64> for Value {
    type Error = Error;

    fn try_from(x: f64) -> Result<Value, Error> {
        Value::from_f64(x).map_err(|fault| Error::from_fault(fault, Span::default()))
    }
}

/// An integer value within the range of `i64`; anything else (a rational,
/// a float, a bigger integer) is a `domain error`.
impl TryFrom<&Value> for i64 {
    type Error = Error;

    fn try_from(value: &Value) -> Result<i64, Error> {
        match value {
            Value::Int(n) => n.to_i64().ok_or_else(|| {
                Error::with_detail(
                    ErrorKind::Domain,
                    Span::default(),
                    "integer out of the range of i64",
                )
            }),
            other => Err(Error::with_detail(
                ErrorKind::Domain,
                Span::default(),
                format!("{} is not an integer", other.kind_name()),
            )),
        }
    }
}

/// The nearest `f64` to any value within the float range (`result too
/// large` beyond it).
impl TryFrom<&Value> for f64 {
    type Error = Error;

    fn try_from(value: &Value) -> Result<f64, Error> {
        value
            .to_f64()
            .map_err(|fault: Fault| Error::from_fault(fault, Span::default()))
    }
}
