//! One parallel run: tasks of a [`Plan`] on the pool, released as their
//! inputs resolve. Workers release their dependents directly (no central
//! coordinator); a finished task runs one ready dependent inline and spawns
//! the rest. Errors decide a task early when the leftmost failing input is
//! known, and work nobody needs any more is dropped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use rayon::ThreadPool;

use super::cancel::CancelToken;
use super::compute::{apply, wait_of};
use super::cpu::burn;
use super::events::NodeEvent;
use super::future::FutureState;
use super::held::{Got, HeldValues, is_big};
use super::limits::EvalLimits;
use super::plan::{NONE, Plan};
use super::sequential::walk;
use super::timer::{Timers, Wake};
use crate::dag::{Dag, NodeId, Outcome};
use crate::error::{Error, ErrorKind, Span};
use crate::value::{Builtin, Value};

const WAITING: u8 = 0;
const RUNNING: u8 = 1;
const DONE: u8 = 2;
const DROPPED: u8 = 3;

static NEXT_RUN_ID: AtomicU64 = AtomicU64::new(1);

/// What evaluating a task's members gave for its root.
enum RegionResult {
    Done(Outcome),
    /// The root is a `delay`/`busy` whose inputs are known: wait, then `x`.
    Wait(Builtin, Duration, Outcome),
    /// Some input is not known yet.
    Unknown,
}

/// How a run was planned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunShape {
    /// Nodes the run had to compute (the rest were already known).
    pub nodes: usize,
    /// Tasks those nodes formed after fusing cheap subgraphs.
    pub tasks: usize,
}

/// Everything one run shares between its tasks, timers and futures.
pub(crate) struct Run {
    id: u64,
    me: Weak<Run>,
    dag: Arc<Dag>,
    limits: EvalLimits,
    plan: Plan,
    pending: Vec<AtomicU32>,
    state: Vec<AtomicU8>,
    interest: Vec<AtomicU32>,
    has_failed: Vec<AtomicBool>,
    cancelled: AtomicBool,
    /// Cancelled together with `cancelled`, for whole-subgraph tasks.
    token: CancelToken,
    /// Outcomes the DAG does not keep (internal faults).
    faults: Mutex<HashMap<u32, Outcome>>,
    /// Big intermediate values, until their last consumer has finished.
    held: HeldValues,
    /// Values of `delay` tasks waiting for their timer, with their start.
    parked: Mutex<HashMap<u32, (Outcome, Duration)>>,
    futures: Vec<Arc<FutureState>>,
    futures_of: HashMap<u32, Vec<usize>>,
    unresolved: AtomicUsize,
    pool: Arc<ThreadPool>,
    timers: Arc<Timers>,
    began: Instant,
    events: Option<(Sender<NodeEvent>, Receiver<NodeEvent>)>,
}

