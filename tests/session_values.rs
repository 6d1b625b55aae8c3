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

mod against_a_model {
    use std::collections::HashMap;

    use exprflow::{Session, Value};
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Assign(usize, i64),
        AssignFailing(usize),
        AssignBroken(usize),
        Set(usize, i64),
        Forget(usize),
        Clear,
        /// Throwaway statements, enough to make the session collect.
        Junk(u16),
    }

    const NAMES: [&str; 4] = ["a", "b", "c", "d"];

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0..4usize, -50i64..50).prop_map(|(n, k)| Op::Assign(n, k)),
            2 => (0..4usize).prop_map(Op::AssignFailing),
            1 => (0..4usize).prop_map(Op::AssignBroken),
            3 => (0..4usize, -50i64..50).prop_map(|(n, k)| Op::Set(n, k)),
            2 => (0..4usize).prop_map(Op::Forget),
            1 => Just(Op::Clear),
            1 => (0..1200u16).prop_map(Op::Junk),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// `get` always gives what a map of the successful assignments,
        /// sets, forgets and clears says, and so do statements using the
        /// names, across collections.
        #[test]
        fn get_follows_the_successful_statements(ops in proptest::collection::vec(op(), 1..40)) {
            let mut session = Session::new();
            let mut model: HashMap<&str, i64> = HashMap::new();
            for op in &ops {
                match *op {
                    Op::Assign(n, k) => {
                        // Through an earlier name when there is one, so
                        // that bindings reach other bindings' nodes.
                        let text = match model.keys().next() {
                            Some(other) => format!("{} = {other} - {other} + ({k})", NAMES[n]),
                            None => format!("{} = {k}", NAMES[n]),
                        };
                        prop_assert!(session.eval(&text).is_ok(), "{}", text);
                        model.insert(NAMES[n], k);
                    }
                    Op::AssignFailing(n) => {
                        let failed = session.eval(format!("{} = 1/0", NAMES[n])).is_err();
                        prop_assert!(failed);
                    }
                    Op::AssignBroken(n) => {
                        let failed = session.eval(format!("{} = 2 +* 3", NAMES[n])).is_err();
                        prop_assert!(failed);
                    }
                    Op::Set(n, k) => {
                        session.set(NAMES[n], Value::from(k)).unwrap();
                        model.insert(NAMES[n], k);
                    }
                    Op::Forget(n) => {
                        prop_assert_eq!(session.forget(NAMES[n]), model.remove(NAMES[n]).is_some());
                    }
                    Op::Clear => {
                        session.clear();
                        model.clear();
                    }
                    Op::Junk(count) => {
                        for j in 0..count {
                            let _ = session.eval(format!("{j} * 7 + {count}"));
                        }
                    }
                }
                for name in NAMES {
                    let expected = model.get(name).map(|&k| Value::from(k));
                    prop_assert_eq!(session.get(name), expected.clone(), "{} after {:?}", name, op);
                    let used = session.eval(format!("{name} * 1")).ok().flatten();
                    prop_assert_eq!(used, expected, "using {} after {:?}", name, op);
                }
            }
        }
    }
}
