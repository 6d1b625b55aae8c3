//! Pictures of runs with user calls: a call node is drawn and labelled as
//! the call with its argument values (`f(3)`), in the DOT picture and on
//! its timeline bar; `--stats` counts the calls and the memo hits.

use assert_cmd::Command;
use exprflow::testing::EngineInternals;

fn exprflow() -> Command {
    Command::cargo_bin("exprflow").unwrap()
}

#[test]
fn dot_labels_a_call_with_its_argument_values() {
    let out = exprflow()
        .args(["eval", "--dot", "--", "f(x) = x * 2", "f(3) + f(1 + 3)"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let dot = String::from_utf8(out.stdout).unwrap();
    assert!(dot.contains("label=\"f(3)\\n= 6\""), "{dot}");
    assert!(dot.contains("label=\"f(4)\\n= 8\""), "{dot}");
    // User calls look different from built-in operations.
    assert_eq!(dot.matches("shape=component").count(), 2, "{dot}");
}

#[test]
fn dot_of_a_failed_call_names_it_by_its_arguments() {
    let batch = exprflow::testing::Batch::parse(b"inv(x) = 1 / x\ninv(0) + 1", Default::default());
    let roots = batch.roots();
    let engine = exprflow::Engine::with_workers(2).unwrap();
    for future in engine.submit_all(&batch.dag, &roots, Default::default()) {
        let _ = future.wait();
    }
    let dot = exprflow::testing::report::to_dot(&batch.dag, &roots);
    assert!(dot.contains("label=\"inv(0)\\ndivision by zero\""), "{dot}");
}

#[test]
fn timeline_bars_of_calls_are_named_by_the_call() {
    let file = std::env::temp_dir().join(format!("exprflow-calls-{}.svg", std::process::id()));
    exprflow()
        .args(["eval", "--workers", "2", "--timeline"])
        .arg(&file)
        .args(["--", "w(x) = busy(x, 20)", "w(3) + w(5)"])
        .assert()
        .success();
    let svg = std::fs::read_to_string(&file).unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(svg.contains("w(3) = 3"), "{svg}");
    assert!(svg.contains("w(5) = 5"), "{svg}");
}

#[test]
fn stats_count_calls_and_memo_hits() {
    let out = exprflow()
        .args([
            "eval",
            "--stats",
            "--",
            "fibr(n) = if(n < 2, n, fibr(n-1) + fibr(n-2))",
            "fibr(30)",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().last(),
        Some("832040")
    );
    let stats = String::from_utf8_lossy(&out.stderr);
    let line = stats.lines().find(|l| l.starts_with("calls")).unwrap();
    // 31 distinct calls; the parallel run may compute a few of them twice
    // in a race (never remembered twice), so the hits are at least 28.
    assert!(line.contains("31 distinct"), "{line}");
    let hits: u64 = line
        .split('(')
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(hits >= 28, "{line}");
}
