//! Evaluating a batch with the engine or the sequential evaluator (a
//! library [`RunHandle`](crate::handle::RunHandle) honours the timeout), and
//! reporting each line's outcome as it resolves.

use crate::batch::Batch;
use crate::dag::Outcome;
use crate::eval::Engine;
use crate::handle::{Evaluator, RunOptions as Run, Step};
use crate::report::Trace;
use crate::{Error, ErrorKind};

use std::time::Duration;

use super::args::RunOptions;
use super::interrupt::Interrupts;

/// How often the run is looked at for Ctrl-C.
const TICK: Duration = Duration::from_millis(50);

/// Evaluates every line of `batch`; `on_done(line index, outcome)` is called
/// in completion order. Ctrl-C (`interrupts`) cancels what is not done yet
/// (`cancelled`). Returns the outcomes in line order and, with `record`,
/// the run's [`Trace`] (per-node events of the pool, or of the sequential
/// evaluator).
pub fn evaluate_batch(
    batch: &Batch,
    engine: &Engine,
    options: &RunOptions,
    record: bool,
    interrupts: &Interrupts,
    on_done: &mut dyn FnMut(usize, &Outcome),
) -> (Vec<Outcome>, Option<Trace>) {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; batch.lines.len()];
    // Lines that failed before evaluation are done at once.
    for (i, line) in batch.lines.iter().enumerate() {
        if let Err(e) = &line.node {
            let outcome = Err(e.clone());
            on_done(i, &outcome);
            outcomes[i] = Some(outcome);
        }
    }
    let pending: Vec<usize> = (0..batch.lines.len())
        .filter(|&i| outcomes[i].is_none())
        .collect();
    let roots: Vec<_> = pending
        .iter()
        .filter_map(|&i| batch.lines[i].node.as_ref().ok().copied())
        .collect();
    let run = Run {
        evaluator: if options.sequential {
            Evaluator::Sequential
        } else {
            Evaluator::Parallel
        },
        timeout: options.timeout,
        events: record,
        progress: false,
    };
    let mut handle = engine.start(&batch.dag, &roots, run);
    loop {
        match handle.step(TICK) {
            Step::Resolved(k, outcome) => {
                on_done(pending[k], &outcome);
                outcomes[pending[k]] = Some(outcome);
            }
            Step::Finished => break,
            Step::Waiting => {}
        }
        if interrupts.pressed() {
            handle.cancel();
        }
    }
    let trace = record.then(|| handle.finish().trace());
    let outcomes = outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, Default::default()))))
        .collect();
    (outcomes, trace)
}
