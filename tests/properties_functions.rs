//! Random programs with user functions, recursion, `if` and comparisons
//! agree with an independent reference interpreter (over `i128`, with its
//! own memo) sequentially and at 1, 2, 3 and 8 workers, in sessions and as
//! one batch; also when their bodies wait (`delay` and an async host
//! call), where the pool parks a body's expansion and the sequential
//! evaluator blocks.

use exprflow::testing::{EngineInternals, SessionInternals};
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use exprflow::{Engine, ErrorKind};
use proptest::prelude::*;

#[path = "support/sleep.rs"]
mod sleep;

/// An expression of a body (or of a top-level call's arguments).
#[derive(Clone, Debug)]
enum E {
    Const(i64),
    X,
    Y,
    /// The global variable `v`, looked up where the function is called.
    V,
    Bin(&'static str, Box<E>, Box<E>),
    If(Box<E>, Box<E>, Box<E>),
    /// A call of an earlier function: `g_j((a) % 7, b)`.
    Call(usize, Box<E>, Box<E>),
    /// The function's own recursion on `x - 1` (only in the recursive branch).
    Rec(Box<E>),
    /// Its operand after a wait that holds no worker: `delay(a, 1)` (0) or
    /// the async host call `aw(a)` (1), whose future sleeps 1 ms.
    Wait(u8, Box<E>),
}

const OPS: [&str; 11] = ["+", "-", "*", "//", "%", "<", "<=", ">", ">=", "==", "!="];

fn expr(funcs: usize, allow_rec: bool, waits: bool) -> impl Strategy<Value = E> {
    let leaf = prop_oneof![
        (-5i64..10).prop_map(E::Const),
        Just(E::X),
        Just(E::Y),
        Just(E::V),
    ];
    leaf.prop_recursive(4, 24, 3, move |inner| {
        let mut options: Vec<BoxedStrategy<E>> = vec![
            (0..OPS.len(), inner.clone(), inner.clone())
                .prop_map(|(k, a, b)| E::Bin(OPS[k], Box::new(a), Box::new(b)))
                .boxed(),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| E::If(Box::new(c), Box::new(a), Box::new(b)))
                .boxed(),
        ];
        if funcs > 0 {
            options.push(
                (0..funcs, inner.clone(), inner.clone())
                    .prop_map(|(j, a, b)| E::Call(j, Box::new(a), Box::new(b)))
                    .boxed(),
            );
        }
        if allow_rec {
            options.push(inner.clone().prop_map(|y| E::Rec(Box::new(y))).boxed());
        }
        if waits {
            options.push(
                (0u8..2, inner.clone())
                    .prop_map(|(k, a)| E::Wait(k, Box::new(a)))
                    .boxed(),
            );
        }
        proptest::strategy::Union::new(options)
    })
}

/// A function `g_i(x, y) = if(x <= 0, base, step)`: `step` may recurse on
/// `x - 1`, so every call ends.
#[derive(Clone, Debug)]
struct Func {
    base: E,
    step: E,
}

fn print(e: &E, me: usize) -> String {
    match e {
        E::Const(c) if *c < 0 => format!("({c})"),
        E::Const(c) => c.to_string(),
        E::X => "x".into(),
        E::Y => "y".into(),
        E::V => "v".into(),
        E::Bin(op, a, b) => format!("({} {op} {})", print(a, me), print(b, me)),
        E::If(c, a, b) => format!("if({}, {}, {})", print(c, me), print(a, me), print(b, me)),
        E::Call(j, a, b) => format!("g{j}(({}) % 7, {})", print(a, me), print(b, me)),
        E::Rec(y) => format!("g{me}(x - 1, {})", print(y, me)),
        E::Wait(0, a) => format!("delay({}, 1)", print(a, me)),
        E::Wait(_, a) => format!("aw({})", print(a, me)),
    }
}

/// The reference outcome: a value, or the kind of the first error.
type Out = Result<i128, Kind>;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    DivisionByZero,
    /// Past `i128`: the case is skipped (exprflow has big integers).
    Overflow,
}

struct Reference<'a> {
    funcs: &'a [Func],
    v: i128,
    memo: HashMap<(usize, i128, i128), Out>,
}

impl Reference<'_> {
    fn call(&mut self, i: usize, x: i128, y: i128) -> Out {
        if let Some(out) = self.memo.get(&(i, x, y)) {
            return *out;
        }
        let f = &self.funcs[i];
        let body = if x <= 0 { &f.base } else { &f.step };
        let out = self.eval(body, i, x, y);
        self.memo.insert((i, x, y), out);
        out
    }

    fn eval(&mut self, e: &E, me: usize, x: i128, y: i128) -> Out {
        Ok(match e {
            E::Const(c) => *c as i128,
            E::X => x,
            E::Y => y,
            E::V => self.v,
            E::Bin(op, a, b) => {
                let a = self.eval(a, me, x, y)?;
                let b = self.eval(b, me, x, y)?;
                binary(op, a, b)?
            }
            E::If(c, a, b) => {
                if self.eval(c, me, x, y)? != 0 {
                    self.eval(a, me, x, y)?
                } else {
                    self.eval(b, me, x, y)?
                }
            }
            E::Call(j, a, b) => {
                let a = self.eval(a, me, x, y)?.rem_euclid(7);
                let b = self.eval(b, me, x, y)?;
                self.call(*j, a, b)?
            }
            E::Rec(b) => {
                let b = self.eval(b, me, x, y)?;
                self.call(me, x - 1, b)?
            }
            E::Wait(_, a) => self.eval(a, me, x, y)?,
        })
    }
}

