use super::program::Ins;
use crate::{Engine, ErrorKind, Value};

fn engine() -> Engine {
    Engine::with_workers(2).unwrap()
}

fn f(x: f64) -> Value {
    Value::try_from(x).unwrap()
}

fn i(n: i64) -> Value {
    Value::from(n)
}

/// The formula on `row` and `engine.eval` of `text` with the inputs as
/// literals agree (value, or error kind and message).
fn agree(text: &str, names: &[&str], literals: &[&str]) {
    let e = engine();
    let formula = e.compile(text).unwrap();
    assert_eq!(formula.inputs(), names);
    let row: Vec<Value> = literals.iter().map(|l| e.eval(l).unwrap()).collect();
    let substituted = substitute(text, names, literals);
    let want = e.eval(&substituted);
    let got = formula.eval_row(&row);
    match (&want, &got) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{text} on {literals:?}"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text} on {literals:?}"),
        _ => panic!("{text} on {literals:?}: {want:?} vs {got:?}"),
    }
}

/// `text` with each whole-word name replaced by its literal in parentheses.
fn substitute(text: &str, names: &[&str], literals: &[&str]) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        match names.iter().position(|n| *n == word) {
            Some(k) if c != '(' => out.push_str(&format!("({})", literals[k])),
            _ => out.push_str(&word),
        }
        word.clear();
        out.push(c);
    }
    out
}

#[test]
fn quadratic_on_floats_and_exact_values() {
    let q = "(-z + (z^2 - 4*x*y)^0.5) / (2*x)";
    agree(q, &["z", "x", "y"], &["float(5)", "float(1)", "float(6)"]);
    agree(q, &["z", "x", "y"], &["5", "1", "6"]);
    agree(q, &["z", "x", "y"], &["1/3", "2", "-7"]);
    agree(q, &["z", "x", "y"], &["5", "0", "6"]); // division by zero
    agree(q, &["z", "x", "y"], &["1", "1", "1"]); // negative base
    agree(q, &["z", "x", "y"], &["float(1e200)", "float(1)", "1"]); // overflow
}

#[test]
fn exact_rules_hold_per_row() {
    agree("a / b", &["a", "b"], &["1", "3"]);
    agree("a / b", &["a", "b"], &["6", "3"]);
    agree("a // b + a % b", &["a", "b"], &["7", "-2"]);
    agree("a // b", &["a", "b"], &["-9223372036854775808", "-1"]);
    agree("a * b", &["a", "b"], &["9223372036854775807", "2"]);
    agree("a ^ b", &["a", "b"], &["2", "100"]);
    agree("a ^ b", &["a", "b"], &["2", "-3"]);
    agree("a ^ b", &["a", "b"], &["0", "-1"]);
    agree("a ^ b", &["a", "b"], &["-8", "1/3"]);
    agree("a ^ b", &["a", "b"], &["2", "2^30"]);
    agree("a == b", &["a", "b"], &["float(0.1)", "1/10"]);
    agree("a < b", &["a", "b"], &["float(2)", "2"]);
    agree("-a + abs(b) + sqrt(a)", &["a", "b"], &["float(2.25)", "-3"]);
    agree("sqrt(a)", &["a"], &["9/4"]);
    agree("sqrt(a)", &["a"], &["float(-1)"]);
    agree("ln(a) + exp(a) + sin(a)", &["a"], &["float(0.5)"]);
    agree("ln(a)", &["a"], &["0"]);
    agree("fact(n) + binom(n, 3) + n!", &["n"], &["20"]);
    agree(
        "min(a, b, 0.1) + max(a, b)",
        &["a", "b"],
        &["float(0.1)", "1/10"],
    );
    agree("floor(a) + ceil(a) + round(a)", &["a"], &["float(2.5)"]);
}

#[test]
fn leftmost_error_and_lazy_if() {
    agree("1/a + sqrt(b)", &["a", "b"], &["0", "-1"]);
    agree("sqrt(b) + 1/a", &["b", "a"], &["-1", "0"]);
    agree("if(c, 2, 1/0)", &["c"], &["1"]);
    agree("if(c, 2, 1/0)", &["c"], &["0"]);
    agree("if(c, x*y, 0) + x*y", &["c", "x", "y"], &["0", "3", "4"]);
    agree("if(c, x*y, 0) + x*y", &["c", "x", "y"], &["1", "3", "4"]);
    agree("if(1/c, x, y)", &["c", "x", "y"], &["0", "3", "4"]);
    agree("if(x > 0, if(y > 0, 1, 2), 3)", &["x", "y"], &["1", "-1"]);
    agree("nosuch(x) + 1/y", &["x", "y"], &["1", "0"]);
    agree("1/y + sqrt(1, 2)", &["y"], &["1"]);
    agree("1/y + sqrt(1, 2)", &["y"], &["0"]);
    agree("x + 1/0", &["x"], &["1"]);
}

