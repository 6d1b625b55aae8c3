//! Results are kept in the DAG for reuse, so the values held at once are
//! bounded by `DagLimits::max_held_bits`: a result that would go over is
//! `result too large`, never an out-of-memory abort.

use exprflow::batch::BatchOptions;
use exprflow::dag::DagLimits;
use exprflow::eval::{CancelToken, Engine, EvalLimits, SubmitOptions, evaluate_sequential};
use exprflow::{Batch, ErrorKind};

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

/// 200 negations of a 2^20-bit number would hold 200 Mbit; the budget is 16 Mbit.
const CHAIN: &str = "x = 2^1048575\ny = ";

fn chain() -> String {
    format!("{CHAIN}{}x * 0\n", "-".repeat(200))
}

#[test]
fn a_chain_of_big_intermediates_stops_at_the_budget() {
    for workers in [None, Some(1), Some(2)] {
        let b = batch(&chain(), 1 << 24);
        let root = *b.lines[1].node.as_ref().unwrap();
        let outcome = match workers {
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
        };
        let error = outcome.expect_err("over the budget");
        assert_eq!(error.kind, ErrorKind::TooLarge, "{error}");
        assert!(error.to_string().contains("in memory"), "{error}");
    }
}

#[test]
fn the_default_budget_leaves_ordinary_work_alone() {
    let b = batch(&chain(), DagLimits::default().max_held_bits);
    let root = *b.lines[1].node.as_ref().unwrap();
    let value = evaluate_sequential(
        &b.dag,
        root,
        &EvalLimits::default(),
        &CancelToken::new(),
        &mut |_| {},
    );
    assert_eq!(value.unwrap().to_string(), "0");
}
