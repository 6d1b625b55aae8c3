//! The spec's "Comparisons and `if`" and "Functions" sections, through the
//! library and the binary, with the sequential evaluator and the pool (1, 2,
//! 3, 4 and 8 workers) agreeing.

use exprflow::testing::{EngineInternals, SessionInternals};
use std::time::Duration;

use exprflow::{Engine, ErrorKind};

#[path = "support/agree.rs"]
mod agree;
use agree::{engines, show};
#[path = "support/meeting.rs"]
mod meeting;
use meeting::Meeting;

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
        let (ast, root) = exprflow::testing::syntax::parse_expr(text).unwrap();
        let printed = exprflow::testing::syntax::print(&ast, root);
        let (again, root2) = exprflow::testing::syntax::parse_expr(&printed).unwrap();
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
            .submit("if(1, 7, busy(1, 3600000)) + if(0, delay(1, 3600000), 8)")
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
    let batch = exprflow::testing::Batch::parse(b"if(2 > 1, 10 * 7, 3 * 11)", Default::default());
    let batch_roots = batch.roots();
    let dag = std::sync::Arc::new(batch.dag);
    let options = exprflow::SubmitOptions {
        events: true,
        ..Default::default()
    };
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

/// Runs the statements as one session on every engine and sequentially;
/// checks they agree and returns the last statement's display form.
fn session(statements: &[&str]) -> String {
    let mut shown = Vec::new();
    for engine in engines() {
        let mut s = exprflow::Session::new();
        let mut last = String::new();
        for text in statements {
            last = match s.eval_on(&engine, text) {
                Ok(Some(v)) => v.to_string(),
                Ok(None) => "none".to_string(),
                Err(e) => format!("error: {e}"),
            };
        }
        shown.push(last);
    }
    let mut s = exprflow::Session::new();
    let engine = Engine::with_workers(1).unwrap();
    let cancel = exprflow::testing::eval::CancelToken::new();
    let mut last = String::new();
    for text in statements {
        last = match s.eval_sequential(&engine, text, &cancel) {
            Ok(Some(v)) => v.to_string(),
            Ok(None) => "none".to_string(),
            Err(e) => format!("error: {e}"),
        };
    }
    for other in &shown {
        assert_eq!(other, &last, "{statements:?}");
    }
    last
}

const FIBR: &str = "fibr(n) = if(n < 2, n, fibr(n-1) + fibr(n-2))";

#[test]
fn spec_functions_examples() {
    assert_eq!(session(&["f(x) = x^2", "f(12)"]), "144");
    assert_eq!(session(&["f(x) = x^2"]), "none");
    assert_eq!(session(&["y = 1", "f(x) = x + y", "y = 10", "f(0)"]), "10");
    assert_eq!(session(&["f(x, y) = x - y", "f(10, 3)"]), "7");
    assert_eq!(
        session(&[
            "fib2(n) = if(n < 2, n, fib2(n-1) + fib2(n-2))",
            "fib2(300) == fib(300)"
        ]),
        "1"
    );
    assert_eq!(session(&[FIBR, "fibr(150) == fib(150)"]), "1");
}

#[test]
fn parameters_are_local_and_functions_shadow() {
    // A parameter hides a variable of the same name; the variable is untouched.
    assert_eq!(session(&["x = 100", "f(x) = x + 1", "f(1) + x"]), "102");
    // A later definition shadows an earlier one for the statements after it.
    assert_eq!(
        session(&["f(x) = 1", "a = f(0)", "f(x) = 2", "a * 10 + f(0)"]),
        "12"
    );
    // A user function shadows a built-in; the built-in stays for other names.
    assert_eq!(session(&["sqrt(x) = x + 1", "sqrt(3)"]), "4");
    // Functions and variables are separate namespaces.
    assert_eq!(session(&["f = 5", "f(x) = x * 2", "f(f)"]), "10");
    // Other names are looked up where the function is called.
    assert_eq!(session(&["g(x) = h(x) + 1", "h(x) = x * 10", "g(2)"]), "21");
}

