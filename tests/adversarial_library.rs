//! Hostile use of the library's newest features: host functions (panicking,
//! failing, slow, wrong arity, recursion through them, in branches not
//! taken), formulas (`Engine::compile`, `eval_row`, `eval_many` on hostile
//! values, deep and wide formulas) and models (cycles, 100,000 cells,
//! redefinition during concurrent `get`s, edits cancelling a recompute).
//! Everything must end with a clear error or a value: no panic, stack
//! overflow, hang or out-of-memory. Each test runs under a generous time
//! bound ([`bounded`]): a hang is what it catches, not a slow day.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use exprflow::{Engine, ErrorKind, SubmitOptions, Value};

#[path = "support/bounded.rs"]
mod support_bounded;
use support_bounded::bounded;

/// An engine with hostile host functions, counting the calls of `boom`.
fn hostile_engine(workers: usize, booms: &Arc<AtomicUsize>) -> Engine {
    let booms = booms.clone();
    Engine::builder()
        .workers(workers)
        .function("h", 1, |args: &[Value]| Ok(args[0].clone()))
        .function("boom", 1, move |_: &[Value]| -> Result<Value, String> {
            booms.fetch_add(1, Ordering::SeqCst);
            panic!("hostile panic")
        })
        .function("fail", 1, |args: &[Value]| {
            Err(format!("line one\nline two \u{1b}[31m{}", args[0]))
        })
        .function("slow", 1, |args: &[Value]| {
            std::thread::sleep(Duration::from_millis(300));
            Ok(args[0].clone())
        })
        .function("many", usize::MAX, |_: &[Value]| Ok(Value::from(0)))
        .function("none", 0, |_: &[Value]| Ok(Value::from(1)))
        .async_function(
            "ah",
            1,
            |args: Vec<Value>| async move { Ok(args[0].clone()) },
        )
        .volatile_function("vol", 1, |args: &[Value]| Ok(args[0].clone()))
        .build()
        .unwrap()
}

fn engine() -> (Engine, Arc<AtomicUsize>) {
    let booms = Arc::new(AtomicUsize::new(0));
    (hostile_engine(2, &booms), booms)
}

// ---------------------------------------------------------------------------
// Host functions
// ---------------------------------------------------------------------------

#[test]
fn panics_deep_in_a_recursion_are_an_internal_error_of_that_run() {
    bounded(60, || {
        let (engine, booms) = engine();
        let mut session = engine.session();
        session
            .eval("r(n) = if(n == 0, boom(n), r(n - 1) + 1)")
            .unwrap();
        let error = session.eval("r(20000)").unwrap_err();
        assert_eq!(error.kind, ErrorKind::Internal, "{error}");
        assert_eq!(booms.load(Ordering::SeqCst), 1);
        // A panic is not remembered: the same call panics again.
        assert_eq!(
            session.eval("r(20000)").unwrap_err().kind,
            ErrorKind::Internal
        );
        assert_eq!(booms.load(Ordering::SeqCst), 2);
        assert_eq!(
            session.eval("r(10) + 0 * 0").unwrap_err().kind,
            ErrorKind::Internal
        );
        // Many panics at once, on every worker: the engine keeps working.
        let calls: Vec<String> = (0..200).map(|i| format!("boom({i})")).collect();
        assert_eq!(
            engine.eval(calls.join(" + ")).unwrap_err().kind,
            ErrorKind::Internal
        );
        assert_eq!(
            engine.eval("h(2) + ah(3) + vol(4)").unwrap(),
            Value::from(9)
        );
    });
}

#[test]
fn error_messages_of_host_functions_are_kept_as_given() {
    let (engine, _) = engine();
    let text = "1 + fail(5)";
    let error = engine.eval(text).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Domain);
    assert!(error.to_string().starts_with("domain error: line one"));
    assert_eq!(&text[error.span.start..error.span.end], "fail(5)");
}

