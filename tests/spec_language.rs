//! Every example of the spec's sections 1 and 2, through the library, with
//! the sequential evaluator and the pool (1, 2, 3, 4 and 8 workers) agreeing.

use exprflow::{Engine, ErrorKind};

#[path = "support/agree.rs"]
mod agree;
use agree::{engines, show};

fn kind(text: &str) -> ErrorKind {
    let sequential = exprflow::eval(text).expect_err(text);
    for engine in engines() {
        assert_eq!(
            engine.eval(text).expect_err(text).kind,
            sequential.kind,
            "{text}"
        );
    }
    sequential.kind
}

#[test]
fn mission_example() {
    assert_eq!(show("(3+7)*(2+8)*((2*3)-1)"), "500");
}

#[test]
fn precedence_examples_match_python() {
    for (text, expected) in [
        ("-2^2", "-4"),
        ("2^3^2", "512"),
        ("2^-1", "0.5"),
        ("-3!", "-6"),
        ("2^3!", "64"),
        ("2*-3", "-6"),
        ("--3", "3"),
        ("2**3**2", "512"),
        ("-2**2", "-4"),
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
        ("10 - 4 - 3", "3"),
        ("2 ^ -2 ^ 2", "0.0625"),
        ("3 ^ -2 ^ 2", "1/81"),
        ("+3", "3"),
        ("7 // 2 * 2", "6"),
    ] {
        assert_eq!(show(text), expected, "{text}");
    }
}

#[test]
fn literals_are_exact() {
    for (text, expected) in [
        ("42", "42"),
        ("1_000_000", "1000000"),
        ("3.25", "3.25"),
        (".5", "0.5"),
        ("1e3", "1000"),
        ("2.5e-3", "0.0025"),
        ("0.1 + 0.2", "0.3"),
        ("1e-3", "0.001"),
        ("0.1 * 3 == 0.3", "1"),
        ("0.1 * 3 = 0.3", "error"),
    ] {
        if expected == "error" {
            assert_eq!(kind(text), ErrorKind::Syntax);
        } else {
            assert_eq!(show(text), expected, "{text}");
        }
    }
}

#[test]
fn comments_and_whitespace() {
    assert_eq!(show("1 +\t2 # three"), "3");
}

#[test]
fn arithmetic_rules() {
    for (text, expected) in [
        ("1/3", "1/3"),
        ("6/3", "2"),
        ("7 // -2", "-4"),
        ("-7 % 3", "2"),
        ("7 % -3", "-2"),
        ("(7/2) % 1", "0.5"),
        ("2^-1", "0.5"),
        ("0^0", "1"),
        ("4^(1/2)", "2.0"),
        ("float(2) * 3", "6.0"),
        ("2.0 * 3", "6"),
        ("float(1) + 1/2", "1.5"),
        ("5!", "120"),
        ("1/3 + 1/6", "0.5"),
        ("-1/3", "-1/3"),
        ("-5/4", "-1.25"),
    ] {
        assert_eq!(show(text), expected, "{text}");
    }
}

#[test]
fn functions() {
    for (text, expected) in [
        ("abs(-3/4)", "0.75"),
        ("min(3, 1/2, 2.0)", "0.5"),
        ("max(3, 1/2, 2.0)", "3"),
        ("gcd(12, 18)", "6"),
        ("gcd(0, 0)", "0"),
        ("gcd(-4, 6)", "2"),
        ("lcm(4, 6)", "12"),
        ("fact(10)", "3628800"),
        ("binom(5, 2)", "10"),
        ("binom(2, 5)", "0"),
        ("fib(0)", "0"),
        ("fib(10)", "55"),
        ("isqrt(17)", "4"),
        ("sqrt(9/4)", "1.5"),
        ("sqrt(2)", "1.4142135623730951"),
        ("floor(-7/2)", "-4"),
        ("ceil(-7/2)", "-3"),
        ("round(5/2)", "2"),
        ("round(7/2)", "4"),
        ("round(2.5)", "2"),
        ("num(6/4)", "3"),
        ("den(6/4)", "2"),
        ("float(1/4)", "0.25"),
        ("exact(0.5)", "0.5"),
        ("exp(0)", "1.0"),
        ("ln(1)", "0.0"),
        ("log2(8)", "3.0"),
        ("log10(1000)", "3.0"),
        ("sin(0)", "0.0"),
        ("cos(0)", "1.0"),
        ("tan(0)", "0.0"),
        ("delay(7, 1)", "7"),
        ("busy(8, 1)", "8"),
        ("pi", "3.141592653589793"),
        ("e", "2.718281828459045"),
        ("tau", "6.283185307179586"),
    ] {
        assert_eq!(show(text), expected, "{text}");
    }
}

