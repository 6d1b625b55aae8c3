//! The operators: `+ - * / // % ^`, unary minus and plus, and `!`.

use dashu::rational::RBig;

use super::convert::{float_result, value_to_f64};
use super::estimate::{check_estimate, check_value, describe};
use super::int::Int;
use super::{Fault, Limits, Value, combinat, pow};

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b`: exact division for exact operands.
    Div,
    /// `a // b`: floor division.
    FloorDiv,
    /// `a % b`: `a - b*floor(a/b)`, with the sign of `b`.
    Mod,
    /// `a ^ b` (also written `**`).
    Pow,
    /// `a < b`: `1` or `0`, exact across the tower.
    Lt,
    /// `a <= b`
    Le,
    /// `a > b`
    Gt,
    /// `a >= b`
    Ge,
    /// `a == b`
    Eq,
    /// `a != b`
    Ne,
}

impl BinOp {
    /// The operator's symbol: `+`, `-`, `*`, `/`, `//`, `%` or `^`.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
        }
    }

    /// Whether this is a comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`).
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
        )
    }
}

/// A unary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-x`
    Neg,
    /// `+x`
    Plus,
    /// `x!`, the factorial (same as `fact(x)`).
    Fact,
}

impl UnOp {
    #[cfg(any(test, feature = "report"))]
    /// The operator's symbol: `-`, `+` or `!` (the last one is postfix).
    pub fn symbol(self) -> &'static str {
        match self {
            UnOp::Neg => "-",
            UnOp::Plus => "+",
            UnOp::Fact => "!",
        }
    }
}

/// Applies a unary operator.
pub fn unary(op: UnOp, x: &Value, limits: &Limits) -> Result<Value, Fault> {
    match op {
        UnOp::Plus => Ok(x.clone()),
        UnOp::Neg => Ok(negate(x)),
        UnOp::Fact => combinat::fact(x, limits),
    }
}

/// `-x`.
pub(crate) fn negate(x: &Value) -> Value {
    match x {
        Value::Int(i) => Value::Int(i.neg()),
        Value::Rat(r) => Value::from_rbig(-r.as_rbig().clone()),
        Value::Float(f) => Value::Float(-f),
    }
}

/// Applies a binary operator. Exact operands give an exact result; any float
/// operand makes the result a float.
pub fn binary(op: BinOp, a: &Value, b: &Value, limits: &Limits) -> Result<Value, Fault> {
    let what = || format!("{} {} {}", describe(a), op.symbol(), describe(b));
    match (op, a, b) {
        (BinOp::Pow, _, _) => pow::power(a, b, limits),
        _ if op.is_comparison() => Ok(compare(op, a, b)),
        (_, Value::Float(_), _) | (_, _, Value::Float(_)) => {
            let (x, y) = (value_to_f64(a)?, value_to_f64(b)?);
            float_binop(op, x, y).and_then(|r| float_result(r, what).map(Value::Float))
        }
        (_, Value::Int(x), Value::Int(y)) => {
            let v = int_binop(op, x, y, limits, what)?;
            check_value(v, limits, what)
        }
        _ => match (a.to_rbig(), b.to_rbig()) {
            (Some(x), Some(y)) => {
                let v = rat_binop(op, &x, &y)?;
                check_value(v, limits, what)
            }
            // Unreachable: floats were handled above.
            _ => Err(Fault::Domain("unexpected float".into())),
        },
    }
}

fn int_binop(
    op: BinOp,
    x: &Int,
    y: &Int,
    limits: &Limits,
    what: impl FnOnce() -> String,
) -> Result<Value, Fault> {
    Ok(Value::Int(match op {
        BinOp::Add => x.add(y),
        BinOp::Sub => x.sub(y),
        BinOp::Mul => {
            // The product has bits(x) + bits(y) or one bit fewer.
            let est = x.bit_len().saturating_add(y.bit_len()) as f64;
            check_estimate(est, limits, what)?;
            x.mul(y)
        }
        BinOp::Div => {
            if y.is_zero() {
                return Err(Fault::DivisionByZero);
            }
            if let Some((q, r)) = x.floor_div_rem(y)
                && r.is_zero()
            {
                q
            } else {
                return Ok(Value::from_rbig(RBig::from_parts_signed(
                    x.to_ibig(),
                    y.to_ibig(),
                )));
            }
        }
        BinOp::FloorDiv => x.floor_div_rem(y).ok_or(Fault::DivisionByZero)?.0,
        BinOp::Mod => x.floor_div_rem(y).ok_or(Fault::DivisionByZero)?.1,
        _ => return Err(Fault::Domain("unexpected operator".into())),
    }))
}