#[test]
fn wrong_arity_at_both_extremes() {
    bounded(60, || {
        let (engine, _) = engine();
        for text in ["none(1)", "h()", "h(1, 2)", "ah()", "vol(1, 2)", "many(1)"] {
            let error = engine.eval(text).unwrap_err();
            assert_eq!(error.kind, ErrorKind::WrongArity, "{text}: {error}");
        }
        let args = vec!["1"; 100_000].join(",");
        let error = engine.eval(format!("h({args})")).unwrap_err();
        assert_eq!(error.kind, ErrorKind::WrongArity);
        assert_eq!(engine.eval("none()").unwrap(), Value::from(1));
    });
}

#[test]
fn recursion_through_host_functions_uses_no_native_stack() {
    bounded(120, || {
        let (engine, _) = engine();
        let mut session = engine.session();
        session
            .eval("s(n) = if(n <= 0, 0, h(s(n - 1)) + 1)")
            .unwrap();
        session
            .eval("a(n) = if(n <= 0, 0, ah(a(n - 1) + 1))")
            .unwrap();
        session
            .eval("v(n) = if(n <= 0, 0, vol(v(n - 1)) + 1)")
            .unwrap();
        assert_eq!(session.eval("s(50000)").unwrap(), Some(Value::from(50000)));
        assert_eq!(session.eval("a(50000)").unwrap(), Some(Value::from(50000)));
        assert_eq!(session.eval("v(50000)").unwrap(), Some(Value::from(50000)));
        // Endless recursion through a host call stops at the node limit.
        session.eval("e(n) = h(e(n + 1))").unwrap();
        // (or at the memory budget: both say `result too large`).
        let error = session.eval("e(0)").unwrap_err();
        assert!(error.to_string().starts_with("result too large"), "{error}");
    });
}

#[test]
fn host_calls_in_branches_not_taken_are_never_made() {
    let (engine, booms) = engine();
    let taken = engine.eval("if(1, h(2), boom(1)) + if(0, boom(2) + many(1), ah(3))");
    assert_eq!(taken.unwrap(), Value::from(5));
    let mut session = engine.session();
    session
        .eval("f(x) = if(x > 0, x, boom(x) + slow(x))")
        .unwrap();
    assert_eq!(session.eval("f(1) + f(2)").unwrap(), Some(Value::from(3)));
    assert_eq!(booms.load(Ordering::SeqCst), 0);
}

#[test]
fn a_slow_host_function_is_ended_by_a_timeout_and_a_cancel() {
    bounded(60, || {
        let (engine, _) = engine();
        let options = SubmitOptions {
            timeout: Some(Duration::from_millis(50)),
            ..SubmitOptions::default()
        };
        let future = engine
            .submit_with("slow(1) + slow(2) + slow(3)", options)
            .unwrap();
        assert_eq!(future.wait().unwrap_err().kind, ErrorKind::TimedOut);
        let future = engine.submit("slow(4) * slow(5) * slow(6)").unwrap();
        future.cancel();
        assert_eq!(future.wait().unwrap_err().kind, ErrorKind::Cancelled);
        // The workers come back once the running calls return.
        assert_eq!(engine.eval("slow(7) + 1").unwrap(), Value::from(8));
    });
}

// ---------------------------------------------------------------------------
// Formulas
// ---------------------------------------------------------------------------

fn big(text: &str) -> Value {
    Engine::with_workers(1).unwrap().eval(text).unwrap()
}

