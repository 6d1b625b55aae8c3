//! `--stats` and `report::Stats`: the DAG's figures on hand-checked DAGs
//! through the CLI, and work, span, parallelism, speedup and efficiency on
//! made-up traces whose every figure is worked out by hand.

use std::collections::HashMap;
use std::time::Duration;

use assert_cmd::Command;
use exprflow::NodeEvent;
use exprflow::testing::report::{Stats, Trace, critical_path, work_span};

fn exprflow() -> Command {
    Command::cargo_bin("exprflow").unwrap()
}

/// `--stats` output (stderr) as label → rest of the line.
fn stats_of(args: &[&str], stdin: Option<&str>) -> HashMap<String, String> {
    let mut cmd = exprflow();
    cmd.args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stderr)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let (label, rest) = line.split_once(' ')?;
            Some((label.to_string(), rest.trim().to_string()))
        })
        .collect()
}

fn eval_stats(expr: &str) -> HashMap<String, String> {
    stats_of(&["eval", "-j", "2", "--stats", "--", expr], None)
}

#[test]
fn shared_sum_squared_has_four_nodes() {
    let s = eval_stats("(2+3)*(2+3)");
    assert_eq!(s["nodes"], "4 distinct; as trees 7 (sharing saved 3)");
    assert_eq!(s["edges"], "4");
    assert_eq!(s["depth"], "3 levels");
    assert_eq!(s["computed"], "2 nodes");
    assert_eq!(s["workers"], "2");
    for label in [
        "work",
        "span",
        "parallelism",
        "wall",
        "speedup",
        "efficiency",
    ] {
        assert!(s.contains_key(label), "{label} missing: {s:?}");
    }
}

#[test]
fn hand_checked_dags() {
    // 2 is one node; 2^2 and 2^(2^2) share it.
    let s = eval_stats("2^2^2");
    assert_eq!(s["nodes"], "3 distinct; as trees 5 (sharing saved 2)");
    assert_eq!(
        (s["edges"].as_str(), s["depth"].as_str()),
        ("4", "3 levels")
    );
    // fact(5) is computed once for its three uses.
    let s = eval_stats("fact(5) + fact(5) * fact(5)");
    assert_eq!(s["nodes"], "4 distinct; as trees 8 (sharing saved 4)");
    assert_eq!(
        (s["edges"].as_str(), s["depth"].as_str()),
        ("5", "4 levels")
    );
    assert_eq!(s["computed"], "3 nodes");
    // An exact chain is rebalanced: ((1+2)+(3+4)), three levels, not four.
    let s = eval_stats("1+2+3+4");
    assert_eq!(s["nodes"], "7 distinct; as trees 7 (sharing saved 0)");
    assert_eq!(
        (s["edges"].as_str(), s["depth"].as_str()),
        ("6", "3 levels")
    );
    // The mission expression: the constants 2 and 3 appear twice each.
    let s = eval_stats("(3+7)*(2+8)*((2*3)-1)");
    assert_eq!(s["nodes"], "11 distinct; as trees 13 (sharing saved 2)");
    assert_eq!(s["computed"], "6 nodes");
}

#[test]
fn batch_lines_are_counted_as_separate_trees() {
    let s = stats_of(&["batch", "-j", "2", "--stats"], Some("x = 2+3\n\nx*x\n"));
    assert_eq!(s["nodes"], "4 distinct; as trees 10 (sharing saved 6)");
    assert_eq!(s["edges"], "4");
}

#[test]
fn sequential_stats_say_so() {
    let s = stats_of(&["eval", "--sequential", "--stats", "1+2", "3*4"], None);
    assert_eq!(s["workers"], "sequential evaluator (1 thread)");
    assert_eq!(s["computed"], "2 nodes");
}

#[test]
fn stats_go_to_stderr_and_leave_stdout_alone() {
    exprflow()
        .args(["eval", "--stats", "(2+3)*(2+3)"])
        .assert()
        .success()
        .stdout("25\n");
}

