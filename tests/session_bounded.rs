//! SPEC section 5: "memory held only for forgotten names is given back,
//! so a session that runs for days stays bounded". A session's DAG keeps
//! only what its names reach once enough of it is garbage; the answers
//! never change. Public API only (`Session::node_count` counts nodes).

use exprflow::{DagLimits, Engine, Session, Value};

fn limits(max_nodes: usize) -> DagLimits {
    DagLimits {
        max_nodes,
        ..DagLimits::default()
    }
}

/// The case: 33,333 statements `v = i*3+1` once filled a
/// 100,000-node session and then every statement failed, even `1+3`.
/// Here the limit is 5,000 nodes, and all of them succeed.
#[test]
fn a_long_session_under_a_small_node_limit_keeps_working() {
    let mut session = Session::with_limits(limits(5_000));
    let mut most = 0;
    for i in 0..33_333i64 {
        let got = session.eval(format!("v = {i}*3+1"));
        assert_eq!(
            got.ok().flatten(),
            Some(Value::from(i * 3 + 1)),
            "statement {i}"
        );
        most = most.max(session.node_count());
    }
    assert!(most <= 5_000, "{most} nodes");
    assert_eq!(session.eval("1+3").unwrap(), Some(Value::from(4)));
    assert_eq!(session.get("v"), Some(Value::from(33_332 * 3 + 1)));
}

/// The same on an engine's pool, with a function whose memo and
/// environment (the node of `k`) live through collections.
#[test]
fn collections_keep_answers_functions_and_sharing() {
    let engine = Engine::with_workers(2).unwrap();
    let mut session = engine.session();
    session.eval("k = 1000").unwrap();
    session
        .eval("f(n) = if(n < 2, n + k, f(n-1) + f(n-2))")
        .unwrap();
    let first = session.eval("f(60)").unwrap();
    for i in 0..3_000 {
        session.eval(format!("t = {i}^2 + {i}")).unwrap();
        if i % 500 == 0 {
            assert_eq!(session.eval("f(60)").unwrap(), first, "after {i}");
        }
    }
    assert!(session.node_count() < 3_000, "{}", session.node_count());
    assert_eq!(session.eval("f(60)").unwrap(), first);
    // Hash-consing still finds the kept nodes: an equal expression adds
    // no node.
    session.eval("w = (k+1)*(k+1)").unwrap();
    let before = session.node_count();
    session.eval("(k+1)*(k+1)").unwrap();
    assert_eq!(session.node_count(), before);
    // And a fresh session agrees with the long one.
    let mut fresh = engine.session();
    fresh.eval("k = 1000").unwrap();
    fresh
        .eval("f(n) = if(n < 2, n + k, f(n-1) + f(n-2))")
        .unwrap();
    assert_eq!(fresh.eval("f(60)").unwrap(), first);
}

#[test]
fn forgetting_names_gives_their_nodes_back() {
    let mut session = Session::new();
    for i in 0..5_000 {
        session.eval(format!("x{i} = {i} * 7 + 100000")).unwrap();
    }
    session.eval("keep = 6 * 7").unwrap();
    let full = session.node_count();
    assert!(full > 10_000, "{full}");
    for i in 0..5_000 {
        assert!(session.forget(&format!("x{i}")));
    }
    let after = session.node_count();
    assert!(after < 1_000, "{full} nodes, then {after}");
    assert_eq!(session.eval("keep").unwrap(), Some(Value::from(42)));
}

#[test]
fn forgetting_a_big_value_gives_it_back_at_once() {
    let mut session = Session::new();
    session.eval("small = 2 + 3").unwrap();
    session.eval("big = fact(20000)").unwrap();
    session.eval("small").unwrap(); // `_` no longer holds the big value
    let with_big = session.node_count();
    assert!(session.forget("big"));
    assert!(session.node_count() < with_big, "{with_big}");
    assert_eq!(session.eval("small * 2").unwrap(), Some(Value::from(10)));
    session.clear();
    assert_eq!(session.node_count(), 0);
}

