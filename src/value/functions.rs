//! Calling the built-in functions.

use std::cmp::Ordering;

use dashu::base::{Gcd, UnsignedAbs};
use dashu::integer::UBig;
use dashu::rational::RBig;

use super::arith::negate;
use super::cmp::exact_cmp;
use super::convert::{float_to_exact, integral_float_to_int, value_to_f64};
use super::estimate::{check_value, describe};
use super::int::Int;
use super::rat::Rat;
use super::{Builtin, Fault, Limits, Value, combinat, roots, transcend};

/// The longest accepted `delay`/`busy` duration, in milliseconds (about 31
/// years), so that converting it to a `std::time::Duration` never panics.
pub const MAX_DURATION_MS: f64 = 1e12;

/// Calls a built-in function. A wrong number of arguments is a domain error
/// here (the caller normally checks [`Builtin::arity`] first and reports it
/// as such). `delay` and `busy` only validate their duration and return
/// their first argument: the waiting is done by the evaluator.
pub fn call(f: Builtin, args: &[Value], limits: &Limits) -> Result<Value, Fault> {
    use Builtin as B;
    match (f, args) {
        (B::Abs, [x]) => Ok(abs(x)),
        (B::Min, [first, rest @ ..]) => Ok(extreme(first, rest, Ordering::Less)),
        (B::Max, [first, rest @ ..]) => Ok(extreme(first, rest, Ordering::Greater)),
        (B::Gcd, [a, b]) => gcd(a, b),
        (B::Lcm, [a, b]) => lcm(a, b, limits),
        (B::Fact, [n]) => combinat::fact(n, limits),
        (B::Binom, [n, k]) => combinat::binom(n, k, limits),
        (B::Fib, [n]) => combinat::fib(n, limits),
        (B::Isqrt, [n]) => roots::isqrt(n),
        (B::Sqrt, [x]) => roots::sqrt(x),
        (B::Floor | B::Ceil | B::Round, [x]) => rounding(f, x, limits),
        (B::Num | B::Den, [x]) => num_den(f, x),
        (B::Float, [x]) => value_to_f64(x).map(Value::Float),
        (B::Exact, [x]) => match x {
            Value::Float(v) => check_value(float_to_exact(*v), limits, || {
                format!("exact({})", describe(x))
            }),
            _ => Ok(x.clone()),
        },
        (B::Ln | B::Exp | B::Log2 | B::Log10 | B::Sin | B::Cos | B::Tan, [x]) => {
            transcend::float_fn(f, x)
        }
        (B::Delay | B::Busy, [x, ms]) => duration_ms(ms).map(|_| x.clone()),
        #[cfg(feature = "fault-injection")]
        (B::Panic, [x]) => panic!("__panic({}) called (fault injection)", describe(x)),
        _ => Err(Fault::Domain(format!(
            "{} takes {} argument{}, got {}",
            f.name(),
            f.arity(),
            if f.arity().is_one() { "" } else { "s" },
            args.len()
        ))),
    }
}

/// Validates a `delay`/`busy` duration: a non-negative real number of
/// milliseconds (exact or float), at most [`MAX_DURATION_MS`]. Returns it as
/// a float.
pub fn duration_ms(v: &Value) -> Result<f64, Fault> {
    let bad = |why: &str| Err(Fault::Domain(format!("the duration {} {why}", describe(v))));
    if exact_cmp(v, &Value::from_i64(0)) == Ordering::Less {
        return bad("is negative");
    }
    match value_to_f64(v) {
        Ok(ms) if ms <= MAX_DURATION_MS => Ok(ms.abs()), // abs: -0.0 becomes 0.0
        _ => bad("is too long (at most 10^12 ms)"),
    }
}

fn abs(x: &Value) -> Value {
    match x {
        Value::Int(i) => Value::Int(i.abs()),
        Value::Rat(r) if r.is_negative() => negate(x),
        Value::Rat(_) => x.clone(),
        Value::Float(v) => Value::Float(v.abs()),
    }
}

/// The first argument that is strictly `want`-er than all earlier ones.
fn extreme(first: &Value, rest: &[Value], want: Ordering) -> Value {
    let mut best = first;
    for v in rest {
        if exact_cmp(v, best) == want {
            best = v;
        }
    }
    best.clone()
}

