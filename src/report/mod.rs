//! Seeing the concurrency: a recorded [`Trace`] of a run and the pictures
//! and figures made from it (feature `report`, on by default).
//!
//! - [`Report`]: the public face, a finished future's pictures
//!   ([`ExprFuture::report`](crate::ExprFuture::report)); [`Pictures`], the
//!   same drawn from borrowed parts, is what the CLI (`--dot`, `--trace`,
//!   `--timeline`, `--stats`) and the REPL (`:dot`, `:trace`, `:time`) use.
//! - [`to_dot`]: the DAG in Graphviz DOT, values and errors included once
//!   evaluated.
//! - [`chrome_json`]: the trace as Chrome trace-event JSON (Perfetto,
//!   `chrome://tracing`).
//! - [`timeline_svg`]: a self-contained SVG Gantt chart of the run.
//! - [`Stats`]: nodes, sharing, work, span, parallelism and speedup.
//!
//! Everything here returns strings or plain structs; nothing prints.
//!
//! ```
//! use std::time::Instant;
//! use exprflow::SubmitOptions;
//! use exprflow::testing::EngineInternals;
//! use exprflow::testing::report::{Stats, Trace};
//!
//! let batch = exprflow::testing::Batch::parse(b"(2+3)*(2+3)", Default::default());
//! let roots = batch.roots();
//! let engine = exprflow::Engine::with_workers(2).unwrap();
//! let began = Instant::now();
//! let futures = engine.submit_all(&batch.dag, &roots, SubmitOptions { events: true, ..Default::default() });
//! assert_eq!(futures[0].wait().unwrap().to_string(), "25");
//! let events = futures[0].completions().unwrap().try_iter().collect();
//! let trace = Trace::from_events(events, engine.workers(), began.elapsed());
//!
//! let stats = Stats::compute(&batch.dag, &roots, &trace);
//! assert_eq!((stats.nodes, stats.saved, stats.edges, stats.depth), (4, 3, 4, 3));
//! let dot = exprflow::testing::report::to_dot(&batch.dag, &roots);
//! assert!(dot.starts_with("digraph"));
//! let svg = exprflow::testing::report::timeline_svg(&batch.dag, &roots, &trace, &batch.source);
//! assert!(svg.contains("<svg"));
//! ```

mod analysis;
mod chrome;
mod dot;
mod pictures;
mod stats;
mod text;
mod timeline;

use std::collections::HashMap;
use std::time::Duration;

use crate::dag::NodeId;
pub use crate::eval::{Lane, NodeEvent};

#[cfg(any(test, feature = "test-hooks"))]
pub use analysis::critical_path;
#[cfg(any(test, feature = "cli", feature = "test-hooks"))]
pub use analysis::work_span;
pub use chrome::chrome_json;
#[cfg(any(test, feature = "test-hooks"))]
pub use dot::to_dot;
pub use dot::to_dot_with_source;
#[cfg(any(test, feature = "cli", feature = "test-hooks"))]
pub use dot::to_dot_with_text;
#[cfg(feature = "cli")]
pub(crate) use pictures::Pictures;
pub use pictures::Report;
pub use stats::Stats;
#[cfg(any(test, feature = "cli", feature = "test-hooks"))]
pub use text::{format_duration, value_preview};
pub use timeline::timeline_svg;
#[cfg(any(test, feature = "test-hooks"))]
pub use timeline::{TimelineOptions, timeline_svg_with};

/// The recording of one run: a per-node event for every node computed,
/// sorted by start time, with the pool size and the wall time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// The events, sorted by start (then end) time.
    pub events: Vec<NodeEvent>,
    /// Number of pool workers of the run (1 for a sequential run).
    pub workers: usize,
    /// Wall time of the whole run (at least the last event's end).
    pub wall: Duration,
    /// Whether the run was the sequential reference evaluator's.
    pub sequential: bool,
}

impl Trace {
    /// A trace from a parallel run's completion events (as read from
    /// [`ExprFuture::completions`](crate::ExprFuture::completions)), a run
    /// on `workers` workers that took `wall`. Events from the timer thread
    /// go to [`Lane::Timer`].
    pub fn from_events(events: Vec<NodeEvent>, workers: usize, wall: Duration) -> Trace {
        let events = events
            .into_iter()
            .map(|e| NodeEvent {
                end: e.end.max(e.start),
                ..e
            })
            .collect();
        Trace::build(events, workers, wall, false)
    }

    /// A trace from the sequential evaluator's events, all on the calling
    /// thread (shown as worker 0). The times must share one origin: when
    /// several [`evaluate_sequential`](crate::eval::evaluate_sequential)
    /// calls are recorded together, shift each call's events by the time
    /// that call began.
    pub fn from_sequential(events: Vec<NodeEvent>, wall: Duration) -> Trace {
        let events = events
            .into_iter()
            .map(|e| NodeEvent {
                lane: Lane::Worker(0),
                end: e.end.max(e.start),
                ..e
            })
            .collect();
        Trace::build(events, 1, wall, true)
    }

    fn build(
        mut events: Vec<NodeEvent>,
        workers: usize,
        wall: Duration,
        sequential: bool,
    ) -> Trace {
        events.sort_by_key(|e| (e.start, e.end, e.node));
        let used = events
            .iter()
            .filter_map(|e| match e.lane {
                Lane::Worker(w) => Some(w.saturating_add(1)),
                Lane::Timer => None,
            })
            .max()
            .unwrap_or(0);
        let last = events.iter().map(|e| e.end).max().unwrap_or_default();
        Trace {
            events,
            workers: workers.max(used).max(1),
            wall: wall.max(last),
            sequential,
        }
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Number of recorded events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Each recorded node's duration (the longest, should a node have been
    /// recorded twice).
    pub fn durations(&self) -> HashMap<NodeId, Duration> {
        let mut map: HashMap<NodeId, Duration> = HashMap::with_capacity(self.events.len());
        for e in &self.events {
            let d = map.entry(e.node).or_default();
            *d = (*d).max(e.duration());
        }
        map
    }

    /// Whether any event ran on the timer thread.
    pub fn uses_timer(&self) -> bool {
        self.events.iter().any(|e| e.lane == Lane::Timer)
    }
}