/// Statements that use what collections moved: variables bound long ago,
/// `_`, shadowed names, and a user function redefined in between.
#[test]
fn old_bindings_survive_many_collections() {
    let mut session = Session::with_limits(limits(2_000));
    session.eval("a = 2^70").unwrap();
    session.eval("g(x) = x * a").unwrap();
    for i in 0..5_000i64 {
        let v = session.eval(format!("b = a + {i}")).unwrap().unwrap();
        assert_eq!(
            v.to_string(),
            (1i128 << 70).saturating_add(i.into()).to_string()
        );
        if i == 2_500 {
            session.eval("g(x) = x * a + 1").unwrap();
        }
    }
    assert_eq!(session.eval("_ - b").unwrap(), Some(Value::from(0)));
    assert_eq!(
        session.eval("g(2)").unwrap().unwrap().to_string(),
        ((1i128 << 71) + 1).to_string()
    );
}

mod collections_never_change_an_answer {
    use exprflow::{Error, Session};
    use proptest::prelude::*;

    /// A statement over the names `a`, `b`, `c` and the functions `f`, `g`.
    fn statement() -> impl Strategy<Value = String> {
        let name = prop_oneof![Just("a"), Just("b"), Just("c")];
        let atom = prop_oneof![
            (0i64..20).prop_map(|k| k.to_string()),
            name.clone().prop_map(str::to_string),
            (0i64..6).prop_map(|k| format!("f({k})")),
            (0i64..6).prop_map(|k| format!("g({k})")),
            Just("1/0".to_string()),
        ];
        let op = prop_oneof![Just("+"), Just("*"), Just("-"), Just("/")];
        let expr = (atom.clone(), op, atom).prop_map(|(x, op, y)| format!("{x} {op} {y}"));
        prop_oneof![
            3 => (name.clone(), expr.clone()).prop_map(|(n, e)| format!("{n} = {e}")),
            2 => expr,
            1 => (name.clone(), 0i64..9).prop_map(|(n, k)| format!("f(x) = x * {n} + {k}")),
            1 => name.prop_map(|n| format!("g(x) = if(x < 1, {n}, g(x - 1) + f(x))")),
        ]
    }

    /// An outcome as text, an error by its kind, words and the text at
    /// its span (spans themselves move with the filler).
    fn shown(session: &Session, outcome: Result<Option<exprflow::Value>, Error>) -> String {
        match outcome {
            Ok(v) => format!("{v:?}"),
            Err(e) => {
                let at = session
                    .source()
                    .get(e.span.start..e.span.end)
                    .unwrap_or("?");
                format!("{:?} {:?} at {at:?}", e.kind, e.detail)
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// The same statements in a fresh session, and in one where each is
        /// preceded by 400 throwaway statements (so collections run between
        /// them, renumbering the nodes, the memo and the bindings), give the
        /// same outcomes.
        #[test]
        fn with_and_without_collections(statements in proptest::collection::vec(statement(), 1..16)) {
            let mut plain = Session::new();
            let mut collected = Session::new();
            for (k, text) in statements.iter().enumerate() {
                for j in 0..400 {
                    let _ = collected.eval(format!("junk = {k} * 1000 + {j} * 7"));
                }
                collected.forget("junk");
                let outcome = plain.eval(text);
                let expected = shown(&plain, outcome);
                let outcome = collected.eval(text);
                let got = shown(&collected, outcome);
                prop_assert_eq!(&got, &expected, "{}", text);
            }
            // The throwaway statements were collected (else 1,200 nodes each).
            prop_assert!(collected.node_count() < plain.node_count() + 3_000);
        }
    }
}

/// Most of the limit live, a little garbage: near the limit even a small
/// share of garbage is given back, so statements keep working.
#[test]
fn near_the_limit_a_little_garbage_is_worth_collecting() {
    let mut session = Session::with_limits(limits(10_000));
    // About 8,400 live nodes: 2,800 names of three nodes each. Garbage
    // never reaches a quarter of the DAG before the limit.
    for i in 0..2_800 {
        session.eval(format!("k{i} = {i} * 100003 + 7")).unwrap();
    }
    for i in 0..20_000i64 {
        let got = session.eval(format!("v = {i} * 3 + 1")).unwrap();
        assert_eq!(got, Some(Value::from(i * 3 + 1)), "statement {i}");
    }
    assert_eq!(session.get("k2799"), Some(Value::from(2799 * 100003 + 7)));
}
