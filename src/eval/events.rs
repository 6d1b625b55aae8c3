//! Per-node completion events: what ran where and when.

use std::time::Duration;

use crate::dag::NodeId;

/// One node's completion, as recorded when events are turned on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeEvent {
    /// The node.
    pub node: NodeId,
    /// The pool worker that computed it, or `None` for a timer (`delay`).
    pub worker: Option<usize>,
    /// When its work (or its wait) started, since the run began.
    pub start: Duration,
    /// When it finished.
    pub end: Duration,
    /// Whether it produced a value (rather than an error).
    pub ok: bool,
}
