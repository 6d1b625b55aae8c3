//! One parallel run: tasks of a [`Plan`] on the pool, released as their
//! inputs resolve. Workers release their dependents directly (no central
//! coordinator); a finished task runs one ready dependent inline and spawns
//! the rest. Errors decide a task early when the leftmost failing input is
//! known, and work nobody needs any more is dropped.
//!
//! - [`state`]: per-task scheduling state (inputs pending, interest, life).
//! - [`region`]: evaluating one task's members.
//! - [`complete`]: a task finished; releasing dependents; internal faults.
//! - [`answers`]: the run's futures (promises) and cancelling them.
//! - [`parked`]: `delay` tasks waiting on the timer thread.
//! - [`hosted`]: tasks waiting for a host call, holding no worker.
//! - [`branch`]: an `if`'s chosen branch computed by a run of its own.
//! - [`expand`]: user calls whose bodies wait (host calls, `delay`s,
//!   forks), holding no worker.
//! - [`record`]: per-node events, when asked for.

mod answers;
mod branch;
mod complete;
mod expand;
mod hosted;
mod parked;
mod record;
mod region;
mod state;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use crossbeam_channel::Receiver;
use rayon::ThreadPool;

use super::cancel::CancelToken;
use super::cpu::burn;
use super::events::{Lane, NodeEvent, NodeStart};
use super::held::HeldValues;
use super::ids::{RunId, TaskId};
use super::limits::EvalLimits;
use super::plan::Plan;
use super::promise::Promise;
use super::timer::Timers;
use crate::dag::{Dag, NodeId, Op};
use crate::error::{Error, ErrorKind, Span};
use crate::value::Builtin;
use answers::Answers;
use complete::Faults;
use parked::Parked;
use record::Recorder;
use region::{Pass, RegionResult};
use state::{Schedule, TaskState};

static NEXT_RUN_ID: AtomicU64 = AtomicU64::new(1);

/// How a run was planned (a test hook: feature `test-hooks`).
#[cfg(feature = "test-hooks")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunShape {
    /// Nodes the run had to compute (the rest were already known).
    pub nodes: usize,
    /// Tasks those nodes formed after fusing cheap subgraphs.
    pub tasks: usize,
}

/// A finished root's recording, from [`Run::recording`].
#[cfg(feature = "report")]
pub(crate) struct Recording {
    pub(crate) dag: Arc<Dag>,
    pub(crate) source: Arc<str>,
    pub(crate) workers: usize,
    pub(crate) events: Vec<NodeEvent>,
    pub(crate) wall: std::time::Duration,
}

/// What a run is given to work with.
pub(crate) struct RunContext {
    pub(crate) limits: EvalLimits,
    pub(crate) fuse_ns: u64,
    pub(crate) pool: Arc<ThreadPool>,
    pub(crate) timers: Arc<Timers>,
    /// Record a [`NodeEvent`] per node.
    pub(crate) record: bool,
    /// Record a [`NodeStart`](super::events::NodeStart) per task started.
    pub(crate) starts: bool,
    /// Futures not resolved by then resolve `timed out`.
    pub(crate) timeout: Option<std::time::Duration>,
    /// The text the DAG's spans index, for the futures' reports: given
    /// (by `Engine::submit_with`), a run that records events also keeps
    /// them for [`Run::recording`]; the command line's runs, which read the
    /// events themselves, give none and pay for no second copy.
    pub(crate) source: Option<Arc<str>>,
}

/// Everything one run shares between its tasks, timers and futures.
pub(crate) struct Run {
    id: RunId,
    me: Weak<Run>,
    dag: Arc<Dag>,
    limits: EvalLimits,
    plan: Plan,
    schedule: Schedule,
    /// Set when nobody wants anything of the run any more.
    cancelled: AtomicBool,
    /// Cancelled together with `cancelled`, for whole-subgraph tasks.
    token: CancelToken,
    faults: Faults,
    /// Big intermediate values, until their last consumer has finished.
    held: HeldValues,
    parked: Parked,
    hosted: hosted::Hosted,
    /// Runs of `if` branches the tasks wait for, and their outcomes.
    branches: branch::Branches,
    /// What the run fuses (its branches' runs fuse the same).
    fuse_ns: u64,
    answers: Answers,
    pool: Arc<ThreadPool>,
    timers: Arc<Timers>,
    recorder: Recorder,
    /// The text the DAG's spans index, when the submitter gave it. Read
    /// only for the pictures (feature `report`); the submit paths carry it
    /// either way rather than each growing a `cfg`.
    #[cfg_attr(not(feature = "report"), allow(dead_code))]
    source: Option<Arc<str>>,
}