#[test]
fn formulas_refuse_hostile_values_with_clear_errors() {
    bounded(60, || {
        let (engine, _) = engine();
        let formula = engine.compile("x ^ y + x / y - sqrt(x) * ln(y)").unwrap();
        let huge = big("10^100000");
        let rows: Vec<(Vec<Value>, ErrorKind)> = vec![
            (
                vec![Value::from(1), Value::from(0)],
                ErrorKind::DivisionByZero,
            ),
            (vec![Value::from(-1), Value::from(2)], ErrorKind::Domain),
            (vec![huge.clone(), huge.clone()], ErrorKind::TooLarge),
            (
                vec![Value::try_from(f64::MAX).unwrap(), Value::from(2)],
                ErrorKind::TooLarge,
            ),
            (
                vec![Value::try_from(0.0).unwrap(), Value::try_from(0.0).unwrap()],
                ErrorKind::DivisionByZero,
            ),
            (
                vec![Value::from(4), Value::try_from(-0.0).unwrap()],
                ErrorKind::DivisionByZero,
            ),
            (vec![Value::from(2), Value::from(-5)], ErrorKind::Domain),
        ];
        for (row, kind) in &rows {
            let error = formula.eval_row(row).unwrap_err();
            assert_eq!(error.kind, *kind, "{row:?}: {error}");
        }
        let many: Vec<Vec<Value>> = rows.iter().map(|(r, _)| r.clone()).collect();
        for (outcome, (row, kind)) in formula.eval_many(&many).iter().zip(&rows) {
            assert_eq!(outcome.as_ref().unwrap_err().kind, *kind, "{row:?}");
        }
        // NaN and infinities never become values.
        assert!(Value::try_from(f64::NAN).is_err());
        assert!(Value::try_from(f64::INFINITY).is_err());
        for text in ["exp(x)", "x * x * x", "tan(x) ^ x"] {
            let f = engine.compile(text).unwrap();
            let outcome = f.eval_row(&[Value::try_from(1e300).unwrap()]);
            assert_eq!(outcome.unwrap_err().kind, ErrorKind::TooLarge, "{text}");
        }
        // Rows of the wrong length, each its own error.
        let ragged = vec![vec![], vec![Value::from(1)], vec![Value::from(1); 3]];
        for outcome in formula.eval_many(&ragged) {
            assert_eq!(outcome.unwrap_err().kind, ErrorKind::WrongArity);
        }
    });
}

#[test]
fn deep_and_wide_formulas() {
    bounded(120, || {
        let (engine, _) = engine();
        let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(
            engine.compile(&deep).unwrap_err().kind,
            ErrorKind::NestingTooDeep
        );
        let minuses = format!("{}x", "-".repeat(100_000));
        let formula = engine.compile(&minuses);
        if let Ok(f) = formula {
            assert_eq!(f.eval_row(&[Value::from(3)]).unwrap(), Value::from(3));
        } else {
            assert_eq!(formula.unwrap_err().kind, ErrorKind::NestingTooDeep);
        }
        // Ten thousand inputs, in order of first appearance.
        let names: Vec<String> = (0..10_000).map(|i| format!("v{i}")).collect();
        let formula = engine.compile(names.join(" + ")).unwrap();
        assert_eq!(formula.inputs().len(), 10_000);
        let row: Vec<Value> = (0..10_000).map(Value::from).collect();
        assert_eq!(
            formula.eval_row(&row).unwrap(),
            Value::from(9_999 * 10_000 / 2)
        );
        let rows = vec![row; 100];
        assert!(formula.eval_many(&rows).iter().all(Result::is_ok));
        // A long chain of host calls around one input.
        let text = format!("{}x{}", "h(".repeat(200), ")".repeat(200));
        let f = engine.compile(text).unwrap();
        assert_eq!(f.eval_row(&[Value::from(5)]).unwrap(), Value::from(5));
    });
}