#[test]
fn exponential_trees_saturate_instead_of_overflowing() {
    let mut text = String::from("x0 = 1+1\n");
    for i in 1..200 {
        text.push_str(&format!("x{i} = x{} * x{}\n", i - 1, i - 1));
    }
    let batch = exprflow::testing::Batch::parse(text.as_bytes(), Default::default());
    let last = *batch.roots().last().unwrap();
    let stats = Stats::compute(&batch.dag, &[last], &Trace::default());
    assert_eq!(stats.nodes, 201);
    assert_eq!(stats.tree_nodes, u128::MAX);
    assert!(stats.to_string().contains("more than 10^38"));
    assert_eq!(stats.depth, 201);
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn node_of(batch: &exprflow::testing::Batch, text: &str) -> exprflow::NodeId {
    batch
        .dag
        .ids()
        .find(|&id| {
            let s = batch.dag.node(id).span();
            &batch.source[s.start..s.end] == text
        })
        .unwrap_or_else(|| panic!("no node for {text}"))
}

fn event(node: exprflow::NodeId, worker: Option<usize>, start: u64, end: u64) -> NodeEvent {
    NodeEvent {
        node,
        lane: worker.map_or(exprflow::Lane::Timer, exprflow::Lane::Worker),
        start: ms(start),
        end: ms(end),
        ok: true,
    }
}

#[test]
fn figures_of_a_made_up_run_with_a_delay() {
    // delay(1,30) waits 0–30 ms on the timer, 3+4 takes 0–10 ms on worker
    // 1, the product 30–40 ms on worker 0; the run took 40 ms.
    let batch = exprflow::testing::Batch::parse(b"delay(1,30)*(3+4)", Default::default());
    let roots = batch.roots();
    let delay = node_of(&batch, "delay(1,30)");
    let sum = node_of(&batch, "(3+4)");
    let product = roots[0];
    let trace = Trace::from_events(
        vec![
            event(product, Some(0), 30, 40),
            event(delay, None, 0, 30),
            event(sum, Some(1), 0, 10),
        ],
        2,
        ms(40),
    );
    assert_eq!(work_span(&batch.dag, &roots, &trace), (ms(50), ms(40)));
    assert_eq!(critical_path(&batch.dag, &roots, &trace), [delay, product]);
    let s = Stats::compute(&batch.dag, &roots, &trace);
    assert_eq!((s.nodes, s.tree_nodes, s.saved), (7, 7, 0));
    assert_eq!((s.edges, s.depth, s.roots, s.computed), (6, 3, 1, 3));
    assert_eq!((s.work, s.cpu_work, s.waiting), (ms(50), ms(20), ms(30)));
    assert_eq!((s.span, s.wall, s.workers), (ms(40), ms(40), 2));
    assert_eq!(s.critical_path, [delay, product]);
    // bound = max(20 ms / 2, 40 ms) = 40 ms.
    assert_eq!(s.bound, ms(40));
    assert!((s.parallelism - 1.25).abs() < 1e-9);
    assert!((s.speedup - 1.25).abs() < 1e-9);
    assert!((s.max_speedup - 1.25).abs() < 1e-9);
    assert!((s.efficiency - 1.0).abs() < 1e-9);
    let text = s.to_string();
    assert!(
        text.contains("work         50 ms (20 ms on workers, 30 ms waiting on timers)"),
        "{text}"
    );
    assert!(
        text.contains("span         40 ms (critical path of 2 nodes)"),
        "{text}"
    );
    assert!(text.contains("parallelism  1.25 (work / span)"), "{text}");
    assert!(
        text.contains("bound        40 ms = max(cpu work / 2 workers, span)"),
        "{text}"
    );
    assert!(
        text.contains("speedup      1.25x (work / wall); the bound allows 1.25x"),
        "{text}"
    );
    assert!(text.contains("efficiency   100% (bound / wall)"), "{text}");
}

#[test]
fn figures_of_a_made_up_cpu_bound_run() {
    // Two 100 ms busy nodes side by side on two workers, then a 1 ms sum;
    // the run took 110 ms.
    let batch = exprflow::testing::Batch::parse(b"busy(1,100)+busy(2,100)", Default::default());
    let roots = batch.roots();
    let a = node_of(&batch, "busy(1,100)");
    let b = node_of(&batch, "busy(2,100)");
    let trace = Trace::from_events(
        vec![
            event(a, Some(0), 0, 100),
            event(b, Some(1), 0, 100),
            event(roots[0], Some(0), 100, 101),
        ],
        2,
        ms(110),
    );
    let s = Stats::compute(&batch.dag, &roots, &trace);
    assert_eq!((s.work, s.cpu_work, s.waiting), (ms(201), ms(201), ms(0)));
    assert_eq!(s.span, ms(101));
    // bound = max(201/2 = 100.5, 101) = 101 ms.
    assert_eq!(s.bound, ms(101));
    assert!((s.parallelism - 201.0 / 101.0).abs() < 1e-9);
    assert!((s.speedup - 201.0 / 110.0).abs() < 1e-9);
    assert!((s.max_speedup - 201.0 / 101.0).abs() < 1e-9);
    assert!((s.efficiency - 101.0 / 110.0).abs() < 1e-9);
    // On one worker the same work is bound by the work law instead.
    let one = Trace {
        workers: 1,
        ..trace.clone()
    };
    assert_eq!(Stats::compute(&batch.dag, &roots, &one).bound, ms(201));
}

#[test]
fn nodes_outside_the_roots_do_not_count() {
    let batch = exprflow::testing::Batch::parse(b"busy(1,10)\n2*3\n", Default::default());
    let roots = batch.roots();
    let busy = roots[0];
    let product = roots[1];
    let trace = Trace::from_events(
        vec![event(busy, Some(0), 0, 10), event(product, Some(1), 0, 1)],
        2,
        ms(10),
    );
    let s = Stats::compute(&batch.dag, &[product], &trace);
    assert_eq!((s.nodes, s.computed, s.work), (3, 1, ms(1)));
    // No roots: the whole DAG.
    let all = Stats::compute(&batch.dag, &[], &trace);
    assert_eq!(
        (all.nodes, all.computed, all.work),
        (batch.dag.len(), 2, ms(11))
    );
}

#[test]
fn an_empty_trace_has_zero_work_and_no_critical_path() {
    let batch = exprflow::testing::Batch::parse(b"1+2", Default::default());
    let s = Stats::compute(&batch.dag, &batch.roots(), &Trace::default());
    assert_eq!(
        (s.work, s.span, s.computed),
        (Duration::ZERO, Duration::ZERO, 0)
    );
    assert!(s.critical_path.is_empty());
    assert!(s.parallelism.is_finite() && s.speedup.is_finite());
}
