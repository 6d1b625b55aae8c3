//! The built-in function names and their arities.

use std::fmt;

/// A built-in function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `abs(x)`
    Abs,
    /// `min(x, ...)`: the least argument (exact comparison; ties keep the first).
    Min,
    /// `max(x, ...)`: the greatest argument (exact comparison; ties keep the first).
    Max,
    /// `gcd(a, b)`: non-negative greatest common divisor of two integers.
    Gcd,
    /// `lcm(a, b)`: non-negative least common multiple of two integers.
    Lcm,
    /// `fact(n)`: `n!`.
    Fact,
    /// `binom(n, k)`: binomial coefficient, 0 for `k > n`.
    Binom,
    /// `fib(n)`: Fibonacci number, `fib(0) = 0`.
    Fib,
    /// `isqrt(n)`: integer square root.
    Isqrt,
    /// `sqrt(x)`: exact for squares of rationals, else a float.
    Sqrt,
    /// `floor(x)`: an integer.
    Floor,
    /// `ceil(x)`: an integer.
    Ceil,
    /// `round(x)`: an integer, half to even.
    Round,
    /// `num(q)`: numerator of an exact value.
    Num,
    /// `den(q)`: denominator of an exact value.
    Den,
    /// `float(x)`: convert to a float.
    Float,
    /// `exact(x)`: convert to an exact value (the float's exact binary value).
    Exact,
    /// `ln(x)`: natural logarithm.
    Ln,
    /// `exp(x)`: exponential.
    Exp,
    /// `log2(x)`: base-2 logarithm.
    Log2,
    /// `log10(x)`: base-10 logarithm.
    Log10,
    /// `sin(x)` (radians).
    Sin,
    /// `cos(x)` (radians).
    Cos,
    /// `tan(x)` (radians).
    Tan,
    /// `delay(x, ms)`: `x`, available `ms` milliseconds later (simulated I/O).
    Delay,
    /// `busy(x, ms)`: `x`, after `ms` milliseconds of CPU work.
    Busy,
    /// `__panic(x)`: panics when evaluated. Test-only: it exists only with
    /// the `fault-injection` cargo feature (which the crate's own tests turn
    /// on through a dev-dependency on itself), to check that a panic inside
    /// an operation becomes an error of that expression and that the engine
    /// survives it. Not in [`Builtin::ALL`], so it is never listed.
    #[cfg(feature = "fault-injection")]
    Panic,
}

impl Builtin {
    /// Every built-in function, in a stable order (for completion lists).
    pub const ALL: &[Builtin] = &[
        Builtin::Abs,
        Builtin::Min,
        Builtin::Max,
        Builtin::Gcd,
        Builtin::Lcm,
        Builtin::Fact,
        Builtin::Binom,
        Builtin::Fib,
        Builtin::Isqrt,
        Builtin::Sqrt,
        Builtin::Floor,
        Builtin::Ceil,
        Builtin::Round,
        Builtin::Num,
        Builtin::Den,
        Builtin::Float,
        Builtin::Exact,
        Builtin::Ln,
        Builtin::Exp,
        Builtin::Log2,
        Builtin::Log10,
        Builtin::Sin,
        Builtin::Cos,
        Builtin::Tan,
        Builtin::Delay,
        Builtin::Busy,
    ];

    /// The function named `name` (case-sensitive), if any.
    pub fn from_name(name: &str) -> Option<Builtin> {
        #[cfg(feature = "fault-injection")]
        if name == Builtin::Panic.name() {
            return Some(Builtin::Panic);
        }
        Builtin::ALL.iter().copied().find(|b| b.name() == name)
    }

    /// The function's name as written in expressions.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Abs => "abs",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Gcd => "gcd",
            Builtin::Lcm => "lcm",
            Builtin::Fact => "fact",
            Builtin::Binom => "binom",
            Builtin::Fib => "fib",
            Builtin::Isqrt => "isqrt",
            Builtin::Sqrt => "sqrt",
            Builtin::Floor => "floor",
            Builtin::Ceil => "ceil",
            Builtin::Round => "round",
            Builtin::Num => "num",
            Builtin::Den => "den",
            Builtin::Float => "float",
            Builtin::Exact => "exact",
            Builtin::Ln => "ln",
            Builtin::Exp => "exp",
            Builtin::Log2 => "log2",
            Builtin::Log10 => "log10",
            Builtin::Sin => "sin",
            Builtin::Cos => "cos",
            Builtin::Tan => "tan",
            Builtin::Delay => "delay",
            Builtin::Busy => "busy",
            #[cfg(feature = "fault-injection")]
            Builtin::Panic => "__panic",
        }
    }

    /// How many arguments the function takes.
    pub fn arity(self) -> Arity {
        match self {
            Builtin::Min | Builtin::Max => Arity::AtLeast(1),
            Builtin::Gcd | Builtin::Lcm | Builtin::Binom | Builtin::Delay | Builtin::Busy => {
                Arity::Exactly(2)
            }
            _ => Arity::Exactly(1),
        }
    }
}

