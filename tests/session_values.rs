//! SPEC section 5, "Sessions hold values as well as text": `set`, `get`,
//! `forget`, `clear`, and a statement that fails binds nothing. Only the
//! public API.

use exprflow::{Engine, ErrorKind, Session, Value};

/// A session on a pool, and one with the sequential evaluator: every
/// rule holds for both.
fn sessions() -> Vec<Session> {
    let engine = Engine::with_workers(2).expect("an engine");
    vec![engine.session(), Session::new()]
}

fn value(session: &mut Session, text: &str) -> String {
    match session.eval(text) {
        Ok(Some(v)) => v.to_string(),
        Ok(None) => "none".to_string(),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn set_binds_a_value_as_an_assignment_would() {
    for mut s in sessions() {
        s.set("x", Value::from(5)).unwrap();
        assert_eq!(value(&mut s, "x * 2"), "10");
        let third = exprflow::eval("1/3").unwrap();
        s.set("y", third.clone()).unwrap();
        assert_eq!(value(&mut s, "y + y"), "2/3");
        assert_eq!(s.get("y"), Some(third));
        // A float stays a float: no text goes between.
        let x = 0.1f64 + 0.2;
        s.set("f", Value::try_from(x).unwrap()).unwrap();
        assert_eq!(s.get("f"), Some(Value::Float(x)));
        assert_eq!(value(&mut s, "f == 0.3"), "0");
        assert_eq!(value(&mut s, "f"), "0.30000000000000004");
        // A later set replaces, as a later assignment shadows.
        s.set("x", Value::from(7)).unwrap();
        assert_eq!(value(&mut s, "x"), "7");
        // Functions called later see the value, as for assignments.
        assert_eq!(s.eval("g(n) = n + x").unwrap(), None);
        assert_eq!(value(&mut s, "g(1)"), "8");
    }
}

#[test]
fn set_refuses_what_is_not_a_name_or_too_large() {
    for mut s in sessions() {
        for bad in ["", "2x", "a b", "x=", "é"] {
            let e = s.set(bad, Value::from(1)).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Syntax, "{bad:?}: {e}");
            assert!(e.to_string().contains("not a name"), "{e}");
        }
        let big = exprflow::eval("2^100000").unwrap();
        let mut small = Session::with_limits(exprflow::DagLimits {
            value: exprflow::ValueLimits { max_bits: 1000 },
            ..Default::default()
        });
        let e = small.set("b", big).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TooLarge, "{e}");
        assert_eq!(small.get("b"), None);
        assert!(s.set("_ok", Value::from(1)).is_ok());
    }
}

#[test]
fn get_gives_the_value_bound_now() {
    for mut s in sessions() {
        assert_eq!(s.get("x"), None);
        s.eval("x = 2^10").unwrap();
        assert_eq!(s.get("x"), Some(Value::from(1024)));
        s.eval("x = x + 1").unwrap();
        assert_eq!(s.get("x"), Some(Value::from(1025)));
        assert_eq!(s.get("_"), Some(Value::from(1025)));
        assert_eq!(s.get("pi"), None, "constants are not session names");
        s.eval("f(x) = x").unwrap();
        assert_eq!(s.get("f"), None, "functions have no value");
    }
}

#[test]
fn a_statement_that_fails_binds_nothing() {
    for mut s in sessions() {
        s.eval("x = 5").unwrap();
        // A syntax error, an evaluation error, an unknown name: x stays.
        for broken in ["x = 2 +* 3", "x = 1/0", "x = nope + 1", "x = sqrt(-1)"] {
            assert!(s.eval(broken).is_err(), "{broken}");
            assert_eq!(s.get("x"), Some(Value::from(5)), "after {broken}");
            assert_eq!(value(&mut s, "x"), "5", "after {broken}");
        }
        // A name never bound stays unbound.
        assert!(s.eval("z = 1/0").is_err());
        assert_eq!(s.get("z"), None);
        let e = s.eval("z + 1").unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnknownVariable, "{e}");
        // `;` is not a statement separator: the whole text is a syntax
        // error, and neither name is bound.
        let e = s.eval("a = 1; b = 2").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Syntax, "{e}");
        assert_eq!((s.get("a"), s.get("b")), (None, None));
        assert_eq!(s.eval("a").unwrap_err().kind, ErrorKind::UnknownVariable);
        // A failing definition keeps the earlier function.
        s.eval("f(x) = x + 1").unwrap();
        assert!(s.eval("f(x) = x +").is_err());
        assert_eq!(value(&mut s, "f(1)"), "2");
    }
}

#[test]
fn a_failed_submitted_assignment_falls_back_to_the_last_good_one() {
    let engine = Engine::with_workers(2).unwrap();
    let mut s = Session::new();
    s.eval_on(&engine, "x = 1").unwrap();
    let first = s.submit(&engine, "x = delay(1/0, 20)").unwrap().unwrap();
    let second = s.submit(&engine, "x = delay(2/0, 10)").unwrap().unwrap();
    // Still running: not assigned yet.
    assert_eq!(s.get("x"), Some(Value::from(1)));
    let outcome = second.wait();
    s.settle(second.node(), &outcome);
    let outcome = first.wait();
    s.settle(first.node(), &outcome);
    assert_eq!(s.get("x"), Some(Value::from(1)));
    assert_eq!(
        s.eval_on(&engine, "x").unwrap().map(|v| v.to_string()),
        Some("1".into())
    );
    // Settling twice, or a node the session never added, changes nothing.
    s.settle(first.node(), &Ok(Value::from(9)));
    assert_eq!(s.get("x"), Some(Value::from(1)));
}

#[test]
fn forget_unbinds_variables_and_functions() {
    for mut s in sessions() {
        s.eval("x = 5").unwrap();
        s.eval("f(n) = n * 2").unwrap();
        assert!(s.forget("x"));
        assert!(!s.forget("x"), "nothing left to forget");
        assert_eq!(s.get("x"), None);
        assert_eq!(s.eval("x").unwrap_err().kind, ErrorKind::UnknownVariable);
        assert!(s.forget("f"));
        assert_eq!(s.eval("f(1)").unwrap_err().kind, ErrorKind::UnknownFunction);
        assert!(!s.forget("never"));
    }
}

#[test]
fn clear_starts_afresh() {
    for mut s in sessions() {
        s.eval("x = 5").unwrap();
        s.eval("g(n) = n").unwrap();
        s.eval("x + 1").unwrap();
        s.clear();
        assert_eq!((s.get("x"), s.get("_")), (None, None));
        assert!(s.functions().is_empty() && s.variables().is_empty());
        assert_eq!((s.node_count(), s.source()), (0, ""));
        // Spans of later errors index into the new text.
        let e = s.eval("1 + y").unwrap_err();
        assert_eq!(&s.source()[e.span.start..e.span.end], "y");
        assert_eq!(value(&mut s, "2 + 3"), "5");
    }
}