#[test]
fn formula_inputs_that_are_not_right() {
    let (engine, _) = engine();
    let formula = engine.compile("a / b").unwrap();
    let kinds = [
        formula.eval(&[("a", Value::from(1))]).unwrap_err().kind,
        formula
            .eval(&[
                ("a", Value::from(1)),
                ("b", Value::from(2)),
                ("c", Value::from(3)),
            ])
            .unwrap_err()
            .kind,
        formula
            .eval(&[
                ("a", Value::from(1)),
                ("a", Value::from(1)),
                ("b", Value::from(2)),
            ])
            .unwrap_err()
            .kind,
    ];
    assert_eq!(
        kinds,
        [
            ErrorKind::UnknownVariable,
            ErrorKind::UnknownVariable,
            ErrorKind::Domain
        ]
    );
    for bad in ["", "x = 1", "f(x) = x", "1 +", "\u{0}", "a b"] {
        assert_eq!(
            engine.compile(bad).unwrap_err().kind,
            ErrorKind::Syntax,
            "{bad:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

#[test]
fn model_cycles_of_every_size_are_errors() {
    bounded(120, || {
        let (engine, _) = engine();
        let model = engine.model();
        model.define("a = a + 1").unwrap();
        assert!(model.get("a").unwrap_err().to_string().contains("cycle"));
        model.define("p = q * 2\nq = p / 2").unwrap();
        let error = model.get("p").unwrap_err().to_string();
        assert!(error.contains("cycle") && error.contains('p') && error.contains('q'));
        // A cycle of 100,000 cells, and a cell downstream of it.
        let n = 100_000;
        let cells: String = (0..n)
            .map(|i| format!("c{i} = c{} + 1\n", (i + 1) % n))
            .collect();
        let model = engine.model();
        model.define(cells).unwrap();
        model.define("d = c5 * 2").unwrap();
        assert!(model.get("d").unwrap_err().to_string().contains("cycle"));
        // Repaired by redefining one cell of it.
        model.define("c0 = 0").unwrap();
        assert_eq!(model.get("c1").unwrap(), Value::from(n - 1));
    });
}

#[test]
fn a_model_of_a_hundred_thousand_cells() {
    bounded(120, || {
        let (engine, _) = engine();
        let model = engine.model();
        let n = 100_000;
        let cells: String = (1..n).map(|i| format!("c{i} = c{} + k\n", i - 1)).collect();
        model.define(cells).unwrap();
        model.define("c0 = x").unwrap();
        model.set("x", Value::from(0)).unwrap();
        model.set("k", Value::from(1)).unwrap();
        let last = format!("c{}", n - 1);
        assert_eq!(model.get(&last).unwrap(), Value::from(n - 1));
        model.set("x", Value::from(1)).unwrap();
        assert_eq!(model.get(&last).unwrap(), Value::from(n));
        // An unknown cell and a cell that is not a name.
        assert_eq!(
            model.get("nope").unwrap_err().kind,
            ErrorKind::UnknownVariable
        );
        assert!(model.get("1 + 1").is_err());
    });
}

#[test]
fn redefinition_while_other_threads_get() {
    bounded(120, || {
        let (engine, _) = engine();
        let model = Arc::new(engine.model());
        model.define("t = x * k + h(x)").unwrap();
        model.set("x", Value::from(1)).unwrap();
        model.set("k", Value::from(1)).unwrap();
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let model = model.clone();
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        let value = model.get("t").unwrap();
                        let n = i64::try_from(&value).unwrap();
                        assert!((2..=2 + 100 * 100).contains(&n), "{n}");
                    }
                })
            })
            .collect();
        for i in 1..=100 {
            model.set("k", Value::from(i)).unwrap();
            model
                .define(format!("t = x * k + h(x) + {}", i % 2))
                .unwrap();
        }
        for reader in readers {
            reader.join().unwrap();
        }
        assert_eq!(model.get("t").unwrap(), Value::from(101));
    });
}

/// An edit while `get` recomputes makes it compute again with the new
/// definition. The old and new definitions give different values (2 and
/// 101), and the edit comes once the old recompute has surely started
/// (`hold` says so), not after a sleep; `hold` then lets it finish.
#[test]
fn an_edit_during_a_slow_recompute_restarts_it() {
    bounded(60, || {
        let (started_tx, started) = std::sync::mpsc::channel::<()>();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let released = std::sync::Mutex::new(released);
        let started_tx = std::sync::Mutex::new(started_tx);
        let holds = Arc::new(AtomicUsize::new(0));
        let counted = holds.clone();
        let engine = Engine::builder()
            .workers(2)
            .function("hold", 1, move |args: &[Value]| {
                counted.fetch_add(1, Ordering::SeqCst);
                let _ = started_tx.lock().unwrap().send(());
                let _ = released.lock().unwrap().recv();
                Ok(args[0].clone())
            })
            .build()
            .unwrap();
        let model = Arc::new(engine.model());
        model.define("t = hold(x) + 1").unwrap();
        model.set("x", Value::from(1)).unwrap();
        let getter = {
            let model = model.clone();
            std::thread::spawn(move || model.get("t"))
        };
        started.recv().unwrap();
        model.define("t = x + 100").unwrap();
        release.send(()).unwrap();
        let outcome = getter.join().unwrap();
        assert_eq!(outcome.unwrap(), Value::from(101));
        assert_eq!(holds.load(Ordering::SeqCst), 1);
    });
}
