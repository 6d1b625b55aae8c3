//! Exact arithmetic checked against values computed outside our arithmetic
//! code. Both evaluators share `value/` (compute.rs calls it), so comparing
//! them cannot catch a wrong sum; here a small, independent model of exact
//! rationals on `i128` (normalised fractions, Python's `//`, `%` and `**`)
//! computes the expected value, and exprflow's `num(e)` and `den(e)` must
//! equal the model's numerator and denominator, on the pool and
//! sequentially. Cases whose intermediate values do not fit the model's
//! `i128` are counted and skipped; most fit (checked at the end).

use exprflow::testing::EngineInternals;
use std::cell::Cell;
use std::sync::Arc;

use exprflow::testing::eval::{CancelToken, evaluate_sequential};
use exprflow::testing::{Batch, BatchOptions};
use exprflow::{Engine, ErrorKind};
use exprflow::{EvalLimits, SubmitOptions};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// An exact rational `n/d`, `d > 0`, in lowest terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rat {
    n: i128,
    d: i128,
}

/// What the model says: a value, a division by zero, or `None` when an
/// intermediate value does not fit in `i128` (the case is skipped).
type Model = Option<Result<Rat, DivisionByZero>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct DivisionByZero;

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Rat {
    fn new(n: i128, d: i128) -> Option<Rat> {
        if d == 0 {
            return None;
        }
        let g = gcd(n, d);
        let sign = if d < 0 { -1 } else { 1 };
        Some(Rat {
            n: (n / g).checked_mul(sign)?,
            d: (d / g).checked_mul(sign)?,
        })
    }
    fn int(n: i128) -> Rat {
        Rat { n, d: 1 }
    }
    fn add(self, o: Rat) -> Option<Rat> {
        let n = self
            .n
            .checked_mul(o.d)?
            .checked_add(o.n.checked_mul(self.d)?)?;
        Rat::new(n, self.d.checked_mul(o.d)?)
    }
    fn neg(self) -> Option<Rat> {
        Some(Rat {
            n: self.n.checked_neg()?,
            d: self.d,
        })
    }
    fn mul(self, o: Rat) -> Option<Rat> {
        Rat::new(self.n.checked_mul(o.n)?, self.d.checked_mul(o.d)?)
    }
    fn recip(self) -> Option<Rat> {
        Rat::new(self.d, self.n)
    }
    /// `floor(self / o)`, `o` not zero.
    fn floor_div(self, o: Rat) -> Option<Rat> {
        let q = self.mul(o.recip()?)?;
        Some(Rat::int(q.n.div_euclid(q.d)))
    }
    fn pow(self, k: i32) -> Option<Rat> {
        let base = if k < 0 { self.recip()? } else { self };
        let mut r = Rat::int(1);
        for _ in 0..k.unsigned_abs() {
            r = r.mul(base)?;
        }
        Some(r)
    }
}

/// An expression tree, printed for exprflow and evaluated by the model.
#[derive(Clone, Debug)]
enum Expr {
    /// An integer literal.
    Int(i64),
    /// A decimal literal `whole.frac` (exact: `1.25` is 5/4).
    Decimal(u32, String),
    Neg(Box<Expr>),
    Bin(Box<Expr>, &'static str, Box<Expr>),
    /// `base ^ k` with an integer literal `k`.
    Pow(Box<Expr>, i32),
}

impl Expr {
    fn text(&self) -> String {
        match self {
            Expr::Int(n) if *n < 0 => format!("({n})"),
            Expr::Int(n) => n.to_string(),
            Expr::Decimal(w, f) => format!("{w}.{f}"),
            Expr::Neg(e) => format!("-({})", e.text()),
            Expr::Bin(a, op, b) => format!("({} {op} {})", a.text(), b.text()),
            Expr::Pow(b, k) => format!("({})^({k})", b.text()),
        }
    }