impl Run {
    /// Plans a run of `roots` and starts its ready tasks.
    pub(crate) fn start(
        dag: Arc<Dag>,
        roots: &[NodeId],
        limits: EvalLimits,
        fuse_ns: u64,
        pool: Arc<ThreadPool>,
        timers: Arc<Timers>,
        record: bool,
    ) -> Arc<Run> {
        let plan = Plan::new(&dag, roots, fuse_ns);
        let n = plan.len();
        let futures: Vec<Arc<FutureState>> = roots
            .iter()
            .map(|&r| Arc::new(FutureState::new(r)))
            .collect();
        let mut futures_of: HashMap<u32, Vec<usize>> = HashMap::new();
        let interest: Vec<AtomicU32> = (0..n as u32)
            .map(|t| AtomicU32::new(plan.waited_by.get(t).len() as u32))
            .collect();
        for (i, &root) in roots.iter().enumerate() {
            if let Some(l) = plan.local_of(root) {
                futures_of.entry(l).or_default().push(i);
                interest[l as usize].fetch_add(1, Ordering::Relaxed);
            }
        }
        let pending = (0..n as u32)
            .map(|t| AtomicU32::new(plan.waits_on.get(t).len() as u32))
            .collect();
        let run = Arc::new_cyclic(|me| Run {
            id: NEXT_RUN_ID.fetch_add(1, Ordering::Relaxed),
            me: me.clone(),
            dag,
            limits,
            plan,
            pending,
            state: (0..n).map(|_| AtomicU8::new(WAITING)).collect(),
            interest,
            has_failed: (0..n).map(|_| AtomicBool::new(false)).collect(),
            cancelled: AtomicBool::new(false),
            token: CancelToken::new(),
            faults: Mutex::new(HashMap::new()),
            held: HeldValues::default(),
            parked: Mutex::new(HashMap::new()),
            unresolved: AtomicUsize::new(futures.len()),
            futures,
            futures_of,
            pool,
            timers,
            began: Instant::now(),
            events: record.then(crossbeam_channel::unbounded),
        });
        // Roots already known (constants, earlier results) resolve at once.
        for (i, &root) in roots.iter().enumerate() {
            if run.plan.local_of(root).is_none() {
                let outcome = run.dag.result(root).cloned().unwrap_or_else(|| {
                    Err(Error::with_detail(
                        ErrorKind::Internal,
                        run.span_of(root),
                        "root has no result",
                    ))
                });
                run.resolve_future(i, outcome);
            }
        }
        let ready: Vec<u32> = (0..n as u32)
            .filter(|&t| run.plan.task_of[t as usize] == t && run.plan.waits_on.get(t).is_empty())
            .collect();
        for t in ready {
            run.spawn(t);
        }
        run
    }

    pub(crate) fn events(&self) -> Option<Receiver<NodeEvent>> {
        self.events.as_ref().map(|(_, r)| r.clone())
    }

    pub(crate) fn futures(&self) -> &[Arc<FutureState>] {
        &self.futures
    }

    pub(crate) fn span_of(&self, node: NodeId) -> Span {
        self.dag.node(node).span
    }

    /// How the run was planned: nodes computed and tasks they formed.
    pub(crate) fn shape(&self) -> RunShape {
        RunShape {
            nodes: self.plan.len(),
            tasks: self.plan.task_count,
        }
    }

    fn spawn(&self, t: u32) {
        if let Some(run) = self.me.upgrade() {
            self.pool.spawn(move || run.execute(t));
        }
    }

    fn abandoned(&self, t: u32) -> bool {
        self.cancelled.load(Ordering::Relaxed)
            || self.interest[t as usize].load(Ordering::Relaxed) == 0
    }

