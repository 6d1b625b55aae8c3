//! One run of a parsed batch on an engine's pool with node events
//! recorded: shared by the tests that read what ran where and when.

use std::time::Duration;

use exprflow::testing::{Batch, EngineInternals, RunOptions};
use exprflow::{Engine, Error, NodeEvent, Value};

/// Every line's outcome on `engine`'s pool (all lines submitted at once,
/// a hang bounded by a 60 s timeout), and the run's node events.
pub fn run_with_events(
    batch: &Batch,
    engine: &Engine,
) -> (Vec<Result<Value, Error>>, Vec<NodeEvent>) {
    let run = engine
        .start(
            &batch.dag,
            &batch.roots(),
            RunOptions {
                events: true,
                timeout: Some(Duration::from_secs(60)),
                ..Default::default()
            },
        )
        .finish();
    (run.outcomes, run.events)
}