    /// Left operand first, as the leftmost-error rule reads.
    fn model(&self) -> Model {
        Some(Ok(match self {
            Expr::Int(n) => Rat::int(i128::from(*n)),
            Expr::Decimal(w, f) => {
                let scale = 10i128.pow(f.len() as u32);
                let frac: i128 = f.parse().ok()?;
                Rat::new(i128::from(*w) * scale + frac, scale)?
            }
            Expr::Neg(e) => match e.model()? {
                Ok(v) => v.neg()?,
                err => return Some(err),
            },
            Expr::Pow(b, k) => match b.model()? {
                Ok(v) if v.n == 0 && *k < 0 => return Some(Err(DivisionByZero)),
                Ok(v) => v.pow(*k)?,
                err => return Some(err),
            },
            Expr::Bin(a, op, b) => {
                let a = match a.model()? {
                    Ok(v) => v,
                    err => return Some(err),
                };
                let b = match b.model()? {
                    Ok(v) => v,
                    err => return Some(err),
                };
                let by_zero = b.n == 0 && matches!(*op, "/" | "//" | "%");
                if by_zero {
                    return Some(Err(DivisionByZero));
                }
                match *op {
                    "+" => a.add(b)?,
                    "-" => a.add(b.neg()?)?,
                    "*" => a.mul(b)?,
                    "/" => a.mul(b.recip()?)?,
                    "//" => a.floor_div(b)?,
                    "%" => a.add(b.mul(a.floor_div(b)?)?.neg()?)?,
                    _ => unreachable!("no other operator is generated"),
                }
            }
        }))
    }
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        4 => (-30i64..30).prop_map(Expr::Int),
        1 => any::<i32>().prop_map(|n| Expr::Int(n.into())),
        2 => (0u32..20, "[0-9]{1,3}").prop_map(|(w, f)| Expr::Decimal(w, f)),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 48, 2, |inner| {
        prop_oneof![
            6 => (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/", "//", "%"]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| Expr::Bin(Box::new(a), op, Box::new(b))),
            1 => inner.clone().prop_map(|e| Expr::Neg(Box::new(e))),
            1 => (inner, -3i32..=3).prop_map(|(b, k)| Expr::Pow(Box::new(b), k)),
        ]
    })
}

/// The lines `e`, `num(e)`, `den(e)` evaluated by `workers` workers, or
/// sequentially (`None`): each a printed value or an error kind.
fn evaluate(text: &str, engine: &Engine, workers: Option<usize>) -> Vec<Result<String, ErrorKind>> {
    let source = format!("{text}\nnum({text})\nden({text})\n");
    let batch = Batch::parse(source.as_bytes(), BatchOptions::default());
    let roots = batch.roots();
    assert_eq!(roots.len(), 3, "{source}");
    match workers {
        None => roots
            .iter()
            .map(|&root| {
                evaluate_sequential(
                    &batch.dag,
                    root,
                    &EvalLimits::default(),
                    &CancelToken::new(),
                    &mut |_| {},
                )
                .map(|v| v.to_string())
                .map_err(|e| e.kind)
            })
            .collect(),
        Some(_) => engine
            .submit_all(&Arc::clone(&batch.dag), &roots, SubmitOptions::default())
            .iter()
            .map(|f| f.wait().map(|v| v.to_string()).map_err(|e| e.kind))
            .collect(),
    }
}

#[test]
fn exact_arithmetic_matches_an_independent_rational_model() {
    let engines: Vec<Engine> = [(1, 0), (2, 0), (2, 50_000), (4, 50_000)]
        .into_iter()
        .map(|(workers, fuse)| {
            Engine::builder()
                .workers(workers)
                .fuse_ns(fuse)
                .build()
                .unwrap()
        })
        .collect();
    let (checked, skipped, by_zero) = (Cell::new(0u32), Cell::new(0u32), Cell::new(0u32));
    let mut runner = TestRunner::new(Config {
        cases: 2000,
        ..Config::default()
    });
    let result = runner.run(&(expr(), 0usize..4), |(e, pick)| {
        let text = e.text();
        let Some(expected) = e.model() else {
            skipped.set(skipped.get() + 1);
            return Ok(());
        };
        checked.set(checked.get() + 1);
        if expected.is_err() {
            by_zero.set(by_zero.get() + 1);
        }
        for (who, got) in [
            ("sequential", evaluate(&text, &engines[0], None)),
            ("pool", evaluate(&text, &engines[pick], Some(pick))),
        ] {
            match expected {
                Ok(r) => {
                    // num and den are the model's lowest terms; an integer
                    // prints as one.
                    prop_assert_eq!(&got[1], &Ok(r.n.to_string()), "{} num({})", who, text);
                    prop_assert_eq!(&got[2], &Ok(r.d.to_string()), "{} den({})", who, text);
                    if r.d == 1 {
                        prop_assert_eq!(&got[0], &Ok(r.n.to_string()), "{} {}", who, text);
                    } else {
                        prop_assert!(got[0].is_ok(), "{} {}: {:?}", who, text, got[0]);
                    }
                }
                Err(DivisionByZero) => {
                    for line in &got {
                        prop_assert_eq!(line, &Err(ErrorKind::DivisionByZero), "{} {}", who, text);
                    }
                }
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (checked, skipped, by_zero) = (checked.get(), skipped.get(), by_zero.get());
    eprintln!("{checked} cases checked ({by_zero} division by zero), {skipped} beyond i128");
    assert!(
        checked >= 1800,
        "only {checked} of 2000 cases fit the model"
    );
    assert!(by_zero >= 50, "only {by_zero} divisions by zero");
}