fn rat_binop(op: BinOp, x: &RBig, y: &RBig) -> Result<Value, Fault> {
    let nonzero = || {
        if y.is_zero() {
            Err(Fault::DivisionByZero)
        } else {
            Ok(())
        }
    };
    Ok(Value::from_rbig(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => {
            nonzero()?;
            x / y
        }
        BinOp::FloorDiv => {
            nonzero()?;
            RBig::from((x / y).floor())
        }
        BinOp::Mod => {
            nonzero()?;
            let q = RBig::from((x / y).floor());
            x - y * q
        }
        _ => return Err(Fault::Domain("unexpected operator".into())),
    }))
}

/// A comparison, exact across the tower (a float compares by its exact
/// binary value, as Python compares floats with ints and fractions): `1` or `0`.
fn compare(op: BinOp, a: &Value, b: &Value) -> Value {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let order = super::cmp::exact_cmp(a, b);
    let holds = match op {
        BinOp::Lt => order == Less,
        BinOp::Le => order != Greater,
        BinOp::Gt => order == Greater,
        BinOp::Ge => order != Less,
        BinOp::Eq => order == Equal,
        _ => order != Equal,
    };
    Value::from_i64(i64::from(holds))
}

/// Float arithmetic with Python's semantics for `//` and `%`. The caller
/// checks the result for overflow.
fn float_binop(op: BinOp, x: f64, y: f64) -> Result<f64, Fault> {
    Ok(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return Err(Fault::DivisionByZero);
            }
            x / y
        }
        BinOp::FloorDiv => float_divmod(x, y)?.0,
        BinOp::Mod => float_divmod(x, y)?.1,
        _ => return Err(Fault::Domain("unexpected operator".into())),
    })
}

