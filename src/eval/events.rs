//! Per-node completion events: what ran where and when. Both evaluators
//! (the pool and the sequential reference) report the same [`NodeEvent`].

use std::time::Duration;

use crate::dag::NodeId;

/// Where a recorded node ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lane {
    /// Pool worker `n` (or, for a sequential run, the evaluating thread as 0).
    Worker(usize),
    /// The timer thread: a `delay` waiting without holding a worker.
    Timer,
}

/// One node's completion, as recorded when events are turned on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeEvent {
    /// The node.
    pub node: NodeId,
    /// Where it ran.
    pub lane: Lane,
    /// When its work (or its wait) started, since the run began.
    pub start: Duration,
    /// When it finished.
    pub end: Duration,
    /// Whether it produced a value (rather than an error).
    pub ok: bool,
}

impl NodeEvent {
    /// How long the node took (its work, or its wait for a `delay`).
    pub fn duration(&self) -> Duration {
        self.end.saturating_sub(self.start)
    }
}
