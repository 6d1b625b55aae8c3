//! Exact comparison across the tower.

use std::cmp::Ordering;

use dashu::rational::RBig;

use super::Value;
use super::convert::float_to_rbig;

/// Compares two values exactly: a float is compared by its exact binary
/// value, so `0.1 > 1/10` (the float 0.1 is slightly more than 1/10) and
/// `exact_cmp(2.0, 2) == Equal`. This is a total order (floats are never NaN;
/// `-0.0` equals `0.0`).
pub fn exact_cmp(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        _ => to_exact(a).cmp(&to_exact(b)),
    }
}

fn to_exact(v: &Value) -> RBig {
    match v {
        Value::Float(x) => float_to_rbig(*x),
        Value::Int(i) => RBig::from(i.to_ibig()),
        Value::Rat(r) => r.as_rbig().clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dashu::integer::IBig;

    fn q(n: i64, d: u64) -> Value {
        Value::from_rbig(RBig::from_parts(n.into(), d.into()))
    }

    #[test]
    fn across_the_tower() {
        use Ordering::*;
        let i = Value::from_i64;
        let f = Value::Float;
        assert_eq!(exact_cmp(&i(1), &i(2)), Less);
        assert_eq!(exact_cmp(&f(0.1), &q(1, 10)), Greater);
        assert_eq!(exact_cmp(&q(1, 10), &f(0.1)), Less);
        assert_eq!(exact_cmp(&f(2.0), &i(2)), Equal);
        assert_eq!(exact_cmp(&f(-0.0), &i(0)), Equal);
        assert_eq!(exact_cmp(&f(-0.0), &f(0.0)), Equal);
        assert_eq!(exact_cmp(&q(1, 3), &q(1, 2)), Less);
        assert_eq!(exact_cmp(&q(-1, 3), &i(-1)), Greater);
        // 2^53 + 1 is not representable: the float 2^53 is less.
        let big = Value::from_ibig(IBig::from(2).pow(53) + 1);
        assert_eq!(exact_cmp(&f(9007199254740992.0), &big), Less);
        let huge = Value::from_ibig(IBig::from(10).pow(400));
        assert_eq!(exact_cmp(&f(f64::MAX), &huge), Less);
        assert_eq!(exact_cmp(&f(1.0), &f(1.5)), Less);
    }
}
