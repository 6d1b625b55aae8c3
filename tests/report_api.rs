//! Pictures in the library (SPEC section 5, "Pictures are part of the
//! library"): `ExprFuture::report()` through the public API only, and the
//! command line drawing the same pictures.

use std::time::Duration;

use assert_cmd::Command;
use exprflow::{Engine, ExprFuture, Report, Stats, SubmitOptions};

fn with_events() -> SubmitOptions {
    SubmitOptions {
        events: true,
        ..Default::default()
    }
}

fn finished_report(engine: &Engine, text: &str) -> (ExprFuture, Report) {
    let future = engine.submit_with(text, with_events()).unwrap();
    future.wait().unwrap();
    let report = future
        .report()
        .expect("a finished future with events has a report");
    (future, report)
}

#[test]
fn a_finished_future_with_events_draws_every_picture() {
    let engine = Engine::with_workers(2).unwrap();
    let (_, report) = finished_report(&engine, "(2+3)*(2+3) + sqrt(16)");

    let dot = report.dot();
    let graph = graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("not DOT: {e}\n{dot}"));
    let graphviz_rust::dot_structures::Graph::DiGraph { stmts, .. } = graph else {
        panic!("not a digraph: {dot}");
    };
    assert!(!stmts.is_empty());
    assert!(
        dot.contains("= 29"),
        "the root's value is on the DOT: {dot}"
    );

    let json: serde_json::Value = serde_json::from_str(&report.trace_json()).unwrap();
    let events = json["traceEvents"].as_array().unwrap();
    let computed: Vec<_> = events.iter().filter(|e| e["ph"] == "X").collect();
    assert!(!computed.is_empty(), "{json}");
    assert!(
        computed
            .iter()
            .any(|e| e["args"].to_string().contains("sqrt(16)")),
        "trace events carry the submitted text: {json}"
    );

    let svg = report.timeline_svg();
    let document = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(document.root_element().tag_name().name(), "svg");

    let stats: Stats = report.stats();
    assert_eq!(stats.workers, 2);
    assert!(stats.span <= stats.work);
    assert!(stats.span <= stats.wall);
    assert!(stats.bound >= stats.span);
    assert!(stats.parallelism >= 1.0, "{stats:?}");
}

#[test]
fn figures_count_the_work_the_run_did() {
    let engine = Engine::with_workers(2).unwrap();
    // Two independent bursts of 5 ms of CPU work: at least 10 ms of work,
    // of which the critical path holds one burst.
    let (_, report) = finished_report(&engine, "busy(1, 5) + busy(2, 5)");
    let stats = report.stats();
    assert!(stats.work >= Duration::from_millis(10), "{stats:?}");
    assert!(stats.span >= Duration::from_millis(5), "{stats:?}");
    assert!(stats.span < stats.work, "{stats:?}");
    assert!(stats.parallelism > 1.0, "{stats:?}");
    assert!(stats.wall >= stats.span, "{stats:?}");
    assert!(stats.to_string().contains("parallelism"));
}

#[test]
fn no_report_before_the_future_finishes_or_without_events() {
    let engine = Engine::with_workers(2).unwrap();
    let pending = engine
        .submit_with("delay(1, 60000)", with_events())
        .unwrap();
    assert!(pending.report().is_none(), "not finished yet");
    // A cancelled future has finished: its report shows what ran.
    assert!(pending.cancel());
    let report = pending.report().expect("a cancelled future has finished");
    assert!(report.dot().starts_with("digraph"));

    let quiet = engine.submit("1+2").unwrap();
    quiet.wait().unwrap();
    assert!(quiet.report().is_none(), "submitted without events");
}

#[test]
fn reading_completions_takes_nothing_from_the_report() {
    let engine = Engine::with_workers(2).unwrap();
    let (future, report) = finished_report(&engine, "busy(1, 1) * busy(2, 1)");
    let read: Vec<_> = future.completions().unwrap().try_iter().collect();
    assert!(!read.is_empty());
    // Both the report taken before and one taken after reading every
    // completion have an event for each completion read.
    for report in [report, future.report().unwrap()] {
        let json: serde_json::Value = serde_json::from_str(&report.trace_json()).unwrap();
        let computed = json["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["ph"] == "X")
            .count();
        assert_eq!(computed, read.len());
    }
}

#[test]
fn a_report_outlives_its_engine_and_future() {
    let report = {
        let engine = Engine::with_workers(2).unwrap();
        finished_report(&engine, "fact(10) / 2").1
    };
    assert!(report.dot().contains("1814400"));
    assert!(format!("{report:?}").starts_with("Report"));
}

#[test]
fn the_command_line_draws_the_same_dot_as_the_library() {
    let text = "(2+3)*(2+3) - 7/2";
    let engine = Engine::with_workers(2).unwrap();
    let (_, report) = finished_report(&engine, text);
    let output = Command::cargo_bin("exprflow")
        .unwrap()
        .args(["eval", "-j", "2", "--dot", text])
        .output()
        .unwrap();
    assert!(output.status.success());
    // `--dot` prints the DOT instead of the value.
    assert_eq!(String::from_utf8(output.stdout).unwrap(), report.dot());
}