    /// The error of local node `local` that the DAG does not keep, if any.
    fn fault_of(&self, local: u32) -> Option<Error> {
        if local == NONE {
            return None;
        }
        match self
            .faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&local)
        {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        }
    }

    /// Runs task `t` and then, inline, one of the tasks it made ready.
    fn execute(&self, first: u32) {
        let mut next = Some(first);
        while let Some(t) = next.take() {
            if self.state[t as usize]
                .compare_exchange(WAITING, RUNNING, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                continue;
            }
            if self.abandoned(t) {
                self.state[t as usize].store(DROPPED, Ordering::Release);
                continue;
            }
            let start = self.began.elapsed();
            let result = if self.plan.whole[t as usize] {
                self.evaluate_whole(t)
            } else {
                self.evaluate(t, true)
            };
            match result {
                RegionResult::Done(outcome) => next = self.complete(t, outcome, true),
                RegionResult::Wait(Builtin::Busy, duration, outcome) => {
                    if burn(duration, || self.abandoned(t)) {
                        self.emit(t, start, &outcome, rayon::current_thread_index());
                        next = self.complete(t, outcome, true);
                    } else {
                        self.state[t as usize].store(DROPPED, Ordering::Release);
                    }
                }
                RegionResult::Wait(_, duration, outcome) => {
                    lock(&self.parked).insert(t, (outcome, start));
                    match (self.me.upgrade(), Instant::now().checked_add(duration)) {
                        (Some(me), Some(deadline)) => {
                            self.timers.add(deadline, me, t);
                            // Cancelled meanwhile: the cancel may have reached
                            // the timer thread before this timer did.
                            if self.abandoned(t) {
                                // Always sent after our `add`, so the timer
                                // thread cannot see the cancel first.
                                self.unpark(t);
                                self.timers.cancel(self.id, t);
                                self.state[t as usize].store(DROPPED, Ordering::Release);
                            }
                        }
                        _ => self.wake(t),
                    }
                }
                RegionResult::Unknown => {
                    // Cannot happen when every input is known; fail loudly but safely.
                    let error = Error::with_detail(
                        ErrorKind::Internal,
                        self.span_of(self.node(t)),
                        "task ran before its inputs",
                    );
                    next = self.complete(t, Err(error), true);
                }
            }
        }
    }

    /// Evaluates a whole cheap subgraph with the sequential evaluator (its
    /// nodes still get their own events when recording).
    fn evaluate_whole(&self, t: u32) -> RegionResult {
        let offset = self.began.elapsed();
        let worker = rayon::current_thread_index();
        let outside = |id: NodeId| self.held.get(id);
        let outcome = match &self.events {
            None => walk(
                &self.dag,
                self.node(t),
                &self.limits,
                &self.token,
                &mut |_| {},
                &outside,
                false,
            ),
            Some((sender, _)) => walk(
                &self.dag,
                self.node(t),
                &self.limits,
                &self.token,
                &mut |e| {
                    let _ = sender.send(NodeEvent {
                        node: e.node,
                        worker,
                        start: offset + e.start,
                        end: offset + e.end,
                        ok: e.ok,
                    });
                },
                &outside,
                true,
            ),
        };
        RegionResult::Done(outcome)
    }

    fn node(&self, local: u32) -> NodeId {
        self.plan.nodes[local as usize]
    }

    /// Evaluates the members of task `t` in order. With `full`, every input
    /// is known and results are recorded; without, this is a read-only
    /// attempt to decide the task early from a failed input.
    fn evaluate(&self, t: u32, full: bool) -> RegionResult {
        let members = self.plan.members.get(t);
        let mut scratch: Vec<Option<Outcome>> = Vec::with_capacity(members.len());
        let record = full && self.events.is_some();
        let worker = rayon::current_thread_index();
        let mut result = RegionResult::Unknown;
        for (p, &m) in members.iter().enumerate() {
            let id = self.node(m);
            let node = self.dag.node(id);
            let start = if record {
                self.began.elapsed()
            } else {
                Duration::ZERO
            };
            let mut values: Vec<Got<'_>> = Vec::with_capacity(node.inputs.len());
            let mut decided: Option<Outcome> = None;
            let mut unknown = false;
            for &input in node.inputs.iter() {
                let l = self.plan.local_of(input).unwrap_or(NONE);
                // Members already computed in this task are stored (full
                // mode stores as it goes) or in the scratch (partial mode).
                let got = if !full && l != NONE && self.plan.task_of[l as usize] == t {
                    scratch[self.plan.position[l as usize] as usize]
                        .as_ref()
                        .map(|o| o.as_ref().map(Got::Kept).map_err(Error::clone))
                } else {
                    self.input(input, l)
                };
                match got {
                    Some(Ok(v)) => values.push(v),
                    Some(Err(e)) => {
                        decided = Some(Err(e));
                        break;
                    }
                    None => {
                        unknown = true;
                        break;
                    }
                }
            }
            let is_root = p + 1 == members.len();
            let outcome = match (decided, unknown) {
                (Some(outcome), _) => Some(outcome),
                (None, true) => None,
                (None, false) => {
                    let values: Vec<&Value> = values.iter().map(|v| &**v).collect();
                    let computed = apply(node, &values, &self.limits.value);
                    match (
                        &computed,
                        is_root,
                        wait_of(node, &values, self.limits.max_wait),
                    ) {
                        (Ok(_), _, Err(e)) => Some(Err(e)),
                        (Ok(_), true, Ok(Some((kind, duration)))) => {
                            if full {
                                result = RegionResult::Wait(kind, duration, computed);
                            }
                            None
                        }
                        _ => Some(computed),
                    }
                }
            };
            drop(values);
            if !full {
                if is_root {
                    if let Some(outcome) = outcome {
                        result = RegionResult::Done(outcome);
                    }
                } else {
                    scratch.push(outcome);
                }
                continue;
            }
            // Full mode: store the members' outcomes as they come; the
            // task's own outcome is stored when the task completes.
            let Some(outcome) = outcome else { continue };
            if record {
                self.emit(m, start, &outcome, worker);
            }
            if is_root {
                result = RegionResult::Done(outcome);
            } else {
                self.settle(m, outcome, false);
            }
        }
        result
    }

    fn emit(&self, local: u32, start: Duration, outcome: &Outcome, worker: Option<usize>) {
        if let Some((sender, _)) = &self.events {
            let _ = sender.send(NodeEvent {
                node: self.node(local),
                worker,
                start,
                end: self.began.elapsed(),
                ok: outcome.is_ok(),
            });
        }
    }

    /// Task `t` finished with `outcome`: record it, tell futures, release
    /// dependents. Returns one ready task for the caller to run inline
    /// (only when `inline` is allowed), spawning the others.
    fn complete(&self, t: u32, outcome: Outcome, inline: bool) -> Option<u32> {
        let mut finished = vec![(t, outcome)];
        let mut keep: Option<u32> = None;
        while let Some((t, outcome)) = finished.pop() {
            self.state[t as usize].store(DONE, Ordering::Release);
            let indices = self.futures_of.get(&t);
            let (failed, answer) = self.settle(t, outcome, indices.is_some());
            for &m in self.plan.members.get(t) {
                // `m` was counted for its inputs planned before it.
                let counted = |input| self.plan.local_of(input).is_some_and(|l| l < m);
                let inputs = &self.dag.node(self.node(m)).inputs;
                self.held.used(&self.dag, inputs, counted);
            }
            if let (Some(indices), Some(answer)) = (indices, answer) {
                for &i in indices {
                    self.resolve_future(i, answer.clone());
                }
            }
            std::sync::atomic::fence(Ordering::SeqCst);
            for &d in self.plan.waited_by.get(t) {
                if failed {
                    self.has_failed[d as usize].store(true, Ordering::SeqCst);
                }
                if self.pending[d as usize].fetch_sub(1, Ordering::AcqRel) == 1 {
                    if inline && keep.is_none() {
                        keep = Some(d);
                    } else {
                        self.spawn(d);
                    }
                } else if self.has_failed[d as usize].load(Ordering::SeqCst)
                    && let RegionResult::Done(Err(e)) = self.evaluate(d, false)
                    && self.state[d as usize]
                        .compare_exchange(WAITING, DONE, Ordering::AcqRel, Ordering::Acquire)
                        .is_ok()
                {
                    self.emit(
                        d,
                        self.began.elapsed(),
                        &Err(e.clone()),
                        rayon::current_thread_index(),
                    );
                    self.lose_interest(d);
                    finished.push((d, Err(e)));
                }
            }
        }
        keep
    }

    /// What is known about `input` (local id `local` or [`NONE`]): its
    /// value, its error, or nothing yet.
    fn input(&self, input: NodeId, local: u32) -> Option<Result<Got<'_>, Error>> {
        self.held
            .lookup(&self.dag, input)
            .or_else(|| self.fault_of(local).map(Err))
    }

    /// Stores the outcome of local node `local`: a big value nobody asked
    /// for is held until its consumers finish (unless the run records
    /// events: their readers look values up in the DAG), other outcomes go
    /// to the DAG (internal faults, which the DAG does not keep, to
    /// `faults`). Returns whether it failed and, with `answer`, the outcome
    /// for its futures.
    fn settle(&self, local: u32, outcome: Outcome, answer: bool) -> (bool, Option<Outcome>) {
        let id = self.node(local);
        let outcome = match outcome {
            Ok(value) if !answer && self.events.is_none() && is_big(&value) => {
                let users = self.plan.users[local as usize];
                match self.held.hold(&self.dag, id, value, users) {
                    Ok(()) => return (false, None),
                    Err(e) => Err(e),
                }
            }
            outcome => outcome,
        };
        match self.dag.keep(id, outcome) {
            Ok(kept) => (kept.is_err(), answer.then(|| kept.clone())),
            Err(unkept) => {
                lock(&self.faults).insert(local, unkept.clone());
                (true, answer.then_some(unkept))
            }
        }
    }

    /// Takes the parked value of `delay` task `t`, if it is still parked.
    fn unpark(&self, t: u32) -> Option<(Outcome, Duration)> {
        lock(&self.parked).remove(&t)
    }

    /// Drops the parked value and timer of `delay` task `t`, if any.
    fn drop_timer(&self, t: u32) {
        let parked = self.unpark(t);
        if parked.is_some() {
            self.timers.cancel(self.id, t);
            self.state[t as usize].store(DROPPED, Ordering::Release);
        }
    }

    /// Task `t` was decided without some inputs: they lose its interest.
    fn lose_interest(&self, t: u32) {
        let mut work = vec![t];
        while let Some(t) = work.pop() {
            for &e in self.plan.waits_on.get(t) {
                if self.state[e as usize].load(Ordering::Acquire) == DONE {
                    continue;
                }
                if self.interest[e as usize].fetch_sub(1, Ordering::AcqRel) == 1 {
                    let _ = self.state[e as usize].compare_exchange(
                        WAITING,
                        DROPPED,
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    );
                    work.push(e);
                    self.drop_timer(e);
                }
            }
        }
    }

    fn resolve_future(&self, index: usize, outcome: Outcome) {
        if let Some(state) = self.futures.get(index)
            && state.resolve(outcome)
            && self.unresolved.fetch_sub(1, Ordering::AcqRel) == 1
        {
            // Nobody is waiting any more: stop whatever is still going, and
            // give back the big values still held (a task still running
            // fails to find them, and nobody wants its outcome).
            self.cancelled.store(true, Ordering::SeqCst);
            self.token.cancel();
            self.timers.cancel_run(self.id);
            self.held.clear(&self.dag);
        }
    }

    /// Gives up future `index` with `error`: returns whether it was still open.
    pub(crate) fn cancel_future(&self, index: usize, error: Error) -> bool {
        let Some(state) = self.futures.get(index) else {
            return false;
        };
        if state.get().is_some() {
            return false;
        }
        let local = self.plan.local_of(state.node);
        self.resolve_future(index, Err(error));
        if let Some(l) = local
            && self.interest[l as usize].fetch_sub(1, Ordering::AcqRel) == 1
        {
            let _ = self.state[l as usize].compare_exchange(
                WAITING,
                DROPPED,
                Ordering::AcqRel,
                Ordering::Acquire,
            );
            self.drop_timer(l);
            self.lose_interest(l);
        }
        true
    }
}

/// Locks `mutex`, ignoring poisoning: the maps it guards stay consistent
/// because every critical section is a single insert or remove.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Drop for Run {
    fn drop(&mut self) {
        self.held.clear(&self.dag);
    }
}

impl Wake for Run {
    /// A `delay` timer fired: its task completes with the parked value.
    fn wake(&self, t: u32) {
        let parked = self.unpark(t);
        let Some((outcome, start)) = parked else {
            return;
        };
        if self.abandoned(t) {
            self.state[t as usize].store(DROPPED, Ordering::Release);
            return;
        }
        self.emit(t, start, &outcome, None);
        let _ = self.complete(t, outcome, false);
    }

    fn run_id(&self) -> u64 {
        self.id
    }
}
