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

/// The calls the run's tasks wait for, with their waiter ids (a task
/// rooted at a user call may wait for several: its body's forked parts).
#[derive(Default)]
pub(super) struct Hosted(Mutex<HashMap<TaskId, Vec<Joining>>>);

/// A call joined, and the waiter id that leaves it.
type Joining = (Arc<HostCall>, u64);

impl Hosted {
    /// Task `t` waits for `call` as waiter `id`.
    pub(super) fn add(&self, t: TaskId, call: &Arc<HostCall>, id: u64) {
        lock(&self.0)
            .entry(t)
            .or_default()
            .push((Arc::clone(call), id));
    }

    /// Task `t` no longer waits for `call` as waiter `id` (it answered).
    pub(super) fn remove(&self, t: TaskId, call: &Arc<HostCall>, id: u64) {
        let mut hosted = lock(&self.0);
        if let Some(waits) = hosted.get_mut(&t) {
            waits.retain(|(c, w)| !(Arc::ptr_eq(c, call) && *w == id));
            if waits.is_empty() {
                hosted.remove(&t);
            }
        }
    }
}

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
        let (call, made) = self.host_call(f, &args);
        let run = self.me.clone();
        let function = Arc::clone(f);
        let joined = Arc::clone(&call);
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
                    hosted.entry(t).or_default().push((joined, id));
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

    /// Call `f(args)`: the DAG's call in progress (or done) for a pure
    /// function, else a new one; and whether it is new (its creator polls
    /// it first).
    pub(super) fn host_call(&self, f: &Arc<HostFn>, args: &[Value]) -> (Arc<HostCall>, bool) {
        let make = || HostCall::new(f.start(args.to_vec()), Arc::clone(&self.pool));
        match f.purity() {
            Purity::Pure => self
                .dag
                .calls()
                .host_call_or(CallTable::host_key(f.id(), args), make),
            Purity::Volatile => (make(), true),
        }
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

    /// Task `t` stops waiting for its host calls, if it does.
    pub(super) fn drop_host(&self, t: TaskId) {
        let entry = lock(&self.hosted.0).remove(&t);
        if let Some(waits) = entry {
            self.schedule.set(t, TaskState::Dropped);
            for (call, id) in waits {
                call.leave(id);
            }
        }
    }

    /// Every task of the run stops waiting for its host calls.
    pub(super) fn drop_hosts(&self) {
        let entries: Vec<_> = lock(&self.hosted.0).drain().collect();
        for (t, waits) in entries {
            self.schedule.set(t, TaskState::Dropped);
            for (call, id) in waits {
                call.leave(id);
            }
        }
    }
}
