//! Properties of compiled formulas (proptest), written against the public
//! API only: over random formulas and random rows (small and huge
//! integers, rationals, floats, zeros that make errors),
//!
//! - `formula.eval_many(&rows)` equals `formula.eval_row` of each row,
//!   which equals `formula.eval` with named inputs,
//! - and equals `engine.eval` of the text with the row's values
//!   substituted as literals (the same value, printed the same, or the
//!   same error kind and message; spans differ, the texts do),
//!
//! at 1, 2 and 8 workers, with host calls (sync and async) inside the
//! formulas.

use std::sync::OnceLock;

use exprflow::{Engine, Error, Value};
use proptest::prelude::*;
use proptest::test_runner::Config;

const NAMES: [&str; 3] = ["a", "b", "c"];
const WORKERS: [usize; 3] = [1, 2, 8];

/// Engines with two host functions formulas may call: `h(x)` (sync; `x`,
/// or a failure for zero) and `ah(x)` (async: `x` once its future, woken
/// by itself, is polled again; a failure for zero).
fn engines() -> &'static [Engine] {
    static ENGINES: OnceLock<Vec<Engine>> = OnceLock::new();
    ENGINES.get_or_init(|| {
        WORKERS
            .iter()
            .map(|&n| {
                Engine::builder()
                    .workers(n)
                    .function("h", 1, |args: &[Value]| match args {
                        [x] if x.is_zero() => Err("h of zero".to_string()),
                        [x] => Ok(x.clone()),
                        _ => Err("arity".to_string()),
                    })
                    .async_function("ah", 1, |args: Vec<Value>| WakeOnce {
                        outcome: Some(match args.first() {
                            Some(x) if x.is_zero() => Err("ah of zero".to_string()),
                            Some(x) => Ok(x.clone()),
                            None => Err("arity".to_string()),
                        }),
                        woken: false,
                    })
                    .build()
                    .expect("engine")
            })
            .collect()
    })
}

/// A future that wakes itself once, then is ready with its outcome.
struct WakeOnce {
    outcome: Option<Result<Value, String>>,
    woken: bool,
}

impl std::future::Future for WakeOnce {
    type Output = Result<Value, String>;
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        if !self.woken {
            self.woken = true;
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        let outcome = self.outcome.take();
        std::task::Poll::Ready(outcome.unwrap_or_else(|| Err("polled again".to_string())))
    }
}

/// A value of the tower and the literal text that denotes it.
#[derive(Clone, Debug)]
struct Input {
    value: Value,
    literal: String,
}

fn exact(text: String) -> Input {
    Input {
        value: exprflow::eval(&text).expect("an exact literal"),
        literal: format!("({text})"),
    }
}

fn float(x: f64) -> Input {
    let literal = if x == 0.0 && x.is_sign_negative() {
        "(-float(0))".to_string()
    } else {
        format!("float({x:e})")
    };
    Input {
        value: Value::try_from(x).expect("finite"),
        literal,
    }
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        3 => (-6i64..=6).prop_map(|n| exact(n.to_string())),
        1 => Just(exact("0".into())),
        1 => (any::<i64>()).prop_map(|n| exact(n.to_string())),
        1 => (60u32..130, any::<bool>()).prop_map(|(k, neg)| {
            exact(format!("{}2^{k} + {k}", if neg { "-" } else { "" }))
        }),
        2 => (-9i64..=9, 2i64..=7).prop_map(|(p, q)| exact(format!("{p}/{q}"))),
        2 => prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(0.1),
            Just(-2.5),
            Just(1e300),
            Just(-1e-300),
            -1e6f64..1e6,
        ]
        .prop_map(float),
    ]
}

fn float_input() -> impl Strategy<Value = Input> {
    prop_oneof![Just(0.0), Just(-0.0), Just(2.0), Just(1e300), -1e3f64..1e3,].prop_map(float)
}

fn int_input() -> impl Strategy<Value = Input> {
    prop_oneof![
        4 => (-6i64..=6).prop_map(|n| exact(n.to_string())),
        1 => (any::<i64>()).prop_map(|n| exact(n.to_string())),
    ]
}

/// Rows of mixed kinds, of floats only and of integers only (the last two
/// take the typed programs).
fn row() -> impl Strategy<Value = [Input; 3]> {
    prop_oneof![
        [input(), input(), input()],
        [float_input(), float_input(), float_input()],
        [int_input(), int_input(), int_input()],
    ]
}

