//! Properties of batches with real concurrency and with a low memory budget
//! (the expressions of `properties.rs` are small, with delays of 0 to 2 ms,
//! so little of them runs at the same time).
//!
//! - Wide DAGs: many shared `delay`s and `busy`s used by many lines; the
//!   pool gives exactly the sequential reference's outcome on every line,
//!   and the run's own events show that delays really were pending at the
//!   same time (counted over the cases, checked at the end).
//! - A low memory budget: lines that hold big values at once, through
//!   delays. A refusal is a resource verdict (SPEC section 2): it may differ
//!   between the pool and the sequential run, but it is always the typed
//!   `MemoryBudget` error, never another value or another error, nothing
//!   stays held after a run, and with room the pool equals the sequential
//!   run exactly.

#[path = "support/events.rs"]
mod events;
#[path = "support/engines.rs"]
mod support_engines;

use std::cell::Cell;
use std::time::Duration;

use exprflow::DagLimits;
use exprflow::testing::eval::{CancelToken, evaluate_sequential};
use exprflow::testing::{Batch, BatchOptions};
use exprflow::{Engine, ErrorKind};
use exprflow::{EvalLimits, Lane, NodeEvent};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

type Outcome = Result<String, (ErrorKind, String)>;

fn limits() -> EvalLimits {
    EvalLimits {
        max_wait: Duration::from_millis(50),
        ..EvalLimits::default()
    }
}

/// Engines with 1 to 4 workers, fusion off and on (index `2 * (w - 1) + fuse`).
fn engines() -> Vec<Engine> {
    support_engines::by_workers_and_fusion(4, limits())
}

fn outcome(result: Result<exprflow::Value, exprflow::Error>) -> Outcome {
    result
        .map(|v| v.to_string())
        .map_err(|e| (e.kind, e.to_string()))
}

/// Every line's outcome, evaluated sequentially line after line.
fn sequentially(batch: &Batch) -> Vec<Outcome> {
    batch
        .roots()
        .into_iter()
        .map(|root| {
            outcome(evaluate_sequential(
                &batch.dag,
                root,
                &limits(),
                &CancelToken::new(),
                &mut |_| {},
            ))
        })
        .collect()
}

/// Every line's outcome on the pool (all lines submitted at once), and the
/// run's node events.
fn on_the_pool(batch: &Batch, engine: &Engine) -> (Vec<Outcome>, Vec<NodeEvent>) {
    let (outcomes, events) = events::run_with_events(batch, engine);
    (outcomes.into_iter().map(outcome).collect(), events)
}

/// The most `delay`s pending at one moment, from the run's events.
fn most_delays_at_once(events: &[NodeEvent]) -> usize {
    let mut edges: Vec<(Duration, i32)> = events
        .iter()
        .filter(|e| e.lane == Lane::Timer)
        .flat_map(|e| [(e.start, 1), (e.end, -1)])
        .collect();
    // An end before a start at the same instant: touching is not overlapping.
    edges.sort();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, step) in edges {
        now += step;
        most = most.max(now);
    }
    most as usize
}

/// A wide batch: `atoms` shared leaves (delays of 2 to 20 ms, short busies,
/// literals), then lines that each combine several atoms and earlier
/// lines, so that many lines wait on the same delays at the same time.
fn wide_batch() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        4 => (1u32..50, 2u32..20).prop_map(|(x, ms)| format!("delay({x}, {ms})")),
        1 => (1u32..50, 0u32..2).prop_map(|(x, ms)| format!("busy({x}, {ms})")),
        1 => (1u32..1000).prop_map(|x| x.to_string()),
        1 => (1u32..50, 2u32..10).prop_map(|(x, ms)| format!("delay({x}, {ms}) / 3")),
    ];
    (prop::collection::vec(atom, 6..16), 8usize..40).prop_flat_map(|(atoms, lines)| {
        let picks = prop::collection::vec(
            (
                prop::collection::vec((any::<prop::sample::Index>(), 0u8..4), 2..7),
                any::<bool>(),
            ),
            lines,
        );
        picks.prop_map(move |picks| {
            let mut text = String::new();
            for (i, (terms, use_var)) in picks.iter().enumerate() {
                let mut line = format!("v{i} = ");
                for (k, (index, op)) in terms.iter().enumerate() {
                    let term = if *use_var && i > 0 && k == 0 {
                        format!("v{}", index.index(i))
                    } else {
                        format!("({})", atoms[index.index(atoms.len())])
                    };
                    if k > 0 {
                        line.push_str([" + ", " - ", " * ", " // "][usize::from(*op)]);
                    }
                    line.push_str(&term);
                }
                text.push_str(&line);
                text.push('\n');
            }
            text
        })
    })
}

