//! [`RunHandle`]: one evaluation of several roots of a DAG, watched to the
//! end — on the pool or the sequential reference evaluator, with a
//! timeout, cancellation, progress counts and (optionally) per-node
//! events. The command line and the REPL both drive their runs with it.
//!
//! ```
//! use exprflow::Engine;
//! use exprflow::testing::{Batch, EngineInternals, RunOptions, Step};
//! let batch = Batch::parse(b"1+2\n2*3", Default::default());
//! let engine = Engine::with_workers(2).unwrap();
//! let mut run = engine.start(&batch.dag, &batch.roots(), RunOptions::default());
//! let mut order = Vec::new();
//! for (index, outcome) in &mut run {
//!     order.push((index, outcome.unwrap().to_string()));
//! }
//! order.sort();
//! assert_eq!(order, [(0, "3".to_string()), (1, "6".to_string())]);
//! assert!(matches!(run.step(std::time::Duration::ZERO), Step::Finished));
//! ```

mod sequential;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

use crate::dag::{Dag, NodeId, Outcome};
use crate::error::{Error, ErrorKind};
use crate::eval::{Engine, ExprFuture, NodeEvent, SubmitOptions};
use crate::report::Trace;
use crate::wait::completion_channel;

/// After asking the sequential evaluator to stop, how long to wait for it
/// before leaving it to finish on its own (a single huge operation cannot
/// be interrupted half-way). One value for the command line and the REPL.
pub const GRACE: Duration = Duration::from_millis(500);

/// Which evaluator runs the roots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Evaluator {
    /// Futures on the engine's worker pool.
    #[default]
    Parallel,
    /// The sequential reference evaluator, on a thread of its own so that
    /// the caller can still watch the time, show progress and cancel.
    Sequential,
}

/// How to run: which evaluator, how long at most, whether to keep events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// The evaluator (default: the pool).
    pub evaluator: Evaluator,
    /// Give up after this long: what is not done is `timed out`.
    pub timeout: Option<Duration>,
    /// Keep every node's [`NodeEvent`] (for a [`Trace`]).
    pub events: bool,
    /// Count nodes, for [`RunHandle::progress`]: the nodes the run has to
    /// compute, counted before it starts (a walk over them: a tenth of a
    /// second on a DAG of a million nodes, which a run without a progress
    /// line does not pay), and the nodes done as they finish (always on
    /// with `events`; on the pool this records events, which keeps every
    /// value in the DAG, big intermediate ones included, until the run ends).
    pub progress: bool,
}

/// Why a run ended early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// [`RunHandle::cancel`] was called.
    Cancelled,
    /// The timeout passed.
    TimedOut,
}

impl Stopped {
    fn kind(self) -> ErrorKind {
        match self {
            Stopped::Cancelled => ErrorKind::Cancelled,
            Stopped::TimedOut => ErrorKind::TimedOut,
        }
    }
}

/// What one [`RunHandle::step`] saw.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Root `index` resolved with this outcome.
    Resolved(usize, Outcome),
    /// Nothing resolved within the wait.
    Waiting,
    /// Every root has resolved.
    Finished,
}

/// How far a run is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Nodes computed so far (counted only with [`RunOptions::progress`]
    /// or [`RunOptions::events`]).
    pub nodes_done: usize,
    /// Nodes the run has to compute (at most; counted only with
    /// [`RunOptions::progress`], else 0).
    pub nodes_total: usize,
    /// Roots resolved so far.
    pub roots_done: usize,
    /// Roots of the run.
    pub roots: usize,
}

/// What a finished run gave.
#[derive(Clone, Debug)]
pub struct Finished {
    /// One outcome per root, in the order of the roots.
    pub outcomes: Vec<Outcome>,
    /// Wall time from the start to the last root's outcome.
    pub wall: Duration,
    /// Node events in completion order (empty unless asked for).
    pub events: Vec<NodeEvent>,
    /// Whether and why the run was cut short.
    pub stopped: Option<Stopped>,
    /// Pool workers of the run (1 when sequential).
    pub workers: usize,
    /// Which evaluator ran it.
    pub evaluator: Evaluator,
}

impl Finished {
    /// The run as a [`Trace`] for the [`report`](crate::report) functions.
    pub fn trace(&self) -> Trace {
        match self.evaluator {
            Evaluator::Parallel => Trace::from_events(self.events.clone(), self.workers, self.wall),
            Evaluator::Sequential => Trace::from_sequential(self.events.clone(), self.wall),
        }
    }
}

/// The evaluator side of a run.
enum Source {
    Parallel {
        futures: Vec<ExprFuture>,
        resolved: Receiver<usize>,
        events: Option<Receiver<NodeEvent>>,
    },
    Sequential(sequential::Thread),
}

