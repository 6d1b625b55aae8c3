//! An `if` whose chosen branch is not known yet: the branch becomes part
//! of the evaluation at run time as a run of its own (the same DAG, pool,
//! timers, limits and recording), so whatever the branch waits for (host
//! calls, `delay`s, user calls that wait) holds no worker, and its
//! independent parts run in parallel. The task waits holding no worker;
//! when the branch's run answers, the task is evaluated again
//! ([`Pass::Again`]: the members it computed before are kept) and finds
//! the branch known. Stopping the task or the run cancels the branch's
//! run, which drops what it waits for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::super::ids::TaskId;
use super::region::Pass;
use super::state::TaskState;
use super::{Run, RunContext, lock};
use crate::dag::{NodeId, Outcome};
use crate::error::{Error, ErrorKind};

/// The runs of branches a run's tasks wait for.
#[derive(Default)]
pub(super) struct Branches(Mutex<Waiting>);

#[derive(Default)]
struct Waiting {
    running: HashMap<TaskId, Arc<Run>>,
    /// Outcomes of branches the DAG does not keep (internal faults, a
    /// memory-budget refusal), so the task does not start them again.
    unkept: HashMap<NodeId, Outcome>,
}

impl Run {
    /// Task `t` waits for `branch`, computed by a run of its own.
    pub(super) fn start_branch(&self, t: TaskId, branch: NodeId) {
        let context = RunContext {
            limits: self.limits,
            fuse_ns: self.fuse_ns,
            pool: Arc::clone(&self.pool),
            timers: Arc::clone(&self.timers),
            record: self.recorder.is_on(),
            // A branch's nodes report when they finish, not when they start.
            starts: false,
            timeout: None,
            source: None,
        };
        let child = Run::start(Arc::clone(&self.dag), &[branch], context);
        lock(&self.branches.0).running.insert(t, Arc::clone(&child));
        let parent = self.me.clone();
        if let Some(promise) = child.promises().first() {
            promise.on_complete(move |outcome| {
                if let Some(run) = parent.upgrade() {
                    run.branch_done(t, branch, outcome);
                }
            });
        }
        // Stopped meanwhile: the stop may have missed this run.
        if self.abandoned(t) {
            self.drop_branch(t);
        }
    }

    /// The run of task `t`'s branch answered `outcome`: the task goes on,
    /// on the pool.
    fn branch_done(&self, t: TaskId, branch: NodeId, outcome: &Outcome) {
        let child = {
            let mut waiting = lock(&self.branches.0);
            if self.dag.result(branch).is_none() {
                waiting.unkept.insert(branch, outcome.clone());
            }
            waiting.running.remove(&t)
        };
        let Some(child) = child else { return };
        if let Some(events) = child.events() {
            let shift = child.recorder.began() - self.recorder.began();
            for mut event in events.try_iter() {
                event.start += shift;
                event.end += shift;
                self.recorder.send(event);
            }
        }
        if let Some(run) = self.me.upgrade() {
            self.pool.spawn(move || run.evaluate_again(t));
        }
    }

    /// The outcome of `branch`, when a run of it answered and the DAG did
    /// not keep it.
    pub(super) fn branch_outcome(&self, branch: NodeId) -> Option<Outcome> {
        lock(&self.branches.0).unkept.get(&branch).cloned()
    }

    /// Task `t`, whose branch is known now, goes on.
    fn evaluate_again(&self, t: TaskId) {
        if self.abandoned(t) {
            self.schedule.set(t, TaskState::Dropped);
            return;
        }
        let start = self.recorder.now();
        let result = self.evaluate(t, Pass::Again);
        if let Some(next) = self.went(t, start, result) {
            self.execute(next);
        }
    }

    /// Task `t` stops waiting for its branch's run, if it does.
    pub(super) fn drop_branch(&self, t: TaskId) {
        let child = lock(&self.branches.0).running.remove(&t);
        if let Some(child) = child {
            self.schedule.set(t, TaskState::Dropped);
            cancel(&child);
        }
    }

    /// Every task stops waiting for its branch's run.
    pub(super) fn drop_branches(&self) {
        let children: Vec<_> = lock(&self.branches.0).running.drain().collect();
        for (t, child) in children {
            self.schedule.set(t, TaskState::Dropped);
            cancel(&child);
        }
    }
}

/// Cancels the run of a branch nobody waits for.
fn cancel(child: &Run) {
    if let Some(promise) = child.promises().first() {
        let error = Error::new(ErrorKind::Cancelled, child.span_of(promise.node));
        child.cancel_future(0, error);
    }
}