#[test]
fn wide_dags_with_real_overlap_equal_sequential() {
    let engines = engines();
    let cases = 24;
    let (overlapped, most) = (Cell::new(0u32), Cell::new(0usize));
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let result = runner.run(&(wide_batch(), 0usize..8), |(text, pick)| {
        let options = BatchOptions::default();
        let expected = sequentially(&Batch::parse(text.as_bytes(), options));
        let batch = Batch::parse(text.as_bytes(), options);
        let (got, events) = on_the_pool(&batch, &engines[pick]);
        prop_assert_eq!(&got, &expected, "{} on engine {}", text, pick);
        let at_once = most_delays_at_once(&events);
        if at_once >= 2 {
            overlapped.set(overlapped.get() + 1);
        }
        most.set(most.get().max(at_once));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    eprintln!(
        "{} of {cases} runs had delays pending at once; at most {} at once",
        overlapped.get(),
        most.get()
    );
    // Every batch has several distinct delays with known inputs, started
    // together: nearly every run overlaps them, whatever the machine's load.
    assert!(
        overlapped.get() >= cases * 3 / 4,
        "only {} of {cases} runs overlapped any delays",
        overlapped.get()
    );
    assert!(most.get() >= 4, "at most {} delays at once", most.get());
}

/// Lines holding big values (4,000 to 40,000 bits, over the counted size)
/// through delays, some sharing them, under a budget of 8,000 to 160,000
/// bits.
fn big_batch() -> impl Strategy<Value = (String, u64)> {
    let term = prop_oneof![
        3 => (4_100u32..40_000, 0u32..9).prop_map(|(k, c)| format!("(2^{k} + {c})")),
        3 => (4_100u32..40_000, 0u32..9, 1u32..10)
            .prop_map(|(k, c, ms)| format!("delay(2^{k} + {c}, {ms})")),
        1 => (1u32..100).prop_map(|x| x.to_string()),
    ];
    let line = prop::collection::vec((term, 0u8..3), 1..5).prop_map(|terms| {
        let mut text = String::new();
        for (k, (term, op)) in terms.iter().enumerate() {
            if k > 0 {
                text.push_str([" + ", " - ", " * 0 + "][usize::from(*op)]);
            }
            text.push_str(term);
        }
        text
    });
    (prop::collection::vec(line, 2..7), 8_000u64..160_000).prop_map(|(lines, budget)| {
        let text: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if i > 0 && i % 3 == 0 {
                    format!("v{i} = v{} - ({l})\n", i - 1)
                } else {
                    format!("v{i} = {l}\n")
                }
            })
            .collect();
        (text, budget)
    })
}

#[test]
fn a_low_memory_budget_only_ever_refuses() {
    let engines = engines();
    let cases = 48;
    let (refused, kept) = (Cell::new(0u32), Cell::new(0u32));
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let result = runner.run(&(big_batch(), 0usize..8), |((text, budget), pick)| {
        let roomy = BatchOptions::default();
        let low = BatchOptions {
            dag: DagLimits {
                max_held_bits: budget,
                ..DagLimits::default()
            },
            ..BatchOptions::default()
        };
        // With room: the pool equals the sequential run exactly.
        let expected = sequentially(&Batch::parse(text.as_bytes(), roomy));
        let (got, _) = on_the_pool(&Batch::parse(text.as_bytes(), roomy), &engines[pick]);
        prop_assert_eq!(&got, &expected, "{} with room", text);
        // Under the budget: each line is its value or the typed refusal.
        let sequential = Batch::parse(text.as_bytes(), low);
        let pool = Batch::parse(text.as_bytes(), low);
        let runs = [
            ("sequential", sequentially(&sequential)),
            ("pool", on_the_pool(&pool, &engines[pick]).0),
        ];
        for (who, outcomes) in &runs {
            for (line, (got, want)) in outcomes.iter().zip(&expected).enumerate() {
                match got {
                    Err((ErrorKind::MemoryBudget, message)) => {
                        prop_assert!(message.starts_with("result too large"), "{}", message);
                        refused.set(refused.get() + 1);
                    }
                    _ => {
                        prop_assert_eq!(
                            got,
                            want,
                            "{} line {} of {} (budget {})",
                            who,
                            line,
                            text,
                            budget
                        );
                        kept.set(kept.get() + 1);
                    }
                }
            }
        }
        // What stays counted after the runs (results the DAG keeps) is
        // within the budget.
        prop_assert!(
            pool.dag.held_bits() <= budget,
            "{} bits held",
            pool.dag.held_bits()
        );
        prop_assert!(sequential.dag.held_bits() <= budget);
        // The sequential order is fixed: its verdicts are too.
        let again = sequentially(&Batch::parse(text.as_bytes(), low));
        prop_assert_eq!(&again, &runs[0].1, "{} sequential twice", text);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    eprintln!(
        "{} line outcomes refused by the budget, {} values",
        refused.get(),
        kept.get()
    );
    // The budgets are chosen so that both happen often.
    assert!(refused.get() >= 20, "only {} refusals", refused.get());
    assert!(kept.get() >= 20, "only {} values", kept.get());
}
