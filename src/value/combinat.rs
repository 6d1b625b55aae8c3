//! Integer combinatorics: `fact` (product tree), `binom` (multiplicative
//! formula or prime factorisation) and `fib` (fast doubling).

use dashu::base::UnsignedAbs;
use dashu::integer::{IBig, UBig};

use super::estimate::{
    check_estimate, check_value, describe, log2_binom, log2_factorial, log2_fib,
};
use super::int::Int;
use super::{Fault, Limits, Value};

/// Largest `n` for which `binom` may sieve the primes up to `n`
/// (an odd-only bitset of `n / 16` bytes).
const SIEVE_MAX: u64 = 1 << 26;

/// A non-negative integer argument of a combinatorial function.
fn natural<'a>(v: &'a Value, fname: &str) -> Result<&'a Int, Fault> {
    match v {
        Value::Int(i) if !i.is_negative() => Ok(i),
        Value::Int(_) => Err(Fault::Domain(format!(
            "{fname} needs a non-negative integer, got {}",
            describe(v)
        ))),
        _ => Err(Fault::Domain(format!(
            "{fname} needs an integer, got the {} {}",
            v.kind_name(),
            describe(v)
        ))),
    }
}

/// `n!`: the factorial of a non-negative integer.
pub(crate) fn fact(x: &Value, limits: &Limits) -> Result<Value, Fault> {
    let n = natural(x, "fact")?;
    let what = || format!("fact({})", describe(x));
    let Some(n) = n.to_u64() else {
        return Err(Fault::TooLarge(format!(
            "{} needs more than 10^20 bits",
            what()
        )));
    };
    check_estimate(log2_factorial(n), limits, what)?;
    let v = Value::Int(Int::from(factorial(n)));
    check_value(v, limits, what)
}

/// `n!` by a balanced product tree.
fn factorial(n: u64) -> UBig {
    let mut leaves = Leaves::default();
    for i in 2..=n {
        leaves.push(i);
    }
    leaves.product()
}

/// `binom(n, k)`: 0 when `k > n`.
pub(crate) fn binom(nv: &Value, kv: &Value, limits: &Limits) -> Result<Value, Fault> {
    let n = natural(nv, "binom")?;
    let k = natural(kv, "binom")?;
    if k > n {
        return Ok(Value::from_i64(0));
    }
    let what = || format!("binom({}, {})", describe(nv), describe(kv));
    let n_minus_k = n.sub(k);
    let k = if n_minus_k < *k { &n_minus_k } else { k };
    let Some(k) = k.to_u64() else {
        // binom(n, k) >= 2^k with k >= 2^64.
        return Err(Fault::TooLarge(format!(
            "{} needs more than 10^19 bits",
            what()
        )));
    };
    let est = match n.to_u64() {
        Some(n) => log2_binom(n, k),
        // n > 2^64 >= k... use log2 C(n,k) ~ k log2 n - log2 k!.
        None => k as f64 * n.log2_abs() - log2_factorial(k),
    };
    check_estimate(est, limits, what)?;
    let result = match (k, n.to_u64()) {
        (0, _) => UBig::ONE,
        (1, _) => n.to_ibig().unsigned_abs(),
        (k, Some(n)) if n <= SIEVE_MAX && (k as f64) * (n as f64).log2() > 2.0 * est + 4096.0 => {
            binom_by_primes(n, k)
        }
        (k, _) => binom_multiplicative(n, k),
    };
    check_value(Value::Int(Int::from(result)), limits, what)
}

/// `n (n-1) ... (n-k+1) / k!`.
fn binom_multiplicative(n: &Int, k: u64) -> UBig {
    let numerator = match n.to_u64() {
        Some(n) => {
            let mut leaves = Leaves::default();
            for i in (n - k + 1)..=n {
                leaves.push(i);
            }
            leaves.product()
        }
        None => {
            let n = n.to_ibig().unsigned_abs();
            product_tree((0..k).map(|i| &n - UBig::from(i)).collect())
        }
    };
    numerator / factorial(k)
}

