//! Per-node completion events: what ran where and when. Both evaluators
//! (the pool and the sequential reference) report the same [`NodeEvent`].

use std::time::Duration;

use crate::dag::NodeId;
use crate::error::{Error, Span};
use crate::value::Value;

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

/// What a node of a run is, for reading its [`NodeEvent`]s (see
/// [`ExprFuture::node_info`](crate::ExprFuture::node_info)).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeInfo {
    /// The operation: an operator symbol (`+`, `neg`, `!`), a function's
    /// name (`sqrt`, a user function's name), `const` or `error`.
    pub label: String,
    /// Where the subexpression is in the submitted text (the first place,
    /// when equal subexpressions share the node).
    pub span: Span,
    /// The node's outcome, if it has been computed and kept (a run with
    /// [`SubmitOptions::events`](crate::SubmitOptions::events) keeps every
    /// value; otherwise only the roots' and small ones are sure to be kept).
    pub outcome: Option<Result<Value, Error>>,
    /// The nodes this one reads, in argument order (for drawing the graph:
    /// each input's id is smaller than the node's own).
    pub inputs: Vec<NodeId>,
}

/// A node's work beginning, as recorded when
/// [`SubmitOptions::starts`](crate::SubmitOptions::starts) is on: a task
/// taken up by a pool worker (`node` is the task's last node; cheap nodes
/// fused into it report only their [`NodeEvent`]), or a `delay` whose
/// timer starts. Its [`NodeEvent`] follows when it finishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeStart {
    /// The node.
    pub node: NodeId,
    /// Where it runs.
    pub lane: Lane,
    /// When it started, since the run began (the clock of [`NodeEvent`]).
    pub at: Duration,
}

impl NodeEvent {
    /// How long the node took (its work, or its wait for a `delay`).
    pub fn duration(&self) -> Duration {
        self.end.saturating_sub(self.start)
    }
}

/// The per-node events of a run, in completion order, as they arrive (see
/// [`ExprFuture::completions`](crate::ExprFuture::completions)). Clones
/// share one stream: each event is read once.
///
/// ```
/// use exprflow::{Engine, SubmitOptions};
/// let engine = Engine::builder().workers(2).build().unwrap();
/// let options = SubmitOptions { events: true, ..Default::default() };
/// let future = engine.submit_with("(1+2)*(3+4)", options).unwrap();
/// future.wait().unwrap();
/// let events: Vec<_> = future.completions().unwrap().try_iter().collect();
/// assert!(!events.is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct NodeEvents(pub(crate) crossbeam_channel::Receiver<NodeEvent>);

impl NodeEvents {
    /// The events that have arrived, without waiting.
    pub fn try_iter(&self) -> impl Iterator<Item = NodeEvent> + '_ {
        self.0.try_iter()
    }

    /// Every event, waiting for each; ends when the run is over and its
    /// last event has been read.
    pub fn iter(&self) -> impl Iterator<Item = NodeEvent> + '_ {
        self.0.iter()
    }

    /// The next event, waiting at most `timeout` (`None` if none came).
    pub fn recv_timeout(&self, timeout: Duration) -> Option<NodeEvent> {
        self.0.recv_timeout(timeout).ok()
    }
}

/// The [`NodeStart`]s of a run, in the order the work began (see
/// [`ExprFuture::starts`](crate::ExprFuture::starts)). Clones share one
/// stream: each start is read once.
///
/// ```
/// use exprflow::{Engine, Lane, SubmitOptions};
/// let engine = Engine::builder().workers(2).build().unwrap();
/// let options = SubmitOptions { events: true, starts: true, ..Default::default() };
/// let future = engine.submit_with("delay(1, 5) + delay(2, 5)", options).unwrap();
/// future.wait().unwrap();
/// let starts: Vec<_> = future.starts().unwrap().try_iter().collect();
/// assert_eq!(starts.iter().filter(|s| s.lane == Lane::Timer).count(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct NodeStarts(pub(crate) crossbeam_channel::Receiver<NodeStart>);

impl NodeStarts {
    /// The starts that have arrived, without waiting.
    pub fn try_iter(&self) -> impl Iterator<Item = NodeStart> + '_ {
        self.0.try_iter()
    }

    /// The next start, waiting at most `timeout` (`None` if none came).
    pub fn recv_timeout(&self, timeout: Duration) -> Option<NodeStart> {
        self.0.recv_timeout(timeout).ok()
    }
}
