//! Short constructors shared by the value module's unit tests.

use dashu::rational::RBig;

use super::{Limits, Value};

/// The default limits.
pub(crate) fn lim() -> Limits {
    Limits::default()
}

/// The integer `n`.
pub(crate) fn i(n: i64) -> Value {
    Value::from_i64(n)
}

/// The rational `n/d` (an integer when `d` divides `n`).
pub(crate) fn q(n: i64, d: u64) -> Value {
    Value::from_rbig(RBig::from_parts(n.into(), d.into()))
}

/// The float `x`.
pub(crate) fn f(x: f64) -> Value {
    Value::Float(x)
}