/// `binom(n, k)` as the product of its prime powers (Legendre/Kummer): the
/// exponent of `p` is the number of carries when adding `k` and `n - k` in
/// base `p` (Kummer), so each prime power factor is at most `n`.
fn binom_by_primes(n: u64, k: u64) -> UBig {
    let m = n - k;
    let mut leaves = Leaves::default();
    for_each_prime(n, |p| {
        let mut factor = 1u64;
        let mut pi = p;
        loop {
            if (n / pi) - (k / pi) - (m / pi) == 1 {
                factor *= p; // p^e <= n by Kummer's theorem, so no overflow
            }
            match pi.checked_mul(p) {
                Some(next) if next <= n => pi = next,
                _ => break,
            }
        }
        if factor > 1 {
            leaves.push(factor);
        }
    });
    leaves.product()
}

/// Calls `f` with every prime up to `n` (at most [`SIEVE_MAX`]) in order.
fn for_each_prime(n: u64, mut f: impl FnMut(u64)) {
    let n = n.min(SIEVE_MAX);
    if n >= 2 {
        f(2);
    }
    if n < 3 {
        return;
    }
    // Index i stands for the odd number 2i + 3.
    let size = usize::try_from((n - 1) / 2).unwrap_or(0);
    let mut composite = vec![0u64; size.div_ceil(64)];
    for i in 0..size {
        if composite[i / 64] >> (i % 64) & 1 != 0 {
            continue;
        }
        let p = 2 * i + 3;
        f(p as u64);
        let Some(square) = p.checked_mul(p) else {
            continue;
        };
        let mut j = (square - 3) / 2;
        while j < size {
            composite[j / 64] |= 1 << (j % 64);
            j += p;
        }
    }
}

/// `fib(n)`, with `fib(0) = 0`, `fib(1) = 1`.
pub(crate) fn fib(x: &Value, limits: &Limits) -> Result<Value, Fault> {
    let n = natural(x, "fib")?;
    let what = || format!("fib({})", describe(x));
    let Some(n) = n.to_u64() else {
        return Err(Fault::TooLarge(format!(
            "{} needs more than 10^19 bits",
            what()
        )));
    };
    check_estimate(log2_fib(n), limits, what)?;
    check_value(Value::Int(Int::from(fibonacci(n))), limits, what)
}

/// `fib(n)` by fast doubling: `F(2k) = F(k) (2 F(k+1) - F(k))`,
/// `F(2k+1) = F(k)^2 + F(k+1)^2`.
fn fibonacci(n: u64) -> IBig {
    if n <= 92 {
        let (mut a, mut b) = (0u64, 1u64);
        for _ in 0..n {
            (a, b) = (b, a + b);
        }
        return IBig::from(a);
    }
    let (mut a, mut b) = (IBig::ZERO, IBig::ONE); // F(0), F(1)
    for bit in (0..u64::BITS - n.leading_zeros()).rev() {
        let c = &a * (IBig::from(2) * &b - &a);
        let d = &a * &a + &b * &b;
        if n >> bit & 1 == 1 {
            (a, b) = (d.clone(), c + d);
        } else {
            (a, b) = (c, d);
        }
    }
    a
}

/// Leaves of a product tree: small factors packed into `u64` words.
#[derive(Default)]
struct Leaves {
    words: Vec<UBig>,
    acc: u64,
}

impl Leaves {
    fn push(&mut self, x: u64) {
        if self.acc == 0 {
            self.acc = x;
        } else if let Some(p) = self.acc.checked_mul(x) {
            self.acc = p;
        } else {
            self.words.push(UBig::from(self.acc));
            self.acc = x;
        }
    }

    fn product(mut self) -> UBig {
        if self.acc != 0 {
            self.words.push(UBig::from(self.acc));
        }
        product_tree(self.words)
    }
}