impl fmt::Display for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The number of arguments a function accepts: of a built-in, or of a
/// host function (`EngineBuilder::function` takes a `usize` for exactly
/// that many, `n..` for at least `n`, `m..=n` for `m` to `n`).
///
/// ```
/// use exprflow::{Arity, Engine, Value};
/// assert_eq!(Arity::from(2), Arity::Exactly(2));
/// assert!(Arity::from(1..).accepts(5) && !Arity::from(1..=2).accepts(3));
/// let engine = Engine::builder()
///     .function("count", 0.., |args: &[Value]| Ok(Value::from(args.len() as i64)))
///     .build()
///     .unwrap();
/// assert_eq!(engine.eval("count() + count(1, 2, 3)").unwrap().to_string(), "3");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arity {
    /// Exactly this many.
    Exactly(usize),
    /// This many or more.
    AtLeast(usize),
    /// From the first to the second, both included.
    Between(usize, usize),
}

impl Arity {
    /// Whether `n` arguments are acceptable.
    pub fn accepts(self, n: usize) -> bool {
        match self {
            Arity::Exactly(m) => n == m,
            Arity::AtLeast(m) => n >= m,
            Arity::Between(low, high) => (low..=high).contains(&n),
        }
    }

    /// Whether the word after it is singular: `1 argument`.
    pub(crate) fn is_one(self) -> bool {
        matches!(self, Arity::Exactly(1) | Arity::AtLeast(1))
    }
}

/// Exactly `n` arguments.
impl From<usize> for Arity {
    fn from(n: usize) -> Arity {
        Arity::Exactly(n)
    }
}

/// `n..`: at least `n` arguments.
impl From<std::ops::RangeFrom<usize>> for Arity {
    fn from(range: std::ops::RangeFrom<usize>) -> Arity {
        Arity::AtLeast(range.start)
    }
}

/// `m..=n`: from `m` to `n` arguments (exactly `m` when `m == n`).
impl From<std::ops::RangeInclusive<usize>> for Arity {
    fn from(range: std::ops::RangeInclusive<usize>) -> Arity {
        match (*range.start(), *range.end()) {
            (low, high) if low == high => Arity::Exactly(low),
            (low, high) => Arity::Between(low, high),
        }
    }
}

/// `"1"`, `"at least 1"` or `"2 to 3"`.
impl fmt::Display for Arity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arity::Exactly(n) => write!(f, "{n}"),
            Arity::AtLeast(n) => write!(f, "at least {n}"),
            Arity::Between(low, high) => write!(f, "{low} to {high}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(Builtin::ALL.len(), 26);
        for &b in Builtin::ALL {
            assert_eq!(Builtin::from_name(b.name()), Some(b));
            assert_eq!(b.to_string(), b.name());
        }
        let mut names: Vec<_> = Builtin::ALL.iter().map(|b| b.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 26);
        assert_eq!(Builtin::from_name("sqr"), None);
        assert_eq!(Builtin::from_name("SQRT"), None);
        assert_eq!(Builtin::from_name("pi"), None);
    }

    #[test]
    fn arities() {
        assert_eq!(Builtin::Min.arity(), Arity::AtLeast(1));
        assert_eq!(Builtin::Max.arity(), Arity::AtLeast(1));
        for b in [
            Builtin::Gcd,
            Builtin::Lcm,
            Builtin::Binom,
            Builtin::Delay,
            Builtin::Busy,
        ] {
            assert_eq!(b.arity(), Arity::Exactly(2));
        }
        for b in [
            Builtin::Abs,
            Builtin::Sqrt,
            Builtin::Fact,
            Builtin::Tan,
            Builtin::Exact,
        ] {
            assert_eq!(b.arity(), Arity::Exactly(1));
        }
        assert!(Arity::Exactly(2).accepts(2));
        assert!(!Arity::Exactly(2).accepts(1));
        assert!(!Arity::Exactly(2).accepts(3));
        assert!(Arity::AtLeast(1).accepts(1));
        assert!(Arity::AtLeast(1).accepts(10));
        assert!(!Arity::AtLeast(1).accepts(0));
        assert_eq!(Arity::Exactly(1).to_string(), "1");
        assert_eq!(Arity::AtLeast(1).to_string(), "at least 1");
    }
}
