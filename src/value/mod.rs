//! The numeric tower: exact integers, exact rationals and floats, with the
//! arithmetic, built-in functions, literal parsing and output format of the
//! language (SPEC sections 2 and 4).
//!
//! Every operation checks the size of an exact result against [`Limits`]
//! *before* doing expensive work: results whose numerator or denominator would
//! exceed `max_bits` are refused with [`Fault::TooLarge`], and nothing much
//! larger than the limit is ever computed. Floats never become NaN or
//! infinite: an overflow is [`Fault::TooLarge`], a NaN is [`Fault::Domain`].
//! No input value makes any function in this module panic.

mod arith;
mod builtin;
mod cmp;
mod combinat;
mod convert;
mod decimal;
mod estimate;
mod format;
mod from;
mod functions;
mod int;
mod literal;
mod pow;
mod rat;
mod roots;
#[cfg(test)]
mod test_support;
mod traits;
mod transcend;

#[cfg(test)]
mod proptests;

pub(crate) use arith::float_divmod;
pub use arith::{BinOp, UnOp, binary, unary};
pub use builtin::{Arity, Builtin};
pub use cmp::exact_cmp;
pub use functions::{call, duration_ms};
pub use int::Int;
pub use literal::{parse_literal, small_int};
pub(crate) use pow::float_pow;
pub use rat::Rat;

use dashu::integer::IBig;
use dashu::rational::RBig;

/// A value of the numeric tower.
///
/// The representation is canonical: an exact integer is always `Int`, never a
/// `Rat` with denominator 1, and a `Float` is always finite (never NaN or
/// infinite), so equality is structural equality of values. Note that
/// `Float(2.0) != Int(2)`: they are different values that print differently.
/// `Eq` and `Hash` agree (values can key a `HashMap`); `<` and `>` compare
/// numeric values across the tower; `"0.25".parse()` reads a literal (see
/// the conversions below).
///
/// ```
/// use exprflow::Value;
/// assert_eq!(exprflow::eval("4/2").unwrap(), Value::from(2u8));
/// assert!(Value::from(true) > "0.5".parse().unwrap());
/// ```
#[derive(Clone, Debug)]
pub enum Value {
    /// An exact integer of any size.
    Int(Int),
    /// An exact rational that is not an integer, in lowest terms.
    Rat(Rat),
    /// An inexact IEEE double; always finite.
    Float(f64),
}

/// Limits that are checked before computing a result: the bit limit of
/// exact values (literals included), part of [`EvalLimits`](crate::EvalLimits)
/// and [`DagLimits`](crate::DagLimits).
///
/// ```
/// use exprflow::{Engine, ErrorKind, EvalLimits, ValueLimits};
/// let limits = EvalLimits { value: ValueLimits { max_bits: 64 }, ..Default::default() };
/// let engine = Engine::builder().limits(limits).build().unwrap();
/// assert_eq!(engine.eval("2^63").unwrap().to_string(), "9223372036854775808");
/// assert_eq!(engine.eval("2^64").unwrap_err().kind, ErrorKind::TooLarge);
/// assert_eq!(ValueLimits::default().max_bits, ValueLimits::DEFAULT_MAX_BITS);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueLimits {
    /// The largest number of bits allowed in the numerator or the denominator
    /// of an exact result.
    pub max_bits: u64,
}

/// The crate's own short name for [`ValueLimits`].
pub(crate) use ValueLimits as Limits;

impl ValueLimits {
    /// The default bit limit: 2^24 bits (about 5 million decimal digits).
    pub const DEFAULT_MAX_BITS: u64 = 1 << 24;
}

impl Default for ValueLimits {
    fn default() -> Self {
        ValueLimits {
            max_bits: Self::DEFAULT_MAX_BITS,
        }
    }
}

/// An arithmetic error without a source position; the caller attaches the span.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    /// Division, floor division or modulo by zero, or zero to a negative power.
    #[error("division by zero")]
    DivisionByZero,
    /// An argument outside the domain of an operation, e.g. the square root of
    /// a negative number, or `gcd` of non-integers.
    #[error("domain error: {0}")]
    Domain(String),
    /// A result that would exceed the bit limit, or a float overflow.
    #[error("result too large: {0}")]
    TooLarge(String),
}

impl Value {
    /// Whether the value is zero (`0`, `0.0` or `-0.0`; a rational never is):
    /// what `if` tests.
    ///
    /// ```
    /// use exprflow::Value;
    /// assert!(Value::from(0).is_zero() && !Value::from(2).is_zero());
    /// ```
    pub fn is_zero(&self) -> bool {
        match self {
            Value::Int(i) => i.is_zero(),
            Value::Rat(_) => false,
            Value::Float(x) => *x == 0.0,
        }
    }

    /// An exact integer value.
    pub fn from_i64(n: i64) -> Value {
        Value::Int(Int::from(n))
    }

    /// A float value; NaN is a domain error and an infinity is too large.
    pub fn from_f64(x: f64) -> Result<Value, Fault> {
        convert::checked_float(x).map(Value::Float)
    }