/// Python's `divmod` for floats: `(floor(x / y), x - y * floor(x / y))`,
/// computed so that the remainder is exact and has the sign of `y`.
pub(crate) fn float_divmod(x: f64, y: f64) -> Result<(f64, f64), Fault> {
    if y == 0.0 {
        return Err(Fault::DivisionByZero);
    }
    let mut m = x % y; // fmod: exact, sign of x
    let mut div = (x - m) / y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m += y;
            div -= 1.0;
        }
    } else {
        m = 0f64.copysign(y);
    }
    let floordiv = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 { f + 1.0 } else { f }
    } else {
        0f64.copysign(x / y)
    };
    Ok((floordiv, m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::test_support::{f, i, lim, q, without_hanging};
    use dashu::integer::IBig;

    fn bin(op: BinOp, a: &Value, b: &Value) -> Result<Value, Fault> {
        binary(op, a, b, &lim())
    }
    fn ok(op: BinOp, a: Value, b: Value) -> Value {
        bin(op, &a, &b).unwrap()
    }

    #[test]
    fn symbols() {
        let all = [
            (BinOp::Add, "+"),
            (BinOp::Sub, "-"),
            (BinOp::Mul, "*"),
            (BinOp::Div, "/"),
            (BinOp::FloorDiv, "//"),
            (BinOp::Mod, "%"),
            (BinOp::Pow, "^"),
        ];
        for (op, s) in all {
            assert_eq!(op.symbol(), s);
        }
        assert_eq!(UnOp::Neg.symbol(), "-");
        assert_eq!(UnOp::Plus.symbol(), "+");
        assert_eq!(UnOp::Fact.symbol(), "!");
    }

    #[test]
    fn exact_arithmetic_stays_exact() {
        assert_eq!(ok(BinOp::Add, i(2), i(3)), i(5));
        assert_eq!(ok(BinOp::Sub, i(2), i(3)), i(-1));
        assert_eq!(ok(BinOp::Mul, i(-4), i(3)), i(-12));
        assert_eq!(ok(BinOp::Add, q(1, 10), q(2, 10)), q(3, 10));
        assert_eq!(ok(BinOp::Add, q(1, 2), q(1, 2)), i(1));
        assert_eq!(ok(BinOp::Sub, q(1, 3), i(1)), q(-2, 3));
        assert_eq!(ok(BinOp::Mul, q(2, 3), i(3)), i(2));
        assert_eq!(ok(BinOp::Mul, q(2, 3), q(3, 4)), q(1, 2));
    }

    #[test]
    fn division_is_exact() {
        assert_eq!(ok(BinOp::Div, i(6), i(3)), i(2));
        assert_eq!(ok(BinOp::Div, i(1), i(3)), q(1, 3));
        assert_eq!(ok(BinOp::Div, i(1), i(-3)), q(-1, 3));
        assert_eq!(ok(BinOp::Div, i(-6), i(4)), q(-3, 2));
        assert_eq!(ok(BinOp::Div, q(1, 3), q(2, 3)), q(1, 2));
        assert_eq!(ok(BinOp::Div, q(1, 3), q(1, 3)), i(1));
        assert_eq!(
            ok(BinOp::Div, i(i64::MIN), i(-1)).to_string(),
            "9223372036854775808"
        );
        assert_eq!(ok(BinOp::Div, f(1.0), i(4)), f(0.25));
        assert_eq!(ok(BinOp::Div, i(1), f(3.0)), f(1.0 / 3.0));
    }

    #[test]
    fn division_by_zero() {
        for op in [BinOp::Div, BinOp::FloorDiv, BinOp::Mod] {
            for (a, b) in [
                (i(1), i(0)),
                (q(1, 2), i(0)),
                (i(1), f(0.0)),
                (f(1.0), f(-0.0)),
                (f(1.0), i(0)),
                (i(0), i(0)),
            ] {
                assert_eq!(
                    bin(op, &a, &b),
                    Err(Fault::DivisionByZero),
                    "{op:?} {a} {b}"
                );
            }
        }
    }

    #[test]
    fn floor_division_and_modulo() {
        assert_eq!(ok(BinOp::FloorDiv, i(7), i(-2)), i(-4));
        assert_eq!(ok(BinOp::FloorDiv, i(7), i(2)), i(3));
        assert_eq!(ok(BinOp::FloorDiv, i(-7), i(2)), i(-4));
        assert_eq!(ok(BinOp::Mod, i(-7), i(3)), i(2));
        assert_eq!(ok(BinOp::Mod, i(7), i(-3)), i(-2));
        assert_eq!(ok(BinOp::Mod, i(7), i(3)), i(1));
        // rationals: exact
        assert_eq!(ok(BinOp::FloorDiv, q(7, 2), i(1)), i(3));
        assert_eq!(ok(BinOp::FloorDiv, q(-7, 2), i(1)), i(-4));
        assert_eq!(ok(BinOp::Mod, q(7, 2), i(1)), q(1, 2));
        assert_eq!(ok(BinOp::Mod, q(-7, 2), i(1)), q(1, 2));
        assert_eq!(ok(BinOp::Mod, q(7, 2), q(-2, 3)), q(-1, 2)); // as Python's Fraction
        assert_eq!(ok(BinOp::Mod, i(5), q(3, 2)), q(1, 2));
        // floats like Python
        assert_eq!(ok(BinOp::FloorDiv, f(7.0), i(2)), f(3.0));
        assert_eq!(ok(BinOp::FloorDiv, f(-7.0), i(2)), f(-4.0));
        assert_eq!(ok(BinOp::FloorDiv, f(7.5), f(-2.0)), f(-4.0));
        assert_eq!(ok(BinOp::Mod, f(-7.0), i(3)), f(2.0));
        assert_eq!(ok(BinOp::Mod, f(7.0), f(-3.0)), f(-2.0));
        assert_eq!(ok(BinOp::Mod, f(5.5), f(2.0)), f(1.5));
        assert_eq!(ok(BinOp::Mod, f(-1e-20), f(1.0)), f(1.0)); // as Python: -1e-20 % 1.0 == 1.0
        assert_eq!(ok(BinOp::Mod, f(6.0), f(-3.0)).to_string(), "-0.0");
        assert_eq!(ok(BinOp::FloorDiv, f(0.0), f(-3.0)).to_string(), "-0.0");
        assert_eq!(ok(BinOp::FloorDiv, f(1.0), f(0.1)), f(9.0)); // as Python
        assert_eq!(ok(BinOp::Mod, f(1.0), f(0.1)), f(0.09999999999999995));
    }

    #[test]
    fn float_contagion() {
        assert_eq!(ok(BinOp::Add, i(1), f(0.5)), f(1.5));
        assert_eq!(ok(BinOp::Add, q(1, 2), f(0.25)), f(0.75));
        assert_eq!(ok(BinOp::Mul, f(2.0), i(3)), f(6.0));
        assert_eq!(ok(BinOp::Sub, f(0.0), f(0.0)), f(0.0));
        // exact operand beyond f64 range
        let huge = Value::from_ibig(IBig::from(10).pow(400));
        assert!(matches!(
            bin(BinOp::Add, &huge, &f(1.0)),
            Err(Fault::TooLarge(_))
        ));
    }

    #[test]
    fn float_overflow_is_too_large() {
        let e = bin(BinOp::Mul, &f(1e308), &f(10.0)).unwrap_err();
        assert_eq!(e, Fault::TooLarge("1e308 * 10.0 overflows a float".into()));
        assert!(matches!(
            bin(BinOp::Add, &f(f64::MAX), &f(f64::MAX)),
            Err(Fault::TooLarge(_))
        ));
        assert!(matches!(
            bin(BinOp::Div, &f(1e308), &f(1e-308)),
            Err(Fault::TooLarge(_))
        ));
        assert!(matches!(
            bin(BinOp::FloorDiv, &f(1e308), &f(1e-308)),
            Err(Fault::TooLarge(_))
        ));
    }

    #[test]
    fn big_integers() {
        let a = Value::from_ibig(IBig::from(10).pow(30));
        let b = ok(BinOp::Mul, a.clone(), a.clone());
        assert_eq!(b.to_string(), format!("1{}", "0".repeat(60)));
        assert_eq!(ok(BinOp::Div, b.clone(), a.clone()), a);
        assert_eq!(ok(BinOp::Sub, a.clone(), a.clone()), i(0));
        assert_eq!(
            ok(BinOp::FloorDiv, a.clone(), i(-7)).to_string(),
            "-142857142857142857142857142858"
        );
        assert_eq!(ok(BinOp::Mod, a.clone(), i(-7)), i(-6));
    }

    #[test]
    fn bit_limit_on_operators() {
        let small = Limits { max_bits: 64 };
        let two63 = Value::from_ibig(IBig::from(2).pow(63)); // 64 bits
        assert!(binary(BinOp::Add, &two63, &i(1), &small).is_ok());
        assert!(matches!(
            binary(BinOp::Add, &two63, &two63, &small),
            Err(Fault::TooLarge(_))
        ));
        assert!(binary(BinOp::Mul, &i(1 << 31), &i(1 << 31), &small).is_ok());
        let e = binary(BinOp::Mul, &two63, &i(2), &small).unwrap_err();
        assert_eq!(
            e,
            Fault::TooLarge("9223372036854775808 * 2 needs about 65 bits, limit is 64".into())
        );
        // rationals: the denominator counts too
        let d = Value::from_rbig(RBig::from_parts(
            1.into(),
            dashu::integer::UBig::from(3u8).pow(40),
        ));
        assert!(matches!(
            binary(BinOp::Mul, &d, &d, &small),
            Err(Fault::TooLarge(_))
        ));
        // refused before computing: huge * huge at the default limit
        let big = Value::from_ibig(IBig::from(2).pow(16_000_000));
        let square = big.clone();
        without_hanging(move || {
            assert!(matches!(
                bin(BinOp::Mul, &square, &square),
                Err(Fault::TooLarge(_))
            ));
        });
        assert!(matches!(
            bin(
                BinOp::Add,
                &big,
                &Value::from_ibig(IBig::from(2).pow(16_777_216))
            ),
            Err(Fault::TooLarge(_))
        ));
    }

    #[test]
    fn unary_ops() {
        assert_eq!(unary(UnOp::Neg, &i(3), &lim()), Ok(i(-3)));
        assert_eq!(unary(UnOp::Neg, &q(1, 3), &lim()), Ok(q(-1, 3)));
        assert_eq!(unary(UnOp::Neg, &f(1.5), &lim()), Ok(f(-1.5)));
        assert_eq!(
            unary(UnOp::Neg, &f(0.0), &lim()).unwrap().to_string(),
            "-0.0"
        );
        assert_eq!(
            unary(UnOp::Neg, &i(i64::MIN), &lim()).unwrap().to_string(),
            "9223372036854775808"
        );
        assert_eq!(unary(UnOp::Plus, &q(1, 3), &lim()), Ok(q(1, 3)));
        assert_eq!(unary(UnOp::Fact, &i(5), &lim()), Ok(i(120)));
        assert!(matches!(
            unary(UnOp::Fact, &i(-1), &lim()),
            Err(Fault::Domain(_))
        ));
    }

    #[test]
    fn python_divmod_matches_reference_values() {
        // Values checked against CPython.
        assert_eq!(float_divmod(7.0, 2.0), Ok((3.0, 1.0)));
        assert_eq!(float_divmod(-7.0, 2.0), Ok((-4.0, 1.0)));
        assert_eq!(float_divmod(7.0, -2.0), Ok((-4.0, -1.0)));
        assert_eq!(float_divmod(0.5, 0.1), Ok((4.0, 0.09999999999999998)));
        assert_eq!(
            float_divmod(1.0, f64::MIN_POSITIVE).unwrap().0,
            1.0 / f64::MIN_POSITIVE
        );
    }
}