impl Run {
    /// Plans a run of `roots` and starts its ready tasks.
    pub(crate) fn start(dag: Arc<Dag>, roots: &[NodeId], context: RunContext) -> Arc<Run> {
        let plan = Plan::new(&dag, roots, context.fuse_ns);
        let schedule = Schedule::new(&plan);
        let answers = Answers::new(&plan, roots);
        for t in answers.tasks() {
            schedule.add_interest(t);
        }
        let run = Arc::new_cyclic(|me| Run {
            id: RunId(NEXT_RUN_ID.fetch_add(1, Ordering::Relaxed)),
            me: me.clone(),
            dag,
            limits: context.limits,
            plan,
            schedule,
            cancelled: AtomicBool::new(false),
            token: CancelToken::new(),
            faults: Faults::default(),
            held: HeldValues::default(),
            parked: Parked::default(),
            hosted: hosted::Hosted::default(),
            branches: branch::Branches::default(),
            fuse_ns: context.fuse_ns,
            answers,
            pool: context.pool,
            timers: context.timers,
            recorder: Recorder::new(
                context.record,
                context.starts,
                context.source.is_some(),
                roots.len(),
            ),
            source: context.source,
        });
        // Roots already known (constants, earlier results) resolve at once.
        for (i, &root) in roots.iter().enumerate() {
            if run.plan.local_of(root).is_none() {
                let outcome = run
                    .dag
                    .result(root)
                    .map(std::borrow::Cow::into_owned)
                    .unwrap_or_else(|| {
                        Err(Error::with_detail(
                            ErrorKind::Internal,
                            run.span_of(root),
                            "root has no result",
                        ))
                    });
                run.resolve_future(i, outcome);
            }
        }
        let ready: Vec<TaskId> = run
            .plan
            .tasks()
            .filter(|&t| run.plan.waits_on(t).len() == 0)
            .collect();
        // Delays first: their timers start before any worker is busy.
        let (waits, works): (Vec<TaskId>, Vec<TaskId>) =
            ready.into_iter().partition(|&t| run.only_waits(t));
        for t in waits {
            if let Some(outcome) = run.start_waiting(t) {
                let _ = run.complete(t, outcome, false);
            }
        }
        for t in works {
            run.spawn(t);
        }
        if let Some(deadline) = context.timeout.and_then(|t| Instant::now().checked_add(t)) {
            let target: Arc<Run> = Arc::clone(&run);
            run.timers.add(deadline, target, parked::DEADLINE);
        }
        run
    }

    /// Whether task `t` only waits (its root is a `delay`): it needs no
    /// worker, so the thread that makes it ready starts its timer at once
    /// instead of queueing it on the pool behind busy workers.
    fn only_waits(&self, t: TaskId) -> bool {
        matches!(
            self.dag.node(self.plan.node(t.root())).op,
            Op::Call(Builtin::Delay)
        )
    }

    /// Starts ready `delay` task `t` on this thread: evaluates its (cheap,
    /// fused) members and parks its value on the timer. Returns its outcome
    /// when it is decided at once (an error, such as a bad duration).
    fn start_waiting(&self, t: TaskId) -> Option<crate::dag::Outcome> {
        if !self
            .schedule
            .advance(t, TaskState::Waiting, TaskState::Running)
        {
            return None;
        }
        if self.abandoned(t) {
            self.schedule.set(t, TaskState::Dropped);
            return None;
        }
        let start = self.recorder.now();
        self.recorder
            .started(self.plan.node(t.root()), Lane::Timer, start);
        match self.evaluate(t, Pass::Full) {
            RegionResult::Done(outcome) => Some(outcome),
            RegionResult::Wait(_, duration, outcome) => {
                self.park(t, outcome, start, duration);
                None
            }
            RegionResult::Host(f, args) => self.start_host(t, &f, args, start),
            RegionResult::Suspended => None,
            RegionResult::Branch(branch) => {
                self.start_branch(t, branch);
                None
            }
            RegionResult::Unknown => Some(Err(Error::with_detail(
                ErrorKind::Internal,
                self.span_of(self.plan.node(t.root())),
                "task ran before its inputs",
            ))),
        }
    }

    /// The per-node events, if the run records them.
    pub(crate) fn events(&self) -> Option<Receiver<NodeEvent>> {
        self.recorder.receiver()
    }

    /// The starts of tasks, if the run records them.
    pub(crate) fn starts(&self) -> Option<Receiver<NodeStart>> {
        self.recorder.starts()
    }

    /// One promise per root, in the order of the roots.
    pub(crate) fn promises(&self) -> &[Arc<Promise>] {
        self.answers.promises()
    }

    pub(crate) fn span_of(&self, node: NodeId) -> Span {
        self.dag.node(node).span()
    }

    /// The DAG the run evaluates.
    pub(crate) fn dag(&self) -> &Dag {
        &self.dag
    }