/// One run of several roots of a DAG, watched to the end (made by
/// [`Engine::start`]). Iterating gives `(root index, outcome)` in completion
/// order and honours the timeout.
pub struct RunHandle {
    source: Source,
    dag: Arc<Dag>,
    roots: Vec<NodeId>,
    evaluator: Evaluator,
    keep_events: bool,
    workers: usize,
    began: Instant,
    deadline: Option<Instant>,
    /// When a stopped sequential run is given up on.
    give_up_at: Option<Instant>,
    stopped: Option<Stopped>,
    outcomes: Vec<Option<Outcome>>,
    roots_done: usize,
    wall: Option<Duration>,
    events: Vec<NodeEvent>,
    nodes_done: usize,
    nodes_total: usize,
}

impl Engine {
    /// Starts evaluating `roots` of `dag` as `options` say and returns the
    /// handle that watches the run.
    pub(crate) fn start(&self, dag: &Arc<Dag>, roots: &[NodeId], options: RunOptions) -> RunHandle {
        let began = Instant::now();
        // Counted before the run starts: it fills in results as it goes.
        let nodes_total = if options.progress {
            pending_nodes(dag, roots)
        } else {
            0
        };
        let (source, workers) = match options.evaluator {
            Evaluator::Parallel => {
                let record = options.events || options.progress;
                let futures = self.submit_all(
                    dag,
                    roots,
                    SubmitOptions {
                        events: record,
                        ..SubmitOptions::default()
                    },
                );
                let events = futures.first().and_then(|f| f.completions()).map(|e| e.0);
                let resolved = completion_channel(&futures);
                let source = Source::Parallel {
                    futures,
                    resolved,
                    events,
                };
                (source, self.workers())
            }
            Evaluator::Sequential => {
                let report_nodes = options.events || options.progress;
                let thread = sequential::Thread::start(dag, roots, *self.limits(), report_nodes);
                (Source::Sequential(thread), 1)
            }
        };
        RunHandle {
            source,
            dag: Arc::clone(dag),
            roots: roots.to_vec(),
            evaluator: options.evaluator,
            keep_events: options.events,
            workers,
            began,
            deadline: options.timeout.and_then(|t| began.checked_add(t)),
            give_up_at: None,
            stopped: None,
            outcomes: vec![None; roots.len()],
            roots_done: 0,
            wall: None,
            events: Vec::new(),
            nodes_done: 0,
            nodes_total,
        }
    }
}

impl RunHandle {
    /// Waits at most `wait` (and never past the timeout) for a root to
    /// resolve. When the timeout passes, what is left is stopped and
    /// resolves `timed out`.
    pub fn step(&mut self, wait: Duration) -> Step {
        if self.roots_done == self.roots.len() {
            self.drain_events();
            return Step::Finished;
        }
        let now = Instant::now();
        if self.stopped.is_none() && self.deadline.is_some_and(|d| now >= d) {
            self.stop(Stopped::TimedOut);
        }
        if let Some(step) = self.give_up() {
            return step;
        }
        let mut until = now.checked_add(wait);
        for limit in [
            self.deadline.filter(|_| self.stopped.is_none()),
            self.give_up_at,
        ] {
            until = match (until, limit) {
                (Some(u), Some(l)) => Some(u.min(l)),
                (None, l) => l,
                (u, None) => u,
            };
        }
        let received = self.receive(until);
        self.drain_events();
        match received {
            Some((k, outcome)) => self.resolve(k, outcome),
            None => Step::Waiting,
        }
    }

    /// Stops the run: what is not done resolves `cancelled`.
    pub fn cancel(&mut self) {
        if self.stopped.is_none() {
            self.stop(Stopped::Cancelled);
        }
    }

    /// Nodes and roots done so far.
    pub fn progress(&self) -> Progress {
        Progress {
            nodes_done: self.nodes_done,
            nodes_total: self.nodes_total,
            roots_done: self.roots_done,
            roots: self.roots.len(),
        }
    }

    /// Whether and why the run was stopped.
    pub fn stopped(&self) -> Option<Stopped> {
        self.stopped
    }

    #[cfg(any(test, feature = "test-hooks"))]
    /// Time since the run started.
    pub fn elapsed(&self) -> Duration {
        self.began.elapsed()
    }