/// The product of all factors (1 for none), multiplying neighbours pairwise so
/// that the operands of each multiplication have similar sizes.
fn product_tree(mut v: Vec<UBig>) -> UBig {
    if v.is_empty() {
        return UBig::ONE;
    }
    while v.len() > 1 {
        let mut next = Vec::with_capacity(v.len().div_ceil(2));
        let mut it = v.into_iter();
        while let Some(a) = it.next() {
            next.push(match it.next() {
                Some(b) => a * b,
                None => a,
            });
        }
        v = next;
    }
    v.pop().unwrap_or(UBig::ONE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::test_support::{i, lim, without_hanging};
    use dashu::rational::RBig;

    fn naive_binom(n: u64, k: u64) -> UBig {
        let mut r = UBig::ONE;
        for j in 0..k {
            r = r * UBig::from(n - j) / UBig::from(j + 1);
        }
        r
    }

    #[test]
    fn factorials() {
        assert_eq!(fact(&i(0), &lim()), Ok(i(1)));
        assert_eq!(fact(&i(1), &lim()), Ok(i(1)));
        assert_eq!(fact(&i(5), &lim()), Ok(i(120)));
        assert_eq!(fact(&i(20), &lim()), Ok(i(2432902008176640000)));
        assert_eq!(
            fact(&i(30), &lim()).unwrap().to_string(),
            "265252859812191058636308480000000"
        );
        let mut naive = UBig::ONE;
        for j in 1..=500u64 {
            naive *= UBig::from(j);
        }
        assert_eq!(factorial(500), naive);
        let s = fact(&i(3000), &lim()).unwrap().to_string();
        assert_eq!(s.len(), 9131);
    }

    #[test]
    fn factorial_domain() {
        assert!(matches!(fact(&i(-1), &lim()), Err(Fault::Domain(_))));
        assert!(matches!(
            fact(&Value::Float(5.0), &lim()),
            Err(Fault::Domain(_))
        ));
        let half = Value::from_rbig(RBig::from_parts(1.into(), 2u8.into()));
        assert_eq!(
            fact(&half, &lim()),
            Err(Fault::Domain(
                "fact needs an integer, got the rational 0.5".into()
            ))
        );
    }

    #[test]
    fn factorial_refused_instantly() {
        without_hanging(|| {
            assert!(matches!(
                fact(&i(1_000_000_000), &lim()),
                Err(Fault::TooLarge(_))
            ));
            assert!(matches!(
                fact(&i(i64::MAX), &lim()),
                Err(Fault::TooLarge(_))
            ));
            let huge = Value::from_ibig(IBig::from(10).pow(30));
            assert!(matches!(fact(&huge, &lim()), Err(Fault::TooLarge(_))));
        });
        // exact boundary: 20! has 62 bits, 21! has 66
        let l = Limits { max_bits: 62 };
        assert!(fact(&i(20), &l).is_ok());
        assert!(matches!(fact(&i(21), &l), Err(Fault::TooLarge(_))));
    }

    #[test]
    fn binomials() {
        let b = |n: i64, k: i64| binom(&i(n), &i(k), &lim());
        assert_eq!(b(5, 2), Ok(i(10)));
        assert_eq!(b(5, 0), Ok(i(1)));
        assert_eq!(b(5, 5), Ok(i(1)));
        assert_eq!(b(5, 6), Ok(i(0)));
        assert_eq!(b(0, 0), Ok(i(1)));
        assert_eq!(b(7, 1), Ok(i(7)));
        assert_eq!(b(7, 6), Ok(i(7)));
        assert_eq!(b(52, 5), Ok(i(2598960)));
        assert!(matches!(b(-5, 2), Err(Fault::Domain(_))));
        assert!(matches!(b(5, -2), Err(Fault::Domain(_))));
        assert!(matches!(
            binom(&i(5), &Value::Float(2.0), &lim()),
            Err(Fault::Domain(_))
        ));
        for (n, k) in [
            (100u64, 50u64),
            (1000, 3),
            (2000, 1000),
            (3001, 1500),
            (10_000, 5000),
        ] {
            let got = b(n as i64, k as i64).unwrap();
            assert_eq!(got, Value::Int(Int::from(naive_binom(n, k))), "{n} {k}");
        }
    }

    #[test]
    fn binomial_paths_agree() {
        for (n, k) in [(10u64, 5u64), (97, 40), (1000, 500), (4096, 1000)] {
            assert_eq!(binom_by_primes(n, k), naive_binom(n, k), "{n} {k}");
            assert_eq!(binom_multiplicative(&Int::from(n), k), naive_binom(n, k));
        }
    }

    #[test]
    fn binomial_of_huge_n() {
        let n = Value::from_ibig(IBig::from(10).pow(30));
        let r = binom(&n, &i(2), &lim()).unwrap();
        let n30 = IBig::from(10).pow(30);
        let expect = &n30 * (&n30 - IBig::ONE) / IBig::from(2);
        assert_eq!(r, Value::from_ibig(expect));
        assert_eq!(binom(&n, &n, &lim()), Ok(i(1)));
        without_hanging(move || {
            assert!(matches!(
                binom(&n, &i(1_000_000_000), &lim()),
                Err(Fault::TooLarge(_))
            ));
            let half = Value::from_ibig(IBig::from(5) * IBig::from(10).pow(29));
            assert!(matches!(binom(&n, &half, &lim()), Err(Fault::TooLarge(_))));
            assert!(matches!(
                binom(&i(i64::MAX), &i(i64::MAX / 2), &lim()),
                Err(Fault::TooLarge(_))
            ));
            assert!(matches!(
                binom(&i(100_000_000), &i(50_000_000), &lim()),
                Err(Fault::TooLarge(_))
            ));
        });
    }

    #[test]
    fn fibonacci_numbers() {
        let f = |n: i64| fib(&i(n), &lim());
        assert_eq!(f(0), Ok(i(0)));
        assert_eq!(f(1), Ok(i(1)));
        assert_eq!(f(2), Ok(i(1)));
        assert_eq!(f(10), Ok(i(55)));
        assert_eq!(f(92), Ok(i(7540113804746346429)));
        assert_eq!(f(93).unwrap().to_string(), "12200160415121876738");
        assert_eq!(f(100).unwrap().to_string(), "354224848179261915075");
        // fast doubling agrees with iteration
        let (mut a, mut b) = (IBig::ZERO, IBig::ONE);
        for n in 0..400u64 {
            assert_eq!(fibonacci(n), a, "{n}");
            (a, b) = (b.clone(), a + b);
        }
        assert!(matches!(f(-1), Err(Fault::Domain(_))));
        assert!(matches!(
            fib(&Value::Float(3.0), &lim()),
            Err(Fault::Domain(_))
        ));
        without_hanging(|| {
            let f = |n: i64| fib(&i(n), &lim());
            assert!(matches!(f(1_000_000_000_000), Err(Fault::TooLarge(_))));
            assert!(matches!(f(i64::MAX), Err(Fault::TooLarge(_))));
            let huge = Value::from_ibig(IBig::from(10).pow(30));
            assert!(matches!(fib(&huge, &lim()), Err(Fault::TooLarge(_))));
        });
    }

    #[test]
    fn sieve() {
        let mut ps = Vec::new();
        for_each_prime(50, |p| ps.push(p));
        assert_eq!(ps, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47]);
        let mut count = 0;
        for_each_prime(100_000, |_| count += 1);
        assert_eq!(count, 9592);
        let mut none = Vec::new();
        for_each_prime(1, |p| none.push(p));
        assert!(none.is_empty());
    }

    #[test]
    fn product_tree_edge_cases() {
        assert_eq!(product_tree(vec![]), UBig::ONE);
        assert_eq!(Leaves::default().product(), UBig::ONE);
        let mut l = Leaves::default();
        l.push(u64::MAX);
        l.push(u64::MAX);
        assert_eq!(l.product(), UBig::from(u64::MAX) * UBig::from(u64::MAX));
    }
}