fn binary(op: &str, a: i128, b: i128) -> Out {
    let flag = |c: bool| Ok(i128::from(c));
    match op {
        "+" => a.checked_add(b).ok_or(Kind::Overflow),
        "-" => a.checked_sub(b).ok_or(Kind::Overflow),
        "*" => a.checked_mul(b).ok_or(Kind::Overflow),
        "//" | "%" if b == 0 => Err(Kind::DivisionByZero),
        "//" => Ok(a.div_euclid(b) - i128::from(b < 0 && a.rem_euclid(b) != 0)),
        "%" => {
            let r = a.rem_euclid(b);
            Ok(if b < 0 && r != 0 { r + b } else { r })
        }
        "<" => flag(a < b),
        "<=" => flag(a <= b),
        ">" => flag(a > b),
        ">=" => flag(a >= b),
        "==" => flag(a == b),
        _ => flag(a != b),
    }
}

/// Functions, `v` before and after them, top-level calls `(i, x, y)`.
type Program = (Vec<Func>, i64, i64, Vec<(usize, i64, i64)>);

/// A program whose bodies may wait (`delay`, `aw`) when `waits`.
fn program(waits: bool) -> impl Strategy<Value = Program> {
    (1usize..4).prop_flat_map(move |n| {
        let funcs: Vec<_> = (0..n)
            .map(|i| {
                (expr(i, false, waits), expr(i, true, waits))
                    .prop_map(|(base, step)| Func { base, step })
            })
            .collect();
        (
            funcs,
            -3i64..4,
            -3i64..4,
            prop::collection::vec((0..n, 0i64..6, -4i64..5), 1..5),
        )
    })
}

/// Engines of 1, 2, 3 and 8 workers with the async host function `aw(x)`:
/// `x` after its future has slept 1 ms (woken by another thread).
fn engines() -> &'static [Engine] {
    static ENGINES: OnceLock<Vec<Engine>> = OnceLock::new();
    ENGINES.get_or_init(|| {
        [1, 2, 3, 8]
            .iter()
            .map(|&n| {
                Engine::builder()
                    .workers(n)
                    .async_function("aw", 1, |args: Vec<exprflow::Value>| async move {
                        sleep::sleep(Duration::from_millis(1)).await;
                        Ok(args[0].clone())
                    })
                    .build()
                    .unwrap()
            })
            .collect()
    })
}

fn shown(
    outcome: Result<Option<exprflow::Value>, exprflow::Error>,
) -> Result<String, exprflow::Error> {
    outcome.map(|v| v.map(|v| v.to_string()).unwrap_or_default())
}

/// The program's calls agree with the reference interpreter when
/// evaluated sequentially in a session, and every worker count, in a
/// session and as one batch, gives exactly the sequential outcomes.
fn check((funcs, v1, v2, calls): Program) -> Result<(), TestCaseError> {
    let mut lines = vec![format!("v = {v1}")];
    for (i, f) in funcs.iter().enumerate() {
        lines.push(format!(
            "g{i}(x, y) = if(x <= 0, {}, {})",
            print(&f.base, i),
            print(&f.step, i)
        ));
    }
    lines.push(format!("v = {v2}"));
    let first_call = lines.len();
    for (i, x, y) in &calls {
        lines.push(format!("g{i}({x}, {y})"));
    }
    // The reference.
    let mut reference = Reference {
        funcs: &funcs,
        v: v2 as i128,
        memo: HashMap::new(),
    };
    let expected: Vec<Out> = calls
        .iter()
        .map(|&(i, x, y)| reference.call(i, x as i128, y as i128))
        .collect();
    prop_assume!(!expected.contains(&Err(Kind::Overflow)));
    // Sequentially, in a session.
    let mut sequential = Vec::new();
    let mut session = engines()[0].session();
    let cancel = exprflow::testing::eval::CancelToken::new();
    for line in &lines {
        sequential.push(shown(session.eval_sequential(&engines()[0], line, &cancel)));
    }
    for (k, want) in expected.iter().enumerate() {
        let got = &sequential[first_call + k];
        match (want, got) {
            (Ok(w), Ok(g)) => prop_assert_eq!(&w.to_string(), g, "{}", lines.join("\n")),
            (Err(Kind::DivisionByZero), Err(e)) => {
                prop_assert_eq!(e.kind, ErrorKind::DivisionByZero, "{}", lines.join("\n"))
            }
            _ => prop_assert!(false, "{:?} vs {:?}\n{}", want, got, lines.join("\n")),
        }
    }
    // Every worker count, in a session and as one batch: exactly the
    // sequential outcomes (errors with their spans and call notes).
    let text = lines.join("\n");
    for engine in engines() {
        let mut session = engine.session();
        for (k, line) in lines.iter().enumerate() {
            let got = shown(session.eval_on(engine, line));
            prop_assert_eq!(
                &got,
                &sequential[k],
                "{} workers\n{}",
                engine.workers(),
                text
            );
        }
        let batch = exprflow::testing::Batch::parse_on(engine, text.as_bytes(), Default::default());
        let roots = batch.roots();
        let futures = engine.submit_all(&batch.dag, &roots, Default::default());
        for (k, future) in futures.iter().enumerate().skip(first_call) {
            let got = future.wait().map(|v| v.to_string());
            let want = sequential[k].clone();
            // A batch's spans are offsets into the whole file, a
            // session's too: they agree.
            prop_assert_eq!(got, want, "batch, {} workers\n{}", engine.workers(), text);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn programs_with_functions_agree_with_the_reference(program in program(false)) {
        check(program)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Bodies that wait (`delay`, an async host call) park their expansion
    /// and go on from a timer or a waker on the pool; sequentially they
    /// block. Both paths must give the reference's values and the same
    /// errors.
    #[test]
    fn bodies_that_wait_agree_with_the_reference(program in program(true)) {
        check(program)?;
    }
}