#[test]
fn wrong_arity_and_unknown_names_are_errors_at_the_call() {
    let e = session(&["f(x, y) = x + y", "f(1)"]);
    assert!(e.starts_with("error: wrong number of arguments"), "{e}");
    let e = session(&["f(x) = g(x)", "f(1)"]);
    assert!(e.starts_with("error: unknown function"), "{e}");
    let e = session(&["f(x) = x + nope", "f(1)"]);
    assert!(e.starts_with("error: unknown variable"), "{e}");
    // A parameter named like a constant hides it; an unbound name is a constant.
    assert_eq!(session(&["f(x) = pi > 3", "f(0)"]), "1");
    let e = exprflow::Session::new().eval("if(x) = x").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert!(e.to_string().contains("cannot be redefined"), "{e}");
    let e = exprflow::Session::new().eval("f(x, x) = x").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Syntax);
}

#[test]
fn the_leftmost_rule_applies_inside_bodies() {
    assert_eq!(
        session(&["h(x) = (x/0) + sqrt(-1)", "h(1)"]),
        "error: division by zero"
    );
    assert_eq!(
        session(&["h(x) = sqrt(-x) + x/0", "h(1)"]),
        "error: domain error: sqrt of a negative number"
    );
    // The branch not taken inside a body is never evaluated.
    assert_eq!(session(&["h(x) = if(x > 0, x, 1/0)", "h(5)"]), "5");
    // A missing variable only matters if the body uses it (a failed
    // assignment binds nothing in a session, SPEC section 5).
    assert_eq!(session(&["y = 1/0", "f(x) = if(x, 1, y)", "f(1)"]), "1");
    assert_eq!(
        session(&["y = 1/0", "f(x) = if(x, 1, y)", "f(0)"]),
        "error: unknown variable: `y`"
    );
}

#[test]
fn calls_are_memoised_by_value() {
    let engine = Engine::with_workers(2).unwrap();
    let mut s = exprflow::Session::new();
    s.eval_on(&engine, FIBR).unwrap();
    assert_eq!(
        s.eval_on(&engine, "fibr(150)")
            .unwrap()
            .unwrap()
            .to_string(),
        "9969216677189303386214405760200"
    );
    let calls = s.dag().calls().len();
    assert!((150..=152).contains(&calls), "{calls} distinct calls");
    // Equal argument values from another call site are the same call.
    s.eval_on(&engine, "fibr(140 + 10) + fibr(149)").unwrap();
    assert_eq!(s.dag().calls().len(), calls);
}

#[test]
fn mutual_recursion() {
    let even = "even(n) = if(n == 0, 1, odd(n - 1))";
    let odd = "odd(n) = if(n == 0, 0, even(n - 1))";
    assert_eq!(session(&[even, odd, "even(1001)"]), "0");
    assert_eq!(session(&[even, odd, "even(10000) + odd(7)"]), "2");
}

/// 100,000 nested calls on a thread with a 2 MiB stack: no native
/// recursion, in either evaluator.
#[test]
fn deep_recursion_needs_no_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| session(&["sumto(n) = if(n == 0, 0, n + sumto(n-1))", "sumto(100000)"]))
        .unwrap();
    assert_eq!(handle.join().unwrap(), "5000050000");
}

#[test]
fn endless_recursion_stops_at_the_node_limit() {
    let limits = exprflow::DagLimits {
        max_nodes: 50_000,
        ..Default::default()
    };
    for workers in [1, 2] {
        let engine = Engine::builder()
            .workers(workers)
            .dag_limits(limits)
            .build()
            .unwrap();
        let mut s = exprflow::Session::with_limits(limits);
        s.eval_on(&engine, "loop(x) = loop(x + 1)").unwrap();
        let e = s.eval_on(&engine, "loop(1)").unwrap_err();
        assert_eq!(e.kind, ErrorKind::MemoryBudget, "{e}");
        assert!(e.to_string().starts_with("result too large"), "{e}");
        // Not remembered: a resource verdict.
        assert!(s.dag().calls().len() < 50_000);
    }
    let e = session(&["f(x) = f(x)", "f(1)"]);
    assert!(e.starts_with("error: result too large"), "{e}");
}