#[test]
fn error_kinds() {
    for (text, expected) in [
        ("1 +", ErrorKind::Syntax),
        ("x + 1", ErrorKind::UnknownVariable),
        ("foo(1)", ErrorKind::UnknownFunction),
        ("gcd(1)", ErrorKind::WrongArity),
        ("1/0", ErrorKind::DivisionByZero),
        ("0^-1", ErrorKind::DivisionByZero),
        ("5 // 0", ErrorKind::DivisionByZero),
        ("5 % 0", ErrorKind::DivisionByZero),
        ("sqrt(-1)", ErrorKind::Domain),
        ("(-8)^(1/3)", ErrorKind::Domain),
        ("fact(-1)", ErrorKind::Domain),
        ("gcd(1/2, 1)", ErrorKind::Domain),
        ("ln(0)", ErrorKind::Domain),
        ("2^2^2^2^2^2", ErrorKind::TooLarge),
        ("10^(10^8)", ErrorKind::TooLarge),
        ("fact(10^9)", ErrorKind::TooLarge),
        ("fib(10^12)", ErrorKind::TooLarge),
        ("exp(1000)", ErrorKind::TooLarge),
        ("float(2)^5000", ErrorKind::TooLarge),
    ] {
        assert_eq!(kind(text), expected, "{text}");
    }
}

#[test]
fn messages_start_with_the_kind_words() {
    let e = exprflow::eval("1/0").unwrap_err();
    assert!(e.to_string().starts_with("division by zero"));
    let e = exprflow::eval("sqrt(-1)").unwrap_err();
    assert!(e.to_string().starts_with("domain error"), "{e}");
    let e = exprflow::eval("(((1)").unwrap_err();
    assert!(e.to_string().starts_with("syntax error"), "{e}");
}

#[test]
fn leftmost_error_wins() {
    // Both sides fail: the left one is reported, however the pool schedules.
    let text = "sqrt(-1) + 1/0";
    assert_eq!(kind(text), ErrorKind::Domain);
    let text = "delay(1/0, 30) + sqrt(-1)";
    assert_eq!(kind(text), ErrorKind::DivisionByZero);
    let text = "delay(1, 50) * busy(2, 1) + (1 // 0) + foo";
    assert_eq!(kind(text), ErrorKind::DivisionByZero);
    let e = exprflow::eval("1 + (2 * (3/0)) + sqrt(-1)").unwrap_err();
    assert_eq!(e.span.start, 9); // `(3/0)`, parentheses included
}

#[test]
fn constants_can_be_shadowed() {
    let engine = Engine::with_workers(2).unwrap();
    let mut session = exprflow::Session::new();
    session.eval_on(&engine, "pi = 3").unwrap();
    assert_eq!(
        session
            .eval_on(&engine, "pi * 2")
            .unwrap()
            .unwrap()
            .to_string(),
        "6"
    );
}

/// Hash-consing across statements: a value computed for an earlier
/// statement is reused, even when later statements were added while it
/// was still running (the session then grows a fork of its DAG).
#[test]
fn a_session_reuses_values_of_statements_still_running_when_others_came() {
    let engine = Engine::with_workers(2).unwrap();
    let mut session = exprflow::Session::new();
    let x = session
        .submit(&engine, "x = delay(5, 300)")
        .unwrap()
        .unwrap();
    session.submit(&engine, "y = 1").unwrap();
    assert_eq!(x.wait().unwrap().to_string(), "5");
    let known: Vec<_> = session
        .variables()
        .into_iter()
        .map(|(name, value)| (name, value.map(|v| v.unwrap().to_string())))
        .collect();
    assert!(known.contains(&("x".into(), Some("5".into()))), "{known:?}");
    let future = session
        .submit(&engine, "x + delay(5, 300) + 1")
        .unwrap()
        .unwrap();
    assert_eq!(future.wait().unwrap().to_string(), "11");
    // Only the two additions were computed: the delay was known.
    assert_eq!(future.shape().map(|s| s.nodes), Some(2));
}

#[test]
fn deep_and_long_inputs() {
    let sum = vec!["1"; 1_000_000].join("+");
    assert_eq!(show(&sum), "1000000");
    let minus = format!("{}5", "-".repeat(1_000_001));
    assert_eq!(show(&minus), "-5");
    let chain = format!("2{}", "^1".repeat(100_000));
    assert_eq!(show(&chain), "2");
    let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
    assert_eq!(kind(&deep), ErrorKind::NestingTooDeep);
}

/// A clone of a session is a session of its own: both may grow (the REPL's
/// `:time` and `:dag` work on clones).
#[test]
fn cloned_sessions_grow_apart() {
    let engine = Engine::with_workers(2).unwrap();
    let mut session = exprflow::Session::new();
    session.eval_on(&engine, "y = 3").unwrap();
    let mut copy = session.clone();
    assert_eq!(
        copy.eval_on(&engine, "3*4 + 1")
            .unwrap()
            .unwrap()
            .to_string(),
        "13"
    );
    assert_eq!(
        copy.eval_on(&engine, "7").unwrap().unwrap().to_string(),
        "7"
    );
    assert_eq!(
        session
            .eval_on(&engine, "2+2")
            .unwrap()
            .unwrap()
            .to_string(),
        "4"
    );
    assert_eq!(
        session
            .eval_on(&engine, "3*4 + y")
            .unwrap()
            .unwrap()
            .to_string(),
        "15"
    );
    assert_eq!(
        copy.eval_on(&engine, "_ * y").unwrap().unwrap().to_string(),
        "21"
    );
}
