//! Host calls of a run: a task whose root is a host call joins the call
//! (shared with equal pure calls of the DAG) and gives its worker back;
//! the call's waiter completes the task when the outcome is known. Tasks
//! that lose interest, and the whole run when it stops, leave their
//! calls, which drops a pending future nobody else waits for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::super::host::outcome_at;
use super::super::ids::TaskId;
use super::state::TaskState;
use super::{Run, lock, this_lane};
use crate::dag::{CallTable, Outcome};
use crate::host::{HostCall, HostFn, HostOutcome, Joined, Purity};
use crate::value::Value;

/// The calls the run's tasks wait for, with their waiter ids.
#[derive(Default)]
pub(super) struct Hosted(Mutex<HashMap<TaskId, (Arc<HostCall>, u64)>>);

impl Run {
    /// Starts (or joins) host call `f(args)` for task `t`. Returns its
    /// outcome when known at once; otherwise the task completes later,
    /// from the call's waiter, and this worker is free.
    pub(super) fn start_host(
        &self,
        t: TaskId,
        f: &Arc<HostFn>,
        args: Vec<Value>,
        start: Duration,
    ) -> Option<Outcome> {
        let node = self.plan.node(t.root());
        let span = self.span_of(node);
        let make = || HostCall::new(f.start(args.clone()), Arc::clone(&self.pool));
        let (call, made) = match f.purity() {
            Purity::Pure => self
                .dag
                .calls()
                .host_call_or(CallTable::host_key(f.id(), &args), make),
            Purity::Volatile => (make(), true),
        };
        let run = self.me.clone();
        let function = Arc::clone(f);
        let waiter = Box::new(move |outcome: &HostOutcome| {
            if let Some(run) = run.upgrade() {
                let outcome = outcome_at(&function, outcome, span, &run.limits.value);
                run.host_finished(t, outcome, start);
            }
        });
        {
            let mut hosted = lock(&self.hosted.0);
            match call.join(waiter) {
                Joined::Done(outcome) => {
                    return Some(outcome_at(f, &outcome, span, &self.limits.value));
                }
                Joined::Waiting(id) => {
                    hosted.insert(t, (Arc::clone(&call), id));
                }
            }
        }
        // Cancelled meanwhile: the stop may have missed this call.
        if self.abandoned(t) {
            self.drop_host(t);
        }
        if made {
            call.poll();
        }
        None
    }

    /// The call task `t` waited for is done.
    fn host_finished(&self, t: TaskId, outcome: Outcome, start: Duration) {
        lock(&self.hosted.0).remove(&t);
        if self.abandoned(t) {
            self.schedule.set(t, TaskState::Dropped);
            return;
        }
        self.recorder
            .emit(self.plan.node(t.root()), start, &outcome, this_lane());
        let _ = self.complete(t, outcome, false);
    }

    /// Task `t` stops waiting for its host call, if it does.
    pub(super) fn drop_host(&self, t: TaskId) {
        let entry = lock(&self.hosted.0).remove(&t);
        if let Some((call, id)) = entry {
            self.schedule.set(t, TaskState::Dropped);
            call.leave(id);
        }
    }

    /// Every task of the run stops waiting for its host call.
    pub(super) fn drop_hosts(&self) {
        let entries: Vec<_> = lock(&self.hosted.0).drain().collect();
        for (t, (call, id)) in entries {
            self.schedule.set(t, TaskState::Dropped);
            call.leave(id);
        }
    }
}