#[test]
fn constants_are_folded_and_inputs_are_not_constants() {
    let formula = engine().compile("x * (2 + 3) * pi").unwrap();
    assert_eq!(formula.inputs(), ["x"]);
    let code = &formula.compiled.program.code;
    assert_eq!(code.len(), 2, "{code:?}"); // x * 5, then * pi
    assert!(code.iter().all(|ins| matches!(ins, Ins::Bin { .. })));
    assert_eq!(
        formula.eval_row(&[i(2)]).unwrap(),
        f(10.0 * std::f64::consts::PI)
    );
    // a constant `if` keeps only its branch
    let formula = engine().compile("if(2 > 1, x, 1/0)").unwrap();
    assert_eq!(formula.compiled.program.code.len(), 0);
    assert_eq!(formula.eval_row(&[i(7)]).unwrap(), i(7));
    // hash-consed: x*y once
    let formula = engine().compile("x*y + x*y").unwrap();
    assert_eq!(formula.compiled.program.code.len(), 2);
}

#[test]
fn typed_rows_keep_the_types_of_the_tower() {
    let e = engine();
    let constant = e.compile("if(1, 5, x)").unwrap();
    assert_eq!(constant.eval_row(&[f(1.5)]).unwrap(), i(5));
    let half = e.compile("if(x, 1/2, 0)").unwrap();
    assert_eq!(half.eval_row(&[i(1)]).unwrap().to_string(), "0.5");
    let exact = e.compile("x / 3").unwrap();
    assert_eq!(exact.eval_row(&[i(1)]).unwrap().to_string(), "1/3");
    let float = e.compile("x / 3 + y").unwrap();
    assert_eq!(float.eval_row(&[f(1.5), f(1.0)]).unwrap(), f(1.5));
    assert!(float.compiled.floats.is_some() && float.compiled.integers.is_some());
    assert_eq!(float.eval_row(&[i(6), i(1)]).unwrap(), i(3));
    assert_eq!(float.eval_row(&[f(1.0), f(f64::MAX)]).unwrap(), f(f64::MAX));
    let e2 = float.eval_row(&[f(f64::MAX), f(f64::MAX)]).unwrap_err();
    assert_eq!(e2.kind, ErrorKind::TooLarge);
}

#[test]
fn named_inputs_are_checked() {
    let formula = engine().compile("a + b").unwrap();
    assert_eq!(formula.eval(&[("b", i(1)), ("a", i(2))]).unwrap(), i(3));
    let missing = formula.eval(&[("a", i(2))]).unwrap_err();
    assert_eq!(missing.kind, ErrorKind::UnknownVariable);
    assert_eq!(missing.span, crate::Span::new(4, 5));
    assert!(missing.to_string().contains("`b`"), "{missing}");
    let unknown = formula
        .eval(&[("a", i(2)), ("b", i(1)), ("c", i(0))])
        .unwrap_err();
    assert!(unknown.to_string().contains("`c`"), "{unknown}");
    let twice = formula
        .eval(&[("a", i(2)), ("b", i(1)), ("a", i(0))])
        .unwrap_err();
    assert!(twice.to_string().contains("twice"), "{twice}");
}

#[test]
fn eval_many_keeps_order_and_reports_bad_rows() {
    let formula = engine().compile("x * 2").unwrap();
    let mut rows: Vec<Vec<Value>> = (0..10_000).map(|n| vec![i(n)]).collect();
    rows[17] = vec![];
    rows[18] = vec![i(1), i(2)];
    let out = formula.eval_many(&rows);
    assert_eq!(out.len(), rows.len());
    for (n, outcome) in out.iter().enumerate() {
        match n {
            17 | 18 => assert_eq!(outcome.as_ref().unwrap_err().kind, ErrorKind::WrongArity),
            _ => assert_eq!(outcome.as_ref().unwrap(), &i(2 * n as i64)),
        }
    }
    assert!(formula.eval_many::<Vec<Value>>(&[]).is_empty());
}

