//! A task finished: store its outcome, answer its futures, release its
//! dependents (deciding early those a failed input already decides), and
//! let go of inputs nobody needs any more.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use super::super::held::{Got, is_big};
use super::super::ids::{LocalId, TaskId};
use super::region::{Pass, RegionResult};
use super::state::TaskState;
use super::{Run, lock, this_lane};
use crate::dag::{NodeId, Outcome};
use crate::error::Error;

/// Outcomes the DAG does not keep (internal faults), by local node.
#[derive(Default)]
pub(super) struct Faults(Mutex<HashMap<LocalId, Outcome>>);

impl Faults {
    fn insert(&self, local: LocalId, outcome: Outcome) {
        lock(&self.0).insert(local, outcome);
    }

    /// The error of `local` that the DAG does not keep, if any.
    fn error_of(&self, local: LocalId) -> Option<Error> {
        match lock(&self.0).get(&local) {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        }
    }
}

impl Run {
    /// Task `t` finished with `outcome`: record it, tell futures, release
    /// dependents. Returns one ready task for the caller to run inline
    /// (only when `inline` is allowed), spawning the others.
    pub(super) fn complete(&self, t: TaskId, outcome: Outcome, inline: bool) -> Option<TaskId> {
        let mut finished = vec![(t, outcome)];
        let mut keep: Option<TaskId> = None;
        while let Some((t, outcome)) = finished.pop() {
            self.schedule.set(t, TaskState::Done);
            let indices = self.answers.of_task(t);
            let (failed, answer) = self.settle(t.root(), outcome, indices.is_some());
            for m in self.plan.members(t) {
                // `m` was counted for its inputs planned before it.
                let counted = |input| self.plan.local_of(input).is_some_and(|l| l < m);
                let inputs = self.dag.node(self.plan.node(m)).eager_inputs();
                self.held.used(&self.dag, inputs, counted);
            }
            if let (Some(indices), Some(answer)) = (indices, answer) {
                for &i in indices {
                    self.resolve_future(i, answer.clone());
                }
            }
            std::sync::atomic::fence(Ordering::SeqCst);
            for d in self.plan.waited_by(t) {
                if failed {
                    self.schedule.mark_failed_input(d);
                }
                if self.schedule.input_done(d) {
                    // A delay goes to the timer from this thread, never
                    // through the pool queue.
                    if self.only_waits(d) {
                        if let Some(outcome) = self.start_waiting(d) {
                            finished.push((d, outcome));
                        }
                    } else if inline && keep.is_none() {
                        keep = Some(d);
                    } else {
                        self.spawn(d);
                    }
                } else if self.schedule.has_failed_input(d)
                    && let RegionResult::Done(Err(e)) = self.evaluate(d, Pass::Early)
                    && self
                        .schedule
                        .advance(d, TaskState::Waiting, TaskState::Done)
                {
                    self.recorder.emit(
                        self.plan.node(d.root()),
                        self.recorder.now(),
                        &Err(e.clone()),
                        this_lane(),
                    );
                    self.lose_interest(d);
                    finished.push((d, Err(e)));
                }
            }
        }
        keep
    }

    /// What is known about `input` (local id `local` if in the run): its
    /// value, its error, or nothing yet.
    pub(super) fn input(
        &self,
        input: NodeId,
        local: Option<LocalId>,
    ) -> Option<Result<Got<'_>, Error>> {
        self.held
            .lookup(&self.dag, input)
            .or_else(|| local.and_then(|l| self.faults.error_of(l)).map(Err))
    }

    /// Stores the outcome of local node `local`: a big value nobody asked
    /// for is held until its consumers finish (unless the run records
    /// events: their readers look values up in the DAG), other outcomes go
    /// to the DAG (internal faults, which the DAG does not keep, to
    /// `faults`). Returns whether it failed and, with `answer`, the outcome
    /// for its futures.
    pub(super) fn settle(
        &self,
        local: LocalId,
        outcome: Outcome,
        answer: bool,
    ) -> (bool, Option<Outcome>) {
        let id = self.plan.node(local);
        let outcome = match outcome {
            Ok(value) if !answer && !self.recorder.is_on() && is_big(&value) => {
                let users = self.plan.users(local);
                match self.held.hold(&self.dag, id, value, users) {
                    Ok(_) => return (false, None),
                    Err(e) => Err(e),
                }
            }
            outcome => outcome,
        };
        match self.dag.keep(id, outcome) {
            Ok(kept) => (kept.is_err(), answer.then(|| kept.into_owned())),
            Err(unkept) => {
                self.faults.insert(local, unkept.clone());
                (true, answer.then_some(unkept))
            }
        }
    }

    /// Task `t` was decided without some inputs: they lose its interest.
    pub(super) fn lose_interest(&self, t: TaskId) {
        let mut work = vec![t];
        while let Some(t) = work.pop() {
            for e in self.plan.waits_on(t) {
                if self.schedule.state(e) == TaskState::Done {
                    continue;
                }
                if self.schedule.lose_interest(e) {
                    self.schedule
                        .advance(e, TaskState::Waiting, TaskState::Dropped);
                    work.push(e);
                    self.drop_timer(e);
                }
            }
        }
    }
}
