//! Big values held at once (kept in the DAG, or held by an evaluation until
//! their last use) are bounded by `DagLimits::max_held_bits`: a result that
//! would go over is `result too large`, never an out-of-memory abort.

use exprflow::DagLimits;
use exprflow::ErrorKind;
use exprflow::testing::Batch;
use exprflow::testing::BatchOptions;
use exprflow::testing::eval::{CancelToken, evaluate_sequential};
use exprflow::testing::{EngineInternals, SessionInternals};
use exprflow::{Engine, EvalLimits, SubmitOptions};

fn batch(text: &str, max_held_bits: u64) -> Batch {
    Batch::parse(
        text.as_bytes(),
        BatchOptions {
            dag: DagLimits {
                max_held_bits,
                ..DagLimits::default()
            },
            ..BatchOptions::default()
        },
    )
}

/// 200 negations of a 2^20-bit number: each makes a new 1 Mbit value.
const CHAIN: &str = "x = 2^1048575\ny = ";

fn chain() -> String {
    format!("{CHAIN}{}x * 0\n", "-".repeat(200))
}

/// `max` of 40 distinct 2^20-bit numbers needs all 40 Mbit at once.
fn wide() -> String {
    let args: Vec<String> = (1..=40).map(|i| format!("2^1048575+{i}")).collect();
    format!("x = 1\ny = max({})\n", args.join(", "))
}

/// Evaluates line 1 of `b` sequentially (`None`) or on `Some(n)` workers.
fn second_line(b: &Batch, workers: Option<usize>) -> exprflow::testing::dag::Outcome {
    let root = *b.lines[1].node.as_ref().unwrap();
    match workers {
        None => evaluate_sequential(
            &b.dag,
            root,
            &EvalLimits::default(),
            &CancelToken::new(),
            &mut |_| {},
        ),
        Some(n) => {
            let engine = Engine::with_workers(n).unwrap();
            engine
                .submit_all(&b.dag, &[root], SubmitOptions::default())
                .remove(0)
                .wait()
        }
    }
}

/// The 200 values of the chain would take 200 Mbit if kept; each is dropped
/// after its one use, so a 16 Mbit budget is plenty.
#[test]
fn a_chain_of_big_intermediates_holds_two_at_a_time() {
    for workers in [None, Some(1), Some(2)] {
        let b = batch(&chain(), 1 << 24);
        let value = second_line(&b, workers).expect("within the budget");
        assert_eq!(value.to_string(), "0", "{workers:?}");
        assert_eq!(b.dag.held_bits(), 0, "nothing is held after the run");
    }
}

#[test]
fn values_needed_at_once_stop_at_the_budget() {
    for workers in [None, Some(1), Some(2)] {
        let b = batch(&wide(), 1 << 24);
        let error = second_line(&b, workers).expect_err("over the budget");
        assert_eq!(error.kind, ErrorKind::MemoryBudget, "{error}");
        assert!(error.to_string().contains("in memory"), "{error}");
    }
}

#[test]
fn the_default_budget_leaves_ordinary_work_alone() {
    let b = batch(&wide(), DagLimits::default().max_held_bits);
    let value = second_line(&b, None).unwrap();
    assert_eq!(value.to_string().len(), 315_653);
}

/// Readers of a run's events look values up in the DAG, so a run with
/// events keeps big intermediate values too.
#[test]
fn a_run_with_events_keeps_every_value_for_their_readers() {
    let b = batch(&chain(), DagLimits::default().max_held_bits);
    let root = *b.lines[1].node.as_ref().unwrap();
    let engine = Engine::builder().workers(2).fuse_ns(0).build().unwrap();
    let future = engine
        .submit_all(
            &b.dag,
            &[root],
            SubmitOptions {
                events: true,
                ..Default::default()
            },
        )
        .remove(0);
    assert_eq!(future.wait().unwrap().to_string(), "0");
    let events: Vec<_> = future.completions().unwrap().try_iter().collect();
    assert!(events.len() > 200, "{} events", events.len());
    for event in events {
        assert!(b.dag.result(event.node).is_some(), "{:?}", event.node);
    }
}

/// A refusal by the budget says what else was alive at the time, not
/// something about the expression: it is not remembered, so the same
/// statement gets its value once memory is free again. The first statement
/// holds its values until it is cancelled (a ten-minute `delay`), and the
/// second is evaluated only once those values are seen held: no sleep, no
/// race.
#[test]
fn a_budget_refusal_is_not_remembered() {
    let engine = Engine::with_workers(2).unwrap();
    let mut session = exprflow::Session::with_limits(DagLimits {
        max_held_bits: 24_000,
        ..DagLimits::default()
    });
    // Holds 2^7000 and 2^7000 + 1 (7,001 bits each) until its delay is
    // over or it is cancelled.
    let first = session
        .submit(&engine, "delay(2^7000 + 1, 600000) - 2^7000")
        .unwrap()
        .unwrap();
    // Waits (a minute at most: only a hang takes longer) for the held bits
    // to reach what `done` wants.
    let wait_for_held = |session: &exprflow::Session, done: &dyn Fn(u64) -> bool| {
        let waited = std::time::Instant::now();
        while !done(session.dag().held_bits()) {
            assert!(
                waited.elapsed() < std::time::Duration::from_secs(60),
                "{} bits held",
                session.dag().held_bits()
            );
            std::thread::yield_now();
        }
    };
    wait_for_held(&session, &|bits| bits >= 14_000);
    let text = "(2^11000 + 1) - 2^11000"; // two values of 11,001 bits
    let error = session
        .eval_on(&engine, text)
        .expect_err("over the budget while the first statement holds its values");
    assert_eq!(error.kind, ErrorKind::MemoryBudget, "{error}");
    assert!(error.to_string().starts_with("result too large"), "{error}");
    first.cancel();
    assert_eq!(first.wait().unwrap_err().kind, ErrorKind::Cancelled);
    drop(first);
    wait_for_held(&session, &|bits| bits == 0);
    assert_eq!(
        session.eval_on(&engine, text).unwrap().unwrap().to_string(),
        "1"
    );
}