#[test]
fn syntax_errors_and_statements_are_refused() {
    let e = engine();
    assert_eq!(e.compile("1 +").unwrap_err().kind, ErrorKind::Syntax);
    assert_eq!(e.compile("x = 1").unwrap_err().kind, ErrorKind::Syntax);
    assert_eq!(e.compile("f(x) = x").unwrap_err().kind, ErrorKind::Syntax);
    assert_eq!(e.compile("").unwrap_err().kind, ErrorKind::Syntax);
    let deep = format!("{}x{}", "(".repeat(5000), ")".repeat(5000));
    assert_eq!(e.compile(deep).unwrap_err().kind, ErrorKind::NestingTooDeep);
}

#[test]
fn a_formula_without_inputs_is_a_constant() {
    let formula = engine().compile("2^10").unwrap();
    assert!(formula.inputs().is_empty());
    assert_eq!(formula.eval::<&str>(&[]).unwrap(), i(1024));
    let formula = engine().compile("1/0").unwrap();
    assert_eq!(
        formula.eval_row(&[]).unwrap_err().kind,
        ErrorKind::DivisionByZero
    );
}

#[test]
fn busy_and_delay_validate_their_durations() {
    let formula = engine().compile("busy(x, ms) + delay(x, ms)").unwrap();
    assert_eq!(formula.eval_row(&[i(2), i(1)]).unwrap(), i(4));
    let e = formula.eval_row(&[i(2), i(-1)]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Domain);
}

#[cfg(feature = "fault-injection")]
#[test]
fn a_panic_is_an_internal_error_of_its_row() {
    let formula = engine().compile("__panic(x)").unwrap();
    let out = formula.eval_many(&[vec![i(1)], vec![i(2)]]);
    assert!(
        out.iter()
            .all(|o| o.as_ref().unwrap_err().kind == ErrorKind::Internal)
    );
}

#[test]
fn host_functions_are_called_per_row() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let engine = Engine::builder()
        .workers(2)
        .function("hyp", 2, |args: &[Value]| {
            let (a, b) = (f64::try_from(&args[0]), f64::try_from(&args[1]));
            let (a, b) = (a.map_err(|e| e.to_string())?, b.map_err(|e| e.to_string())?);
            Value::try_from(a.hypot(b)).map_err(|e| e.to_string())
        })
        .async_function("price", 1, move |args: Vec<Value>| {
            counter.fetch_add(1, Ordering::Relaxed);
            async move {
                match args[0].is_zero() {
                    true => Err("no price for 0".to_string()),
                    false => Ok(args[0].clone()),
                }
            }
        })
        .build()
        .unwrap();
    let formula = engine.compile("hyp(x, 4) + price(x) + price(x)").unwrap();
    assert_eq!(formula.eval_row(&[i(3)]).unwrap(), f(11.0));
    assert_eq!(calls.load(Ordering::Relaxed), 1); // one call per distinct arguments
    let out = formula.eval_many(&[vec![i(3)], vec![i(0)], vec![i(3)]]);
    assert_eq!(out[0].as_ref().unwrap(), &f(11.0));
    let error = out[1].as_ref().unwrap_err();
    assert_eq!(error.kind, ErrorKind::Domain);
    assert!(error.to_string().contains("no price for 0"), "{error}");
    assert_eq!(calls.load(Ordering::Relaxed), 3); // rows 1 and 3 share price(3)
    assert_eq!(
        engine
            .compile("hyp(x)")
            .unwrap()
            .eval_row(&[i(1)])
            .unwrap_err()
            .kind,
        ErrorKind::WrongArity
    );
}

/// A cancelled evaluation (a model's stale recompute) stops a row's
/// `busy` and `delay` at once (without the token they would take 20 s:
/// the hang is what fails).
#[test]
fn a_cancelled_row_stops_its_waits() {
    let engine = crate::Engine::with_workers(1).unwrap();
    let cancel = crate::eval::CancelToken::new();
    cancel.cancel();
    for text in ["busy(x, 20000) + 1", "delay(x, 20000) * 2"] {
        let formula = engine.compile(text).unwrap();
        let started = std::time::Instant::now();
        let e = formula.eval_row_until(&[i(1)], &cancel).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Cancelled, "{text}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{text}"
        );
    }
}
