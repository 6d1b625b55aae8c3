//! The run's futures: one [`Promise`] per submitted root, resolved as
//! their tasks complete or when they are cancelled.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::super::ids::TaskId;
use super::super::plan::Plan;
use super::super::promise::Promise;
use super::Run;
use super::state::TaskState;
use crate::dag::{NodeId, Outcome};
use crate::error::Error;

/// The promises of a run and which task answers which.
pub(super) struct Answers {
    promises: Vec<Arc<Promise>>,
    /// Indices into `promises` answered by each task.
    of_task: HashMap<TaskId, Vec<usize>>,
    unresolved: AtomicUsize,
}

impl Answers {
    pub(super) fn new(plan: &Plan, roots: &[NodeId]) -> Answers {
        let mut of_task: HashMap<TaskId, Vec<usize>> = HashMap::new();
        for (i, &root) in roots.iter().enumerate() {
            if let Some(l) = plan.local_of(root) {
                of_task.entry(TaskId::rooted_at(l)).or_default().push(i);
            }
        }
        Answers {
            promises: roots.iter().map(|&r| Arc::new(Promise::new(r))).collect(),
            of_task,
            unresolved: AtomicUsize::new(roots.len()),
        }
    }

    pub(super) fn promises(&self) -> &[Arc<Promise>] {
        &self.promises
    }

    /// The futures task `t` answers, if any.
    pub(super) fn of_task(&self, t: TaskId) -> Option<&Vec<usize>> {
        self.of_task.get(&t)
    }

    /// The tasks the futures wait for, one entry per future.
    pub(super) fn tasks(&self) -> impl Iterator<Item = TaskId> + '_ {
        self.of_task
            .iter()
            .flat_map(|(&t, indices)| indices.iter().map(move |_| t))
    }
}

impl Run {
    /// Resolves future `index`; the last one to resolve stops the run.
    pub(super) fn resolve_future(&self, index: usize, outcome: Outcome) {
        self.recorder.resolving(index);
        if let Some(promise) = self.answers.promises.get(index)
            && promise.resolve(outcome)
            && self.answers.unresolved.fetch_sub(1, Ordering::AcqRel) == 1
        {
            // Nobody is waiting any more: stop whatever is still going, and
            // give back the big values still held (a task still running
            // fails to find them, and nobody wants its outcome).
            self.stop();
        }
    }

    /// Gives up future `index` with `error`: returns whether it was still open.
    pub(crate) fn cancel_future(&self, index: usize, error: Error) -> bool {
        let Some(promise) = self.answers.promises.get(index) else {
            return false;
        };
        if promise.get().is_some() {
            return false;
        }
        let local = self.plan.local_of(promise.node);
        self.resolve_future(index, Err(error));
        if let Some(l) = local {
            let t = TaskId::rooted_at(l);
            if self.schedule.lose_interest(t) {
                self.schedule
                    .advance(t, TaskState::Waiting, TaskState::Dropped);
                self.drop_timer(t);
                self.lose_interest(t);
            }
        }
        true
    }
}
