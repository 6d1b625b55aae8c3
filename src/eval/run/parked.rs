//! `delay` tasks parked on the timer thread: their value waits, without a
//! worker, until the timer fires or nobody wants it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::super::events::Lane;
use super::super::ids::TaskId;
use super::super::timer::Wake;
use super::state::TaskState;
use super::{Run, lock};
use crate::dag::Outcome;
use crate::error::{Error, ErrorKind};

/// The timer token of a run's deadline (no task has this id).
pub(super) const DEADLINE: u32 = u32::MAX;

/// Values of `delay` tasks waiting for their timer, with their start.
#[derive(Default)]
pub(super) struct Parked(Mutex<HashMap<TaskId, (Outcome, Duration)>>);

impl Parked {
    pub(super) fn park(&self, t: TaskId, outcome: Outcome, start: Duration) {
        lock(&self.0).insert(t, (outcome, start));
    }

    /// Takes the parked value of `t`, if it is still parked.
    pub(super) fn take(&self, t: TaskId) -> Option<(Outcome, Duration)> {
        lock(&self.0).remove(&t)
    }
}

impl Run {
    /// Drops the parked value and timer of `delay` task `t`, if any, and
    /// the host calls and the branch's run it waits for.
    pub(super) fn drop_timer(&self, t: TaskId) {
        self.drop_host(t);
        self.drop_branch(t);
        if self.parked.take(t).is_some() {
            self.timers.cancel(self.id.0, t.0);
            self.schedule.set(t, TaskState::Dropped);
        }
    }
}

impl Wake for Run {
    /// A `delay` timer fired: its task completes with the parked value.
    fn wake(&self, token: u32) {
        if token == DEADLINE {
            // The run's timeout: what is still open times out.
            for (i, promise) in self.promises().iter().enumerate() {
                let error = Error::new(ErrorKind::TimedOut, self.span_of(promise.node));
                self.cancel_future(i, error);
            }
            return;
        }
        let t = TaskId(token);
        let Some((outcome, start)) = self.parked.take(t) else {
            return;
        };
        if self.abandoned(t) {
            self.schedule.set(t, TaskState::Dropped);
            return;
        }
        self.recorder
            .emit(self.plan.node(t.root()), start, &outcome, Lane::Timer);
        let _ = self.complete(t, outcome, false);
    }

    fn run_id(&self) -> u64 {
        self.id.0
    }
}