#[test]
fn an_error_in_a_body_names_its_calls() {
    let mut s = exprflow::Session::new();
    let engine = Engine::with_workers(2).unwrap();
    s.eval_on(&engine, "inv(x) = 1 / x").unwrap();
    s.eval_on(&engine, "g(x) = inv(x - 1) * 2").unwrap();
    let e = s.eval_on(&engine, "3 + g(1)").unwrap_err();
    assert_eq!(e.kind, ErrorKind::DivisionByZero);
    assert_eq!(&s.source()[e.span.start..e.span.end], "1 / x");
    let calls: Vec<(&str, &str)> = e
        .calls
        .notes
        .iter()
        .map(|(span, call)| (&s.source()[span.start..span.end], &**call))
        .collect();
    assert_eq!(calls, vec![("inv(x - 1)", "inv(0)"), ("g(1)", "g(1)")]);
}

#[test]
fn the_command_line_prints_signatures_and_call_notes() {
    let out = assert_cmd::Command::cargo_bin("exprflow")
        .unwrap()
        .args(["eval", "inv(x) = 1 / x", "inv(4)", "inv(0)"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "inv(x)\n0.25\nerror: division by zero\n"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 | inv(x) = 1 / x"), "{err}");
    assert!(err.contains("in inv(0), called at line 3"), "{err}");
}

#[test]
fn stats_count_calls_and_memo_hits() {
    let text = format!("{FIBR}\nfibr(90)\n");
    let batch = exprflow::testing::Batch::parse(text.as_bytes(), Default::default());
    let engine = Engine::with_workers(2).unwrap();
    let roots = batch.roots();
    for future in engine.submit_all(&batch.dag, &roots, Default::default()) {
        future.wait().unwrap();
    }
    let stats = exprflow::testing::report::Stats::compute(&batch.dag, &roots, &Default::default());
    assert_eq!(stats.calls, 91, "fibr(0) to fibr(90)");
    assert!(stats.memo_hits >= 88, "{}", stats.memo_hits);
    assert!(
        stats.to_string().contains("calls        91 distinct"),
        "{stats}"
    );
}

/// Two independent calls inside one body (`w(x) + w(x + 1)`) run at the
/// same time on a pool. Shown by counting, not timing: each of the four
/// leaf calls waits at a meeting of all four, which completes only if
/// they are all pending at once (calls run one by one would hang; the
/// 30 s bound is only a hang check).
#[test]
fn calls_inside_a_body_run_in_parallel() {
    let meeting = Meeting::new(4);
    let engine = Engine::builder()
        .workers(4)
        .async_function("meet", 1, move |args: Vec<exprflow::Value>| {
            meeting.join(args[0].clone())
        })
        .build()
        .unwrap();
    let mut s = engine.session();
    s.eval("w(x) = meet(x)").unwrap();
    s.eval("pair(x) = w(x) + w(x + 1)").unwrap();
    s.eval("quad(x) = pair(x) + pair(x + 2)").unwrap();
    let future = s.submit(&engine, "quad(1)").unwrap().unwrap();
    let value = future.wait_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(value.to_string(), "10");
    assert_eq!(s.dag().calls().len(), 7);
}

/// Forked branches keep the leftmost rule and the call notes: the left
/// branch's error wins even when the right one fails first or never ends.
#[test]
fn forked_calls_keep_the_leftmost_error() {
    for engine in [
        Engine::with_workers(1).unwrap(),
        Engine::with_workers(4).unwrap(),
    ] {
        let mut s = exprflow::Session::new();
        s.eval_on(&engine, "slow(x) = delay(x, 200) + 1 / x")
            .unwrap();
        s.eval_on(&engine, "quick(x) = 2 / x").unwrap();
        s.eval_on(&engine, "fast(x) = 1 / (x - 1)").unwrap();
        s.eval_on(&engine, "loop(x) = loop(x + 1)").unwrap();
        s.eval_on(&engine, "f(x) = slow(x) + quick(x)").unwrap();
        s.eval_on(&engine, "g(x) = fast(x) + loop(x)").unwrap();
        let e = s.eval_on(&engine, "f(0)").unwrap_err();
        assert_eq!(e.kind, ErrorKind::DivisionByZero);
        assert_eq!(&s.source()[e.span.start..e.span.end], "1 / x");
        let notes: Vec<&str> = e.calls.notes.iter().map(|(_, c)| &**c).collect();
        assert_eq!(notes, ["slow(0)", "f(0)"]);
        let e = s.eval_on(&engine, "g(1)").unwrap_err();
        assert_eq!(e.kind, ErrorKind::DivisionByZero, "{e}");
        let notes: Vec<&str> = e.calls.notes.iter().map(|(_, c)| &**c).collect();
        assert_eq!(notes, ["fast(1)", "g(1)"]);
    }
}

/// A timeout and a cancel stop a forked recursion of hours of work
/// promptly, on every branch (the bound is generous: what is tested is
/// that it stops at all), and the pool is free again afterwards.
#[test]
fn timeout_and_cancel_stop_a_forked_recursion() {
    let engine = Engine::with_workers(2).unwrap();
    let text = "pf(n, k) = if(n < 2, busy(n, 5), pf(n-1, 2*k) + pf(n-2, 2*k+1))\npf(30, 1)";
    let batch = exprflow::testing::Batch::parse(text.as_bytes(), Default::default());
    let call = *batch.roots().last().unwrap();
    let started = std::time::Instant::now();
    let options = exprflow::SubmitOptions {
        timeout: Some(Duration::from_millis(200)),
        ..Default::default()
    };
    let e = engine.submit_all(&batch.dag, &[call], options)[0]
        .wait()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::TimedOut, "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let future = engine
        .submit_all(&batch.dag, &[call], Default::default())
        .remove(0);
    std::thread::sleep(Duration::from_millis(100));
    future.cancel();
    assert_eq!(future.wait().unwrap_err().kind, ErrorKind::Cancelled);
    // Both workers are free again: a quick sum answers at once.
    let value = engine.submit("busy(1, 1) + busy(2, 1)").unwrap();
    let value = value.wait_timeout(Duration::from_secs(20)).unwrap();
    assert_eq!(value.to_string(), "3");
}

/// A cycle found through different calls (`y` needs `h` needs `y`)
/// gives the same error at any worker count and sequentially, however
/// the parallel branches race: a call that failed on a cycle is never
/// remembered (which call reports the cycle depends on the chain of calls
/// that reached it, not on timing).
#[test]
fn cycles_report_the_same_error_at_any_worker_count() {
    let program = [
        "y(x) = h(x) * 1",
        "h(x) = y(x) + busy(1, 1)",
        "g(x) = busy(0, 30) + y(x)",
        "f(x) = g(x) + h(x)",
    ];
    let expected = {
        let mut s = exprflow::Session::new();
        let engine = Engine::with_workers(1).unwrap();
        let cancel = exprflow::testing::eval::CancelToken::new();
        for line in program {
            s.eval_sequential(&engine, line, &cancel).unwrap();
        }
        s.eval_sequential(&engine, "f(1)", &cancel).unwrap_err()
    };
    assert_eq!(expected.kind, ErrorKind::TooLarge, "{expected}");
    for workers in [1, 2, 3, 8] {
        let engine = Engine::with_workers(workers).unwrap();
        for _ in 0..20 {
            let mut s = exprflow::Session::new();
            for line in program {
                s.eval_on(&engine, line).unwrap();
            }
            let e = s.eval_on(&engine, "f(1)").unwrap_err();
            assert_eq!(e, expected, "{workers} workers: {e} vs {expected}");
        }
    }
}