    /// An exact integer value from a big integer (normalised to the small form
    /// when it fits).
    pub fn from_ibig(n: IBig) -> Value {
        Value::Int(Int::from(n))
    }

    /// An exact value from a big rational: an `Int` when the denominator is 1,
    /// otherwise a `Rat`.
    pub fn from_rbig(q: RBig) -> Value {
        rat::value_from_rbig(q)
    }

    /// Approximate size in bits: the bit length of an integer, numerator plus
    /// denominator bits for a rational, 64 for a float. Used for cost estimates.
    pub fn bits(&self) -> u64 {
        match self {
            Value::Int(i) => i.bit_len(),
            Value::Rat(r) => r.bits(),
            Value::Float(_) => 64,
        }
    }

    /// Whether the value is exact (an integer or a rational).
    pub fn is_exact(&self) -> bool {
        !matches!(self, Value::Float(_))
    }

    /// The name of the value's kind: `"integer"`, `"rational"` or `"float"`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Int(_) => "integer",
            Value::Rat(_) => "rational",
            Value::Float(_) => "float",
        }
    }

    /// The value as an exact big rational, or `None` for a float.
    pub fn to_rbig(&self) -> Option<RBig> {
        match self {
            Value::Int(i) => Some(RBig::from(i.to_ibig())),
            Value::Rat(r) => Some(r.as_rbig().clone()),
            Value::Float(_) => None,
        }
    }

    /// The nearest float to the value (correctly rounded for exact values);
    /// [`Fault::TooLarge`] when an exact value is beyond the range of `f64`.
    pub fn to_f64(&self) -> Result<f64, Fault> {
        convert::value_to_f64(self)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::from_i64(n)
    }
}

impl From<Int> for Value {
    fn from(n: Int) -> Value {
        Value::Int(n)
    }
}

/// The named constants `pi`, `e` and `tau`, as floats.
pub fn constant(name: &str) -> Option<Value> {
    match name {
        "pi" => Some(Value::Float(std::f64::consts::PI)),
        "e" => Some(Value::Float(std::f64::consts::E)),
        "tau" => Some(Value::Float(std::f64::consts::TAU)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants() {
        assert_eq!(constant("pi"), Some(Value::Float(std::f64::consts::PI)));
        assert_eq!(constant("e"), Some(Value::Float(std::f64::consts::E)));
        assert_eq!(constant("tau"), Some(Value::Float(std::f64::consts::TAU)));
        assert_eq!(constant("phi"), None);
        for name in ["pi", "e", "tau"] {
            assert!(constant(name).is_some());
        }
    }

    #[test]
    fn limits_default() {
        assert_eq!(Limits::default().max_bits, 16_777_216);
    }

    #[test]
    fn fault_messages_have_the_spec_leading_words() {
        assert_eq!(Fault::DivisionByZero.to_string(), "division by zero");
        assert_eq!(
            Fault::Domain("sqrt of a negative number".into()).to_string(),
            "domain error: sqrt of a negative number"
        );
        assert!(
            Fault::TooLarge("x".into())
                .to_string()
                .starts_with("result too large: ")
        );
    }

    #[test]
    fn value_helpers() {
        assert_eq!(Value::from_i64(5).kind_name(), "integer");
        assert_eq!(
            Value::from_rbig(RBig::from_parts(1.into(), 3u8.into())).kind_name(),
            "rational"
        );
        assert_eq!(Value::Float(1.0).kind_name(), "float");
        assert!(Value::from_i64(1).is_exact());
        assert!(!Value::Float(1.0).is_exact());
        assert_eq!(Value::from_f64(1.5), Ok(Value::Float(1.5)));
        assert!(matches!(Value::from_f64(f64::NAN), Err(Fault::Domain(_))));
        assert!(matches!(
            Value::from_f64(f64::INFINITY),
            Err(Fault::TooLarge(_))
        ));
        assert!(matches!(
            Value::from_f64(f64::NEG_INFINITY),
            Err(Fault::TooLarge(_))
        ));
        assert_eq!(Value::from_i64(0).bits(), 0);
        assert_eq!(Value::from_i64(255).bits(), 8);
        assert_eq!(Value::from_i64(-256).bits(), 9);
        assert_eq!(Value::from_i64(i64::MIN).bits(), 64);
        assert_eq!(Value::Float(3.0).bits(), 64);
        // 3/4: 2 bits + 3 bits
        assert_eq!(
            Value::from_rbig(RBig::from_parts(3.into(), 4u8.into())).bits(),
            5
        );
        assert_eq!(
            Value::from_rbig(RBig::from_parts(6.into(), 3u8.into())),
            Value::from_i64(2)
        );
        assert_eq!(Value::from_i64(7).to_rbig(), Some(RBig::from(7)));
        assert_eq!(Value::Float(7.0).to_rbig(), None);
        assert_eq!(Value::from(3i64), Value::from_i64(3));
    }
}
