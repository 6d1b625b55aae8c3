use std::time::{Duration, Instant};

use super::*;
use crate::Session;

fn both() -> [Evaluator; 2] {
    [Evaluator::Parallel, Evaluator::Sequential]
}

#[test]
fn both_evaluators_agree_and_record_events() {
    let engine = Engine::with_workers(2).expect("engine");
    for evaluator in both() {
        let mut session = Session::new();
        let added = session
            .add("(3+7)*(2+8)*((2*3)-1)")
            .expect("parses")
            .expect("a statement");
        let options = RunOptions {
            evaluator,
            events: true,
            ..RunOptions::default()
        };
        let run = engine.start(session.dag(), &[added.node], options);
        let finished = run.finish();
        assert_eq!(
            finished.outcomes[0].as_ref().map(|v| v.to_string()),
            Ok("500".into())
        );
        assert_eq!(finished.stopped, None);
        assert!(!finished.trace().is_empty(), "{evaluator:?}");
    }
}

#[test]
fn cancel_stops_quickly_in_both_evaluators() {
    let engine = Engine::with_workers(2).expect("engine");
    for evaluator in both() {
        let mut session = Session::new();
        let added = session
            .add("busy(1, 600000)")
            .expect("parses")
            .expect("a statement");
        let options = RunOptions {
            evaluator,
            ..RunOptions::default()
        };
        let began = Instant::now();
        let mut run = engine.start(session.dag(), &[added.node], options);
        assert_eq!(run.step(Duration::from_millis(50)), Step::Waiting);
        run.cancel();
        let finished = run.finish();
        // Cancelling takes milliseconds; without it the run takes ten
        // minutes: this bound catches only that hang.
        assert!(began.elapsed() < Duration::from_secs(60), "{evaluator:?}");
        assert_eq!(finished.stopped, Some(Stopped::Cancelled));
        assert_eq!(
            finished.outcomes[0].as_ref().map_err(|e| e.kind),
            Err(ErrorKind::Cancelled)
        );
    }
}

#[test]
fn cancel_drops_delay_timers() {
    let engine = Engine::with_workers(2).expect("engine");
    let mut session = Session::new();
    let added = session
        .add("delay(1, 60000) + delay(2, 60000)")
        .expect("parses")
        .expect("a statement");
    let mut run = engine.start(session.dag(), &[added.node], RunOptions::default());
    run.cancel();
    assert_eq!(run.finish().stopped, Some(Stopped::Cancelled));
    // The timer thread drops them asynchronously: give it a moment.
    let waited = Instant::now();
    while engine.pending_timers() > 0 && waited.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(engine.pending_timers(), 0);
}

#[test]
fn the_timeout_gives_timed_out() {
    let engine = Engine::with_workers(2).expect("engine");
    for evaluator in both() {
        let mut session = Session::new();
        let added = session
            .add("delay(1, 20000)")
            .expect("parses")
            .expect("a statement");
        let options = RunOptions {
            evaluator,
            timeout: Some(Duration::from_millis(100)),
            ..RunOptions::default()
        };
        let finished = engine.start(session.dag(), &[added.node], options).finish();
        assert_eq!(finished.stopped, Some(Stopped::TimedOut));
        assert_eq!(
            finished.outcomes[0].as_ref().map_err(|e| e.kind),
            Err(ErrorKind::TimedOut)
        );
    }
}

/// With `progress`, nodes are counted; without, a run does not walk its
/// DAG to count them (on a DAG of millions of nodes that walk was a tenth
/// of a second).
#[test]
fn progress_counts_nodes_and_roots_only_when_asked() {
    let engine = Engine::with_workers(2).expect("engine");
    for (evaluator, progress) in both().into_iter().flat_map(|e| [(e, true), (e, false)]) {
        let mut session = Session::new();
        let added = session
            .add("(1+2)*(3+4)")
            .expect("parses")
            .expect("a statement");
        let options = RunOptions {
            evaluator,
            progress,
            ..RunOptions::default()
        };
        let mut run = engine.start(session.dag(), &[added.node], options);
        let outcomes: Vec<_> = run.by_ref().collect();
        assert_eq!(
            outcomes[0].1.as_ref().map(ToString::to_string),
            Ok("21".into())
        );
        let counts = run.progress();
        assert_eq!((counts.roots_done, counts.roots), (1, 1));
        let nodes = if progress { 3 } else { 0 };
        assert_eq!(
            (counts.nodes_total, counts.nodes_done),
            (nodes, nodes),
            "{evaluator:?}"
        );
    }
}

#[test]
fn pending_nodes_skips_known_results() {
    let mut session = Session::new();
    let added = session
        .add("(1+2)*(3+4)")
        .expect("parses")
        .expect("a statement");
    assert_eq!(pending_nodes(session.dag(), &[added.node]), 3);
}
