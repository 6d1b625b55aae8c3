//! [`Value`] as Rust users expect: equality, hashing and ordering by
//! numeric value, and parsing a literal (SPEC section 5, "Values convert
//! as Rust users expect").
//!
//! `==` is equality of values of the tower: exact values are canonical
//! (2/1 is the integer 2), so two exact values are equal when they are the
//! same number, and a float equals only a float (`-0.0 == 0.0`, as for
//! `f64`), never an exact value, even one of the same magnitude: they
//! are different values that print differently (`2.0` and `2`). `Hash`
//! agrees with `==`, so values can key a `HashMap`. `<`, `>`, `<=`, `>=`
//! compare numeric values across the tower, exactly (a float by its exact
//! binary value); a float and an exact value of the same magnitude are
//! neither equal nor ordered (`partial_cmp` is `None`), as `==` requires.
//!
//! ```
//! use std::collections::HashMap;
//! use exprflow::Value;
//! let half: Value = "0.5".parse().unwrap();
//! assert_eq!(half, exprflow::eval("1/2").unwrap());
//! assert!(Value::from(1) > half && half > Value::from(0));
//! assert!(Value::Float(0.1) > "0.1".parse().unwrap()); // the float 0.1 is a bit more
//! assert_ne!(Value::Float(2.0), Value::from(2));
//! assert_eq!(Value::Float(2.0).partial_cmp(&Value::from(2)), None);
//! let mut names = HashMap::new();
//! names.insert(exprflow::eval("4/2").unwrap(), "two");
//! assert_eq!(names[&Value::from(2u8)], "two");
//! ```

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use super::{Limits, Value, parse_literal};
use crate::error::{Error, ErrorKind, Span};

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Rat(a), Value::Rat(b)) => a == b,
            // A NaN (which no evaluation makes, but `Value::Float` can hold)
            // equals itself, so that `Eq` holds for every value.
            (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::Int(i) => (0u8, i).hash(state),
            Value::Rat(r) => (1u8, r).hash(state),
            Value::Float(x) => {
                // Equal floats hash alike: -0.0 as 0.0, every NaN as one.
                let bits = if *x == 0.0 {
                    0.0f64.to_bits()
                } else if x.is_nan() {
                    f64::NAN.to_bits()
                } else {
                    x.to_bits()
                };
                (2u8, bits).hash(state);
            }
        }
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        if self == other {
            return Some(Ordering::Equal);
        }
        let order = match (self, other) {
            (Value::Float(a), Value::Float(b)) => a.partial_cmp(b)?,
            (Value::Float(a), _) if !a.is_finite() => infinite(*a)?,
            (_, Value::Float(b)) if !b.is_finite() => infinite(*b)?.reverse(),
            _ => super::cmp::exact_cmp(self, other),
        };
        // Numerically equal but not `==`: a float and an exact value.
        (order != Ordering::Equal).then_some(order)
    }
}

/// Where a float that is not finite (which no evaluation makes) lies
/// against any exact value: above for +inf, below for -inf, nowhere for
/// a NaN.
fn infinite(x: f64) -> Option<Ordering> {
    match x {
        x if x.is_nan() => None,
        x if x > 0.0 => Some(Ordering::Greater),
        _ => Some(Ordering::Less),
    }
}

/// A number literal of the language (SPEC section 1), with an optional
/// sign: `"42"`, `"-1_000"`, `"0.25"` (the exact 1/4), `"2.5e-3"`. Only a
/// literal: `"1/3"`, `"2+2"`, `" 7"` and `"nan"` are a `syntax error`
/// (evaluate expressions with [`exprflow::eval`](crate::eval)). A literal
/// past the default bit limit is `result too large`.
///
/// ```
/// use exprflow::Value;
/// assert_eq!("0.25".parse::<Value>().unwrap().to_string(), "0.25");
/// assert_eq!("-3".parse::<Value>().unwrap(), Value::from(-3));
/// assert!("1/3".parse::<Value>().is_err());
/// ```
impl FromStr for Value {
    type Err = Error;

    fn from_str(text: &str) -> Result<Value, Error> {
        let (negative, literal) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let start = text.len() - literal.len();
        let at = Span::new(start, text.len());
        let value = parse_literal(literal, &Limits::default()).map_err(|fault| match fault {
            super::Fault::Domain(_) => Error::with_detail(
                ErrorKind::Syntax,
                at,
                format!("{text:?} is not a number literal (digits, `.`, `e`, `_`)"),
            ),
            fault => Error::from_fault(fault, at),
        })?;
        match negative {
            true => super::unary(super::UnOp::Neg, &value, &Limits::default())
                .map_err(|fault| Error::from_fault(fault, at)),
            false => Ok(value),
        }
    }
}
