//! The fast paths of a row: floats and integers that fit in an `i64`,
//! computed inline without allocating. Each returns `None` whenever the
//! general operation might answer differently (an overflow, a rational
//! result, a domain or division error, a mixed comparison): the caller then
//! asks the value layer, which gives the exact value or the error with its
//! message. So a fast path only ever returns what the general path would.

use std::cmp::Ordering;

use super::program::{Program, Reg};
use crate::value::{BinOp, Builtin, Value};

/// `x op y` when a fast path applies. `a`, `b` are the operands' registers
/// (a constant's register gives its float in `program.const_floats`);
/// `ints` says whether any `i64` is within the bit limit.
#[inline(always)]
pub(super) fn binary(
    op: BinOp,
    x: &Value,
    y: &Value,
    program: &Program,
    (a, b): (Reg, Reg),
    ints: bool,
) -> Option<Value> {
    match (x, y) {
        (Value::Float(p), Value::Float(q)) => {
            if op.is_comparison() {
                Some(compare(op, p.partial_cmp(q)?))
            } else {
                float(op, *p, *q).map(Value::Float)
            }
        }
        (Value::Int(i), Value::Int(j)) if ints => {
            int(op, i.to_i64()?, j.to_i64()?).map(Value::from_i64)
        }
        // A float and an exact value: the exact one becomes its nearest
        // float, except in comparisons, which are exact.
        (Value::Float(p), other) if !op.is_comparison() => {
            float(op, *p, operand(other, program, b)?).map(Value::Float)
        }
        (other, Value::Float(q)) if !op.is_comparison() => {
            float(op, operand(other, program, a)?, *q).map(Value::Float)
        }
        // An exact base and a rational exponent: a float power.
        (Value::Int(_), Value::Rat(_)) if op == BinOp::Pow => {
            let (p, q) = (operand(x, program, a)?, operand(y, program, b)?);
            float(op, p, q).map(Value::Float)
        }
        _ => None,
    }
}

/// The nearest float of an exact operand, when cheap: a small integer, or
/// a constant (converted once, when compiled).
#[inline(always)]
fn operand(v: &Value, program: &Program, r: Reg) -> Option<f64> {
    match v {
        Value::Int(i) if let Some(n) = i.to_i64() => Some(n as f64),
        _ => program.const_floats.get(r as usize).copied().flatten(),
    }
}

/// `x op y` for an arithmetic operator on floats, when it is finite and
/// no error is possible.
#[inline(always)]
pub(super) fn float(op: BinOp, x: f64, y: f64) -> Option<f64> {
    let r = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div if y != 0.0 => x / y,
        // A positive base: no domain or division error is possible.
        BinOp::Pow if x > 0.0 => crate::value::float_pow(x, y),
        _ => return None,
    };
    r.is_finite().then_some(r)
}

/// `x op y` on integers when the result is an integer that fits (a
/// comparison gives 1 or 0).
#[inline(always)]
pub(super) fn int(op: BinOp, x: i64, y: i64) -> Option<i64> {
    let r = match op {
        BinOp::Add => x.checked_add(y)?,
        BinOp::Sub => x.checked_sub(y)?,
        BinOp::Mul => x.checked_mul(y)?,
        // Exact division that gives an integer; a rational goes the long way.
        BinOp::Div if y != 0 && x.checked_rem(y)? == 0 => x.checked_div(y)?,
        BinOp::FloorDiv | BinOp::Mod if y != 0 => {
            let (q, r) = (x.checked_div(y)?, x.checked_rem(y)?);
            let (q, r) = if r != 0 && ((r < 0) != (y < 0)) {
                (q - 1, r + y)
            } else {
                (q, r)
            };
            if op == BinOp::FloorDiv { q } else { r }
        }
        BinOp::Pow if y >= 0 => x.checked_pow(u32::try_from(y).ok()?)?,
        op if op.is_comparison() => i64::from(holds(op, x.cmp(&y))),
        _ => return None,
    };
    Some(r)
}

#[inline(always)]
fn compare(op: BinOp, order: Ordering) -> Value {
    Value::from_i64(i64::from(holds(op, order)))
}

/// Whether comparison `op` holds of operands ordered `order`.
#[inline(always)]
pub(super) fn holds(op: BinOp, order: Ordering) -> bool {
    match op {
        BinOp::Lt => order == Ordering::Less,
        BinOp::Le => order != Ordering::Greater,
        BinOp::Gt => order == Ordering::Greater,
        BinOp::Ge => order != Ordering::Less,
        BinOp::Eq => order == Ordering::Equal,
        _ => order != Ordering::Equal,
    }
}

/// A built-in function of one float argument, when a fast path applies.
#[inline]
pub(super) fn call(f: Builtin, args: &[Reg], regs: &[Value]) -> Option<Value> {
    let [r] = args else {
        return None;
    };
    let Value::Float(x) = regs[*r as usize] else {
        return None;
    };
    float_fn(f, x).map(Value::Float)
}

/// Built-in `f` of one float, when it is a float function whose result is
/// finite and no error is possible.
#[inline]
pub(super) fn float_fn(f: Builtin, x: f64) -> Option<f64> {
    let y = match f {
        Builtin::Sqrt if x >= 0.0 => x.sqrt(),
        Builtin::Abs => x.abs(),
        Builtin::Float => x,
        Builtin::Sin => x.sin(),
        Builtin::Cos => x.cos(),
        Builtin::Tan => x.tan(),
        Builtin::Exp => x.exp(),
        Builtin::Ln if x > 0.0 => x.ln(),
        Builtin::Log2 if x > 0.0 => x.log2(),
        Builtin::Log10 if x > 0.0 => x.log10(),
        _ => return None,
    };
    y.is_finite().then_some(y)
}
