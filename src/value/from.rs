//! Conversions between [`Value`] and Rust numbers, for embedders.
//!
//! ```
//! use exprflow::Value;
//! assert_eq!(Value::from(7u64).to_string(), "7");
//! assert_eq!(Value::from(u128::MAX).to_string(), "340282366920938463463374607431768211455");
//! assert_eq!(Value::from(-5i8), Value::from(-5isize));
//! assert_eq!(Value::from(true), Value::from(1usize));
//! assert_eq!(Value::from(-(1i128 << 100)).to_string(), "-1267650600228229401496703205376");
//! assert!(Value::try_from(f64::NAN).is_err());
//! assert_eq!(i64::try_from(&Value::from(42)).unwrap(), 42);
//! assert!(i64::try_from(&Value::from(1u64 << 63)).is_err()); // out of range
//! assert_eq!(f64::try_from(&exprflow::Engine::new().unwrap().eval("1/4").unwrap()).unwrap(), 0.25);
//! ```

use dashu::integer::IBig;

use super::{Fault, Int, Value};
use crate::error::{Error, ErrorKind, Span};

/// Integers that fit in an `i64`. (Plain integer literals,
/// `Value::from(3)` and `3.into()`, are `i32`.)
macro_rules! from_small_integers {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Value {
                Value::from_i64(i64::from(n))
            }
        }
    )*};
}

from_small_integers!(i8, i16, i32, u8, u16, u32);

/// `true` is the integer 1, `false` 0, as comparisons give them.
///
/// ```
/// assert_eq!(exprflow::Value::from(true), exprflow::eval("2 > 1").unwrap());
/// ```
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::from_i64(i64::from(b))
    }
}

impl From<isize> for Value {
    fn from(n: isize) -> Value {
        Value::from(n as i128)
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Value {
        Value::from(n as u64)
    }
}

impl From<u128> for Value {
    fn from(n: u128) -> Value {
        Value::from_ibig(IBig::from(n))
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
