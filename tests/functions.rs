//! The spec's "Comparisons and `if`" and "Functions" sections, through the
//! library and the binary, with the sequential evaluator and the pool (1, 2,
//! 3 and 8 workers) agreeing.

use std::time::Duration;

use exprflow::{Engine, ErrorKind};

fn engines() -> Vec<Engine> {
    [1, 2, 3, 8]
        .iter()
        .map(|&n| Engine::with_workers(n).unwrap())
        .collect()
}

/// Evaluates `text` every way and checks they agree; returns the display form.
fn show(text: &str) -> String {
    let sequential = exprflow::eval(text);
    for engine in engines() {
        assert_eq!(
            engine.eval(text),
            sequential,
            "{text} on {} workers",
            engine.workers()
        );
    }
    match sequential {
        Ok(v) => v.to_string(),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn comparisons_are_exact_across_the_tower() {
    for (text, expected) in [
        ("1 < 2", "1"),
        ("2 < 1", "0"),
        ("0.1 + 0.2 == 0.3", "1"),
        ("1/3 < 0.34", "1"),
        ("2.0 == 2", "1"),
        ("float(0.1) == 0.1", "0"),
        ("float(0.1) > 1/10", "1"),
        ("3 != 2", "1"),
        ("3 != 3", "0"),
        ("-1 <= -1", "1"),
        ("-1 >= 0", "0"),
        ("2^100 > 2^99 * 1.5", "1"),
        ("1 + 2 == 3", "1"),
        ("1 + (2 == 3)", "1"),
        ("(1 < 2) + (3 > 4)", "1"),
        ("3! == 6", "1"),
        ("3!=6", "1"),
        ("-2^2 == -4", "1"),
    ] {
        assert_eq!(show(text), expected, "{text}");
    }
}

#[test]
fn comparisons_do_not_chain() {
    for text in ["1 < 2 < 3", "1 == 1 == 1", "1 < 2 != 0"] {
        let e = exprflow::eval(text).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Syntax, "{text}");
        assert!(e.to_string().contains("do not chain"), "{text}: {e}");
    }
    assert_eq!(show("(1 < 2) < 3"), "1");
}

#[test]
fn comparisons_print_back_with_the_parentheses_they_need() {
    for text in ["(1 < 2) < 3", "1 < (2 < 3)", "1 + 2 <= 3 * 4"] {
        let (ast, root) = exprflow::syntax::parse_expr(text).unwrap();
        let printed = exprflow::syntax::print(&ast, root);
        let (again, root2) = exprflow::syntax::parse_expr(&printed).unwrap();
        assert!(ast.same_shape(root, &again, root2), "{text} -> {printed}");
    }
}

#[test]
fn if_is_lazy() {
    assert_eq!(show("if(1, 2, 1/0)"), "2");
    assert_eq!(show("if(0, 1/0, 3)"), "3");
    assert_eq!(show("if(0.0, 1, 2)"), "2");
    assert_eq!(show("if(1/2, 10, 20)"), "10");
    assert_eq!(show("if(1/0, 2, 3)"), "error: division by zero");
    assert!(show("if(2 > 1, sqrt(-1), 0)").starts_with("error: domain"));
    assert_eq!(show("if(1 < 2, 10, 20) + if(1 > 2, 10, 20)"), "30");
    assert!(show("if(1, 2)").starts_with("error: wrong number of arguments"));
}

/// The branch not taken is never scheduled: an hour of `busy` or `delay`
/// there costs nothing (the bound only catches a hang).
#[test]
fn the_branch_not_taken_is_never_scheduled() {
    for engine in engines() {
        let future = engine
            .submit_str("if(1, 7, busy(1, 3600000)) + if(0, delay(1, 3600000), 8)")
            .unwrap();
        let value = future.wait_timeout(Duration::from_secs(60)).unwrap();
        assert_eq!(value.to_string(), "15");
        assert_eq!(engine.pending_timers(), 0);
    }
}

/// Nor reported: its nodes have no completion events.
#[test]
fn the_branch_not_taken_is_never_reported() {
    let engine = Engine::builder().workers(2).fuse_ns(0).build().unwrap();
    let batch = exprflow::Batch::parse(b"if(2 > 1, 10 * 7, 3 * 11)", Default::default());
    let batch_roots = batch.roots();
    let dag = std::sync::Arc::new(batch.dag);
    let options = exprflow::eval::SubmitOptions { events: true };
    let futures = engine.submit_all(&dag, &batch_roots, options);
    let value = futures[0].wait().unwrap();
    assert_eq!(value.to_string(), "70");
    let events = futures[0].completions().unwrap();
    let labels: Vec<String> = events
        .try_iter()
        .map(|e| dag.node(e.node).op.label().to_string())
        .collect();
    assert!(labels.contains(&"if".to_string()), "{labels:?}");
    assert!(labels.contains(&"*".to_string()), "{labels:?}");
    assert_eq!(labels.iter().filter(|l| *l == "*").count(), 1, "{labels:?}");
}