fn integers<'a>(fname: &str, a: &'a Value, b: &'a Value) -> Result<(&'a Int, &'a Int), Fault> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok((x, y)),
        _ => Err(Fault::Domain(format!("{fname} needs integers"))),
    }
}

fn gcd_int(x: &Int, y: &Int) -> Int {
    if let (Some(a), Some(b)) = (x.to_i64(), y.to_i64()) {
        let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
        while b != 0 {
            (a, b) = (b, a % b);
        }
        return Int::from(a);
    }
    let g: UBig = x.to_ibig().unsigned_abs().gcd(y.to_ibig().unsigned_abs());
    Int::from(g)
}

fn gcd(a: &Value, b: &Value) -> Result<Value, Fault> {
    let (x, y) = integers("gcd", a, b)?;
    Ok(Value::Int(gcd_int(x, y)))
}

fn lcm(a: &Value, b: &Value, limits: &Limits) -> Result<Value, Fault> {
    let (x, y) = integers("lcm", a, b)?;
    if x.is_zero() || y.is_zero() {
        return Ok(Value::from_i64(0));
    }
    let g = gcd_int(x, y);
    let (q, _) = x.abs().floor_div_rem(&g).unwrap_or((Int::ZERO, Int::ZERO));
    let v = Value::Int(q.mul(&y.abs()));
    check_value(v, limits, || {
        format!("lcm({}, {})", describe(a), describe(b))
    })
}

fn rounding(f: Builtin, x: &Value, limits: &Limits) -> Result<Value, Fault> {
    let i = match x {
        Value::Int(_) => return Ok(x.clone()),
        Value::Rat(r) => match f {
            Builtin::Floor => r.floor(),
            Builtin::Ceil => r.ceil(),
            _ => round_half_even(r),
        },
        Value::Float(v) => integral_float_to_int(match f {
            Builtin::Floor => v.floor(),
            Builtin::Ceil => v.ceil(),
            _ => v.round_ties_even(),
        }),
    };
    check_value(Value::Int(i), limits, || {
        format!("{}({})", f.name(), describe(x))
    })
}

/// Rounds a non-integer rational to the nearest integer, ties to even.
fn round_half_even(r: &Rat) -> Int {
    let floor = r.floor();
    if r.denominator() == &UBig::from(2u8) {
        // exactly halfway between floor and floor + 1
        if floor.is_even() {
            floor
        } else {
            floor.add(&Int::ONE)
        }
    } else {
        let half = RBig::from_parts(1.into(), 2u8.into());
        Int::from((r.as_rbig() + half).floor())
    }
}