    /// What the pictures of root `index` need: the DAG, the text its spans
    /// index, the pool's size, every event recorded so far and when the
    /// root's future resolved. `None` unless the run keeps events for
    /// reports (see [`RunContext::source`]) and that future has resolved.
    #[cfg(feature = "report")]
    pub(crate) fn recording(&self, index: usize) -> Option<Recording> {
        let (events, wall) = self.recorder.recorded(index)?;
        Some(Recording {
            dag: Arc::clone(&self.dag),
            source: self.source.clone()?,
            workers: self.pool.current_num_threads(),
            events,
            wall,
        })
    }

    /// How the run was planned: nodes computed and tasks they formed.
    #[cfg(feature = "test-hooks")]
    pub(crate) fn shape(&self) -> RunShape {
        RunShape {
            nodes: self.plan.len(),
            tasks: self.plan.task_count(),
        }
    }

    fn spawn(&self, t: TaskId) {
        if let Some(run) = self.me.upgrade() {
            self.pool.spawn(move || run.execute(t));
        }
    }

    fn abandoned(&self, t: TaskId) -> bool {
        self.cancelled.load(Ordering::Relaxed) || self.schedule.unwanted(t)
    }

    /// Nobody wants anything of the run: stop its work and timers, and
    /// give back the big values still held.
    fn stop(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.token.cancel();
        self.timers.cancel_run(self.id.0);
        self.drop_hosts();
        self.drop_branches();
        self.held.clear(&self.dag);
    }

    /// Runs task `first` and then, inline, one of the tasks it made ready.
    fn execute(&self, first: TaskId) {
        let mut next = Some(first);
        while let Some(t) = next.take() {
            if !self
                .schedule
                .advance(t, TaskState::Waiting, TaskState::Running)
            {
                continue;
            }
            if self.abandoned(t) {
                self.schedule.set(t, TaskState::Dropped);
                continue;
            }
            let start = self.recorder.now();
            self.recorder
                .started(self.plan.node(t.root()), this_lane(), start);
            let result = if self.plan.is_whole(t) {
                self.evaluate_whole(t)
            } else {
                self.evaluate(t, Pass::Full)
            };
            next = self.went(t, start, result);
        }
    }

    /// Task `t`, evaluated from `start`, gave `result`: completes it, or
    /// sets it waiting. Returns a ready task to run next on this worker.
    fn went(&self, t: TaskId, start: std::time::Duration, result: RegionResult) -> Option<TaskId> {
        match result {
            RegionResult::Done(outcome) => self.complete(t, outcome, true),
            RegionResult::Wait(Builtin::Busy, duration, outcome) => {
                if burn(duration, || self.abandoned(t)) {
                    let node = self.plan.node(t.root());
                    self.recorder.emit(node, start, &outcome, this_lane());
                    self.complete(t, outcome, true)
                } else {
                    self.schedule.set(t, TaskState::Dropped);
                    None
                }
            }
            RegionResult::Wait(_, duration, outcome) => {
                self.park(t, outcome, start, duration);
                None
            }
            RegionResult::Host(f, args) => self
                .start_host(t, &f, args, start)
                .and_then(|outcome| self.complete(t, outcome, true)),
            RegionResult::Suspended => None,
            RegionResult::Branch(branch) => {
                self.start_branch(t, branch);
                None
            }
            RegionResult::Unknown => {
                // Cannot happen when every input is known; fail loudly but safely.
                let error = Error::with_detail(
                    ErrorKind::Internal,
                    self.span_of(self.plan.node(t.root())),
                    "task ran before its inputs",
                );
                self.complete(t, Err(error), true)
            }
        }
    }

    /// Parks `delay` task `t` with its value until its timer fires.
    fn park(
        &self,
        t: TaskId,
        outcome: crate::dag::Outcome,
        start: std::time::Duration,
        duration: std::time::Duration,
    ) {
        use super::timer::Wake;
        self.parked.park(t, outcome, start);
        match (self.me.upgrade(), Instant::now().checked_add(duration)) {
            (Some(me), Some(deadline)) => {
                self.timers.add(deadline, me, t.0);
                // Cancelled meanwhile: the cancel may have reached
                // the timer thread before this timer did.
                if self.abandoned(t) {
                    // Always sent after our `add`, so the timer
                    // thread cannot see the cancel first.
                    self.parked.take(t);
                    self.timers.cancel(self.id.0, t.0);
                    self.schedule.set(t, TaskState::Dropped);
                }
            }
            _ => self.wake(t.0),
        }
    }
}

/// The lane of the calling thread: its pool worker, else the timer.
fn this_lane() -> Lane {
    rayon::current_thread_index().map_or(Lane::Timer, Lane::Worker)
}

/// Locks `mutex`, ignoring poisoning: the maps it guards stay consistent
/// because every critical section is a single insert or remove.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Drop for Run {
    fn drop(&mut self) {
        self.drop_hosts();
        self.held.clear(&self.dag);
    }
}