/// A formula over `a`, `b`, `c` and small literals, fully parenthesised.
fn formula() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        3 => prop::sample::select(NAMES.to_vec()).prop_map(String::from),
        1 => prop::sample::select(vec!["0", "1", "2", "3", "0.5", "1/3", "pi", "-1"])
            .prop_map(|s| format!("({s})")),
    ];
    leaf.prop_recursive(5, 40, 3, |inner| {
        let op = prop::sample::select(vec![
            "+", "-", "*", "/", "//", "%", "<", "<=", "==", "!=", ">",
        ]);
        let unary = prop::sample::select(vec![
            "-", "abs", "sqrt", "floor", "round", "float", "exp", "ln", "sin", "num", "h", "ah",
        ]);
        let exponent = prop::sample::select(vec!["-2", "0", "1", "2", "3", "0.5", "1/3"]);
        prop_oneof![
            4 => (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
            2 => (unary, inner.clone()).prop_map(|(f, a)| match f {
                "-" => format!("(-{a})"),
                f => format!("{f}({a})"),
            }),
            1 => (inner.clone(), exponent).prop_map(|(a, e)| format!("({a} ^ ({e}))")),
            1 => (inner.clone(), prop::sample::select(NAMES.to_vec()))
                .prop_map(|(a, n)| format!("({a} ^ {n})")),
            1 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("if({c}, {a}, {b})")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("min({a}, {b})")),
            1 => (inner.clone(), inner).prop_map(|(a, b)| format!("max({a}, {b})")),
        ]
    })
}

/// `text` with each input name replaced by its literal.
fn substitute(text: &str, names: &[String], row: &[Input]) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for ch in text.chars().chain(std::iter::once(' ')) {
        if ch.is_ascii_alphanumeric() || ch == '_' {
            word.push(ch);
            continue;
        }
        match names.iter().position(|n| *n == word) {
            Some(k) if ch != '(' => out.push_str(&row[k].literal),
            _ => out.push_str(&word),
        }
        word.clear();
        out.push(ch);
    }
    out.pop();
    out
}

/// An outcome in a form to compare: the value as printed (so `-0.0` and
/// `0.0` differ) and its kind, or the error's message.
fn shown(outcome: &Result<Value, Error>) -> String {
    match outcome {
        Ok(v) => format!("{} {v}", v.kind_name()),
        Err(e) => format!("error: {e}"),
    }
}

fn check(text: &str, rows: &[[Input; 3]]) -> Result<(), TestCaseError> {
    for engine in engines() {
        let formula = engine.compile(text).expect("a generated formula parses");
        let names = formula.inputs().to_vec();
        let ordered: Vec<Vec<Input>> = rows
            .iter()
            .map(|row| {
                names
                    .iter()
                    .map(|n| row[NAMES.iter().position(|m| m == n).expect("a name")].clone())
                    .collect()
            })
            .collect();
        let values: Vec<Vec<Value>> = ordered
            .iter()
            .map(|row| row.iter().map(|i| i.value.clone()).collect())
            .collect();
        // Enough copies of the rows that every worker gets chunks.
        let many: Vec<Vec<Value>> = values
            .iter()
            .cycle()
            .take(values.len() * 200)
            .cloned()
            .collect();
        let column = formula.eval_many(&many);
        prop_assert_eq!(column.len(), many.len());
        for (k, row) in ordered.iter().enumerate() {
            let substituted = substitute(text, &names, row);
            let want = shown(&engine.eval(&substituted));
            let named: Vec<(&str, Value)> = names
                .iter()
                .map(String::as_str)
                .zip(values[k].iter().cloned())
                .collect();
            prop_assert_eq!(
                &shown(&formula.eval(&named)),
                &want,
                "eval of {}",
                substituted
            );
            prop_assert_eq!(&shown(&formula.eval_row(&values[k])), &want, "eval_row");
            for (n, outcome) in column.iter().enumerate().skip(k).step_by(values.len()) {
                prop_assert_eq!(&shown(outcome), &want, "eval_many row {}", n);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 160, ..Config::default() })]

    #[test]
    fn eval_many_equals_eval_equals_engine_eval(
        text in formula(),
        rows in prop::collection::vec(row(), 1..5),
    ) {
        check(&text, &rows)?;
    }
}

#[test]
fn the_quadratic_on_floats_integers_and_zeros() {
    let rows = [
        [float(5.0), float(1.0), float(6.0)],
        [exact("5".into()), exact("1".into()), exact("6".into())],
        [exact("5".into()), exact("0".into()), exact("6".into())],
        [float(1.0), float(1.0), float(1.0)],
        [exact("1/3".into()), exact("2".into()), exact("-7".into())],
    ];
    check("(-a + (a^2 - 4*b*c)^0.5) / (2*b)", &rows).unwrap();
}