fn num_den(f: Builtin, x: &Value) -> Result<Value, Fault> {
    let num = f == Builtin::Num;
    match x {
        Value::Int(_) if num => Ok(x.clone()),
        Value::Int(_) => Ok(Value::from_i64(1)),
        Value::Rat(r) if num => Ok(Value::from_ibig(r.numerator().clone())),
        Value::Rat(r) => Ok(Value::Int(Int::from(r.denominator().clone()))),
        Value::Float(_) => Err(Fault::Domain(format!(
            "{} needs an exact number, got the float {}",
            f.name(),
            describe(x)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Arity;
    use crate::value::test_support::{f, i, lim, q, without_hanging};
    use dashu::integer::IBig;

    fn c(b: Builtin, args: &[Value]) -> Result<Value, Fault> {
        call(b, args, &lim())
    }
    fn ok(b: Builtin, args: &[Value]) -> Value {
        c(b, args).unwrap()
    }
    fn domain(r: Result<Value, Fault>) -> bool {
        matches!(r, Err(Fault::Domain(_)))
    }

    #[test]
    fn wrong_argument_counts_are_faults() {
        for &b in Builtin::ALL {
            let n = match b.arity() {
                Arity::Exactly(n) => n + 1,
                Arity::AtLeast(_) => 0,
                Arity::Between(_, high) => high + 1,
            };
            let args = vec![i(1); n];
            assert!(domain(c(b, &args)), "{b:?}");
            if n >= 2 {
                assert!(domain(c(b, &args[..n - 2])), "{b:?}");
            }
        }
        assert_eq!(
            c(Builtin::Sqrt, &[]),
            Err(Fault::Domain("sqrt takes 1 argument, got 0".into()))
        );
        assert_eq!(
            c(Builtin::Gcd, &[i(1)]),
            Err(Fault::Domain("gcd takes 2 arguments, got 1".into()))
        );
        assert_eq!(
            c(Builtin::Min, &[]),
            Err(Fault::Domain("min takes at least 1 argument, got 0".into()))
        );
    }

    #[test]
    fn abs_values() {
        assert_eq!(ok(Builtin::Abs, &[i(-3)]), i(3));
        assert_eq!(ok(Builtin::Abs, &[i(3)]), i(3));
        assert_eq!(ok(Builtin::Abs, &[q(-1, 3)]), q(1, 3));
        assert_eq!(ok(Builtin::Abs, &[q(1, 3)]), q(1, 3));
        assert_eq!(ok(Builtin::Abs, &[f(-2.5)]), f(2.5));
        assert_eq!(
            ok(Builtin::Abs, &[i(i64::MIN)]).to_string(),
            "9223372036854775808"
        );
    }

    #[test]
    fn min_and_max_compare_exactly() {
        assert_eq!(ok(Builtin::Min, &[i(3)]), i(3));
        assert_eq!(ok(Builtin::Min, &[i(3), i(1), i(2)]), i(1));
        assert_eq!(ok(Builtin::Max, &[i(3), i(1), i(2)]), i(3));
        // the float 0.1 is slightly more than 1/10
        assert_eq!(ok(Builtin::Min, &[f(0.1), q(1, 10)]), q(1, 10));
        assert_eq!(ok(Builtin::Max, &[f(0.1), q(1, 10)]), f(0.1));
        assert_eq!(ok(Builtin::Max, &[q(1, 10), f(0.1)]), f(0.1));
        // ties return the first argument
        assert_eq!(ok(Builtin::Min, &[f(2.0), i(2)]), f(2.0));
        assert_eq!(ok(Builtin::Min, &[i(2), f(2.0)]), i(2));
        assert_eq!(ok(Builtin::Max, &[i(2), f(2.0)]), i(2));
        assert_eq!(ok(Builtin::Max, &[f(2.0), i(2)]), f(2.0));
        assert_eq!(ok(Builtin::Max, &[f(-0.0), i(0)]).to_string(), "-0.0");
        let huge = Value::from_ibig(IBig::from(10).pow(400));
        assert_eq!(ok(Builtin::Max, &[f(f64::MAX), huge.clone()]), huge);
        assert_eq!(ok(Builtin::Min, &[q(-1, 2), i(-1), f(-0.75)]), i(-1));
    }

    #[test]
    fn gcd_and_lcm() {
        assert_eq!(ok(Builtin::Gcd, &[i(12), i(18)]), i(6));
        assert_eq!(ok(Builtin::Gcd, &[i(-12), i(18)]), i(6));
        assert_eq!(ok(Builtin::Gcd, &[i(12), i(-18)]), i(6));
        assert_eq!(ok(Builtin::Gcd, &[i(0), i(0)]), i(0));
        assert_eq!(ok(Builtin::Gcd, &[i(0), i(-5)]), i(5));
        assert_eq!(
            ok(Builtin::Gcd, &[i(i64::MIN), i(0)]).to_string(),
            "9223372036854775808"
        );
        let a = Value::from_ibig(IBig::from(2).pow(100) * 3);
        let b = Value::from_ibig(IBig::from(2).pow(80) * 5);
        assert_eq!(
            ok(Builtin::Gcd, &[a.clone(), b.clone()]),
            Value::from_ibig(IBig::from(2).pow(80))
        );
        assert_eq!(
            ok(Builtin::Lcm, &[a, b]),
            Value::from_ibig(IBig::from(2).pow(100) * 15)
        );
        assert_eq!(ok(Builtin::Lcm, &[i(4), i(6)]), i(12));
        assert_eq!(ok(Builtin::Lcm, &[i(-4), i(6)]), i(12));
        assert_eq!(ok(Builtin::Lcm, &[i(0), i(6)]), i(0));
        assert_eq!(ok(Builtin::Lcm, &[i(0), i(0)]), i(0));
        assert_eq!(
            c(Builtin::Gcd, &[f(4.0), i(2)]),
            Err(Fault::Domain("gcd needs integers".into()))
        );
        assert!(domain(c(Builtin::Lcm, &[i(4), q(1, 2)])));
        let l = Limits { max_bits: 64 };
        let big = Value::from_ibig(IBig::from(2).pow(63) + 1);
        assert!(matches!(
            call(Builtin::Lcm, &[big.clone(), i(4)], &l),
            Err(Fault::TooLarge(_))
        ));
        assert_eq!(call(Builtin::Lcm, &[big.clone(), i(3)], &l), Ok(big)); // 3 divides 2^63 + 1
    }

    #[test]
    fn combinatorics_dispatch() {
        assert_eq!(ok(Builtin::Fact, &[i(5)]), i(120));
        assert_eq!(ok(Builtin::Binom, &[i(5), i(2)]), i(10));
        assert_eq!(ok(Builtin::Binom, &[i(2), i(5)]), i(0));
        assert_eq!(ok(Builtin::Fib, &[i(10)]), i(55));
        assert_eq!(ok(Builtin::Isqrt, &[i(17)]), i(4));
        assert_eq!(ok(Builtin::Sqrt, &[q(9, 4)]), q(3, 2));
    }

    #[test]
    fn floor_ceil_round() {
        let r = |x: Value| ok(Builtin::Round, &[x]);
        assert_eq!(ok(Builtin::Floor, &[q(7, 2)]), i(3));
        assert_eq!(ok(Builtin::Floor, &[q(-7, 2)]), i(-4));
        assert_eq!(ok(Builtin::Ceil, &[q(7, 2)]), i(4));
        assert_eq!(ok(Builtin::Ceil, &[q(-7, 2)]), i(-3));
        assert_eq!(ok(Builtin::Floor, &[i(5)]), i(5));
        assert_eq!(ok(Builtin::Floor, &[f(-2.5)]), i(-3));
        assert_eq!(ok(Builtin::Ceil, &[f(-2.5)]), i(-2));
        assert_eq!(ok(Builtin::Ceil, &[f(-0.5)]), i(0));
        // half to even
        assert_eq!(r(q(1, 2)), i(0));
        assert_eq!(r(q(3, 2)), i(2));
        assert_eq!(r(q(5, 2)), i(2));
        assert_eq!(r(q(-1, 2)), i(0));
        assert_eq!(r(q(-3, 2)), i(-2));
        assert_eq!(r(q(-5, 2)), i(-2));
        assert_eq!(r(q(7, 3)), i(2));
        assert_eq!(r(q(8, 3)), i(3));
        assert_eq!(r(q(-7, 3)), i(-2));
        assert_eq!(r(q(-8, 3)), i(-3));
        assert_eq!(r(f(0.5)), i(0));
        assert_eq!(r(f(1.5)), i(2));
        assert_eq!(r(f(2.5)), i(2));
        assert_eq!(r(f(-2.5)), i(-2));
        assert_eq!(r(f(2.6)), i(3));
        assert_eq!(r(i(7)), i(7));
        // huge floats give exact integers
        let big = ok(Builtin::Floor, &[f(1e300)]);
        assert!(matches!(big, Value::Int(_)));
        assert_eq!(big.to_string().len(), 301);
        assert_eq!(
            ok(Builtin::Round, &[f(-1e20)]).to_string(),
            "-100000000000000000000"
        );
        let l = Limits { max_bits: 64 };
        assert!(matches!(
            call(Builtin::Floor, &[f(1e300)], &l),
            Err(Fault::TooLarge(_))
        ));
    }

    #[test]
    fn numerator_and_denominator() {
        assert_eq!(ok(Builtin::Num, &[i(5)]), i(5));
        assert_eq!(ok(Builtin::Den, &[i(5)]), i(1));
        assert_eq!(ok(Builtin::Num, &[q(-3, 4)]), i(-3));
        assert_eq!(ok(Builtin::Den, &[q(-3, 4)]), i(4));
        assert_eq!(
            c(Builtin::Num, &[f(0.5)]),
            Err(Fault::Domain(
                "num needs an exact number, got the float 0.5".into()
            ))
        );
        assert!(domain(c(Builtin::Den, &[f(2.0)])));
    }

    #[test]
    fn float_and_exact() {
        assert_eq!(ok(Builtin::Float, &[q(1, 4)]), f(0.25));
        assert_eq!(ok(Builtin::Float, &[i(2)]), f(2.0));
        assert_eq!(ok(Builtin::Float, &[f(2.5)]), f(2.5));
        let huge = Value::from_ibig(IBig::from(10).pow(400));
        assert!(matches!(
            c(Builtin::Float, &[huge]),
            Err(Fault::TooLarge(_))
        ));
        assert_eq!(
            ok(Builtin::Exact, &[f(0.1)]),
            Value::from_rbig(RBig::from_parts(
                3602879701896397i64.into(),
                36028797018963968u64.into()
            ))
        );
        // the denominator is 2^55, so it prints as a terminating decimal
        assert_eq!(
            ok(Builtin::Exact, &[f(0.1)]).to_string(),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
        assert_eq!(ok(Builtin::Exact, &[f(2.0)]), i(2));
        assert_eq!(ok(Builtin::Exact, &[q(1, 3)]), q(1, 3));
        let l = Limits { max_bits: 64 };
        assert!(matches!(
            call(Builtin::Exact, &[f(1e-300)], &l),
            Err(Fault::TooLarge(_))
        ));
    }

    #[test]
    fn float_functions_dispatch() {
        assert_eq!(ok(Builtin::Exp, &[i(0)]), f(1.0));
        assert_eq!(ok(Builtin::Ln, &[i(1)]), f(0.0));
        assert_eq!(ok(Builtin::Log2, &[i(8)]), f(3.0));
        assert_eq!(ok(Builtin::Log10, &[i(100)]), f(2.0));
        assert_eq!(ok(Builtin::Sin, &[i(0)]), f(0.0));
        assert_eq!(ok(Builtin::Cos, &[i(0)]), f(1.0));
        assert_eq!(ok(Builtin::Tan, &[i(0)]), f(0.0));
        assert!(domain(c(Builtin::Ln, &[i(0)])));
    }

    #[test]
    fn delay_and_busy_validate_and_pass_through() {
        for b in [Builtin::Delay, Builtin::Busy] {
            assert_eq!(ok(b, &[i(7), i(10)]), i(7));
            assert_eq!(ok(b, &[q(1, 3), f(2.5)]), q(1, 3));
            assert_eq!(ok(b, &[f(1.5), q(1, 2)]), f(1.5));
            assert_eq!(ok(b, &[i(1), i(0)]), i(1));
            assert!(domain(c(b, &[i(1), i(-1)])));
            assert!(domain(c(b, &[i(1), f(-0.5)])));
            assert!(domain(c(b, &[i(1), q(-1, 2)])));
            assert!(domain(c(
                b,
                &[i(1), Value::from_ibig(IBig::from(10).pow(400))]
            )));
        }
        assert_eq!(duration_ms(&i(250)), Ok(250.0));
        assert_eq!(duration_ms(&q(1, 4)), Ok(0.25));
        assert_eq!(
            duration_ms(&f(-0.0)).map(|x| x.to_bits()),
            Ok(0f64.to_bits())
        );
        assert_eq!(duration_ms(&f(1e12)), Ok(1e12));
        assert_eq!(
            duration_ms(&i(-5)),
            Err(Fault::Domain("the duration -5 is negative".into()))
        );
        assert!(domain(duration_ms(&f(1.5e12)).map(Value::Float)));
        let d = duration_ms(&f(MAX_DURATION_MS)).unwrap();
        let _ = std::time::Duration::from_secs_f64(d / 1000.0);
    }

    #[test]
    fn huge_arguments_are_refused_quickly() {
        without_hanging(|| {
            assert!(matches!(
                c(Builtin::Fact, &[i(1_000_000_000)]),
                Err(Fault::TooLarge(_))
            ));
            assert!(matches!(
                c(Builtin::Fib, &[i(1_000_000_000_000)]),
                Err(Fault::TooLarge(_))
            ));
            assert!(matches!(
                c(Builtin::Binom, &[i(1_000_000_000), i(500_000_000)]),
                Err(Fault::TooLarge(_))
            ));
        });
    }
}