    /// Waits for every root (honouring the timeout) and returns the run.
    pub fn finish(mut self) -> Finished {
        while !matches!(self.step(Duration::from_secs(3600)), Step::Finished) {}
        let wall = self.wall.unwrap_or_else(|| self.began.elapsed());
        let outcomes = std::mem::take(&mut self.outcomes)
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, Default::default()))))
            .collect();
        Finished {
            outcomes,
            wall,
            events: std::mem::take(&mut self.events),
            stopped: self.stopped,
            workers: self.workers,
            evaluator: self.evaluator,
        }
    }

    fn stop(&mut self, why: Stopped) {
        self.stopped = Some(why);
        match &self.source {
            Source::Parallel { futures, .. } => {
                for future in futures {
                    future.cancel_as(why.kind());
                }
            }
            Source::Sequential(thread) => {
                thread.cancel();
                self.give_up_at = Instant::now().checked_add(GRACE);
            }
        }
    }

    /// A stopped sequential run past its grace: the evaluator is inside one
    /// long operation; leave it to finish on its own thread (its results
    /// still land in the DAG) and resolve the rest now.
    fn give_up(&mut self) -> Option<Step> {
        if self.give_up_at.is_none_or(|g| Instant::now() < g) {
            return None;
        }
        let kind = self.stopped.map_or(ErrorKind::Cancelled, Stopped::kind);
        let k = self.outcomes.iter().position(Option::is_none)?;
        let span = self.dag.node(self.roots[k]).span();
        Some(self.resolve(k, Err(Error::new(kind, span))))
    }

    fn receive(&mut self, until: Option<Instant>) -> Option<(usize, Outcome)> {
        match &mut self.source {
            Source::Parallel {
                futures, resolved, ..
            } => {
                let k = match until {
                    Some(until) => resolved.recv_deadline(until).ok()?,
                    None => resolved.recv().ok()?,
                };
                Some((k, futures.get(k)?.wait()))
            }
            Source::Sequential(thread) => match thread.receive(until) {
                Ok(sequential::Message::Node(event)) => {
                    self.nodes_done += 1;
                    if self.keep_events {
                        self.events.push(event);
                    }
                    None
                }
                Ok(sequential::Message::Root(k, outcome)) => Some((k, outcome)),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => {
                    // The thread ended without an answer: it could not
                    // start, or it panicked.
                    let k = self.outcomes.iter().position(Option::is_none)?;
                    Some((k, Err(thread.failure())))
                }
            },
        }
    }

    fn drain_events(&mut self) {
        if let Source::Parallel {
            events: Some(events),
            ..
        } = &self.source
        {
            for event in events.try_iter() {
                self.nodes_done += 1;
                if self.keep_events {
                    self.events.push(event);
                }
            }
        }
    }

    fn resolve(&mut self, k: usize, mut outcome: Outcome) -> Step {
        let Some(slot) = self.outcomes.get_mut(k).filter(|s| s.is_none()) else {
            return Step::Waiting;
        };
        if let Err(e) = &mut outcome
            && e.kind == ErrorKind::Cancelled
            && self.stopped == Some(Stopped::TimedOut)
        {
            e.kind = ErrorKind::TimedOut;
        }
        *slot = Some(outcome.clone());
        self.roots_done += 1;
        if self.roots_done == self.roots.len() {
            self.wall = Some(self.began.elapsed());
        }
        Step::Resolved(k, outcome)
    }
}

impl Iterator for RunHandle {
    type Item = (usize, Outcome);

    /// The next root to resolve, in completion order; `None` once all have.
    fn next(&mut self) -> Option<(usize, Outcome)> {
        loop {
            match self.step(Duration::from_secs(3600)) {
                Step::Resolved(k, outcome) => return Some((k, outcome)),
                Step::Waiting => {}
                Step::Finished => return None,
            }
        }
    }
}

/// Nodes below `roots` without a result yet: what the run will compute
/// (at most). Visits only those nodes, not the whole DAG.
fn pending_nodes(dag: &Dag, roots: &[NodeId]) -> usize {
    // One bit per node (a hash set was a fifth of a big batch's time).
    let len = dag.len();
    let mut seen = vec![0u64; len.div_ceil(64)];
    let mut first_visit = |id: NodeId| {
        let (word, bit) = (id.index() / 64, 1u64 << (id.index() % 64));
        match seen.get_mut(word) {
            Some(w) if id.index() < len && *w & bit == 0 => {
                *w |= bit;
                true
            }
            _ => false,
        }
    };
    let mut work: Vec<NodeId> = Vec::new();
    for &root in roots {
        if first_visit(root) {
            work.push(root);
        }
    }
    let mut count = 0;
    while let Some(id) = work.pop() {
        if dag.result(id).is_some() {
            continue;
        }
        count += 1;
        for &input in dag.node(id).inputs.iter() {
            if first_visit(input) {
                work.push(input);
            }
        }
    }
    count
}

#[cfg(test)]
mod tests;
