//! The scheduling state of a run's tasks: what each still waits for, who
//! still wants it, and where it is in its life.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};

use super::super::ids::TaskId;
use super::super::plan::Plan;

/// Where a task is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum TaskState {
    /// Waiting for its inputs or for a worker.
    Waiting = 0,
    /// Claimed by a worker (or parked on a timer).
    Running = 1,
    /// Its outcome is known.
    Done = 2,
    /// Nobody needs it any more; it never completes.
    Dropped = 3,
}

impl TaskState {
    fn from_u8(raw: u8) -> TaskState {
        match raw {
            0 => TaskState::Waiting,
            1 => TaskState::Running,
            2 => TaskState::Done,
            _ => TaskState::Dropped,
        }
    }
}

/// Per-task counters and states, indexed by [`TaskId`].
pub(super) struct Schedule {
    /// Inputs (tasks) not finished yet.
    pending: Vec<AtomicU32>,
    state: Vec<AtomicU8>,
    /// Dependents and futures still wanting the task.
    interest: Vec<AtomicU32>,
    /// Whether some input failed (the task may be decided early).
    has_failed: Vec<AtomicBool>,
}

impl Schedule {
    /// Every task waiting, with its input count and its dependents' interest.
    pub(super) fn new(plan: &Plan) -> Schedule {
        let n = plan.len();
        let per_task = |count: &dyn Fn(TaskId) -> usize| -> Vec<AtomicU32> {
            (0..n as u32)
                .map(|t| AtomicU32::new(count(TaskId(t)) as u32))
                .collect()
        };
        Schedule {
            pending: per_task(&|t| plan.waits_on(t).len()),
            state: (0..n)
                .map(|_| AtomicU8::new(TaskState::Waiting as u8))
                .collect(),
            interest: per_task(&|t| plan.waited_by(t).len()),
            has_failed: (0..n).map(|_| AtomicBool::new(false)).collect(),
        }
    }

    pub(super) fn state(&self, t: TaskId) -> TaskState {
        TaskState::from_u8(self.state[t.index()].load(Ordering::Acquire))
    }

    pub(super) fn set(&self, t: TaskId, state: TaskState) {
        self.state[t.index()].store(state as u8, Ordering::Release);
    }

    /// Moves `t` from `from` to `to`; returns whether it was in `from`.
    pub(super) fn advance(&self, t: TaskId, from: TaskState, to: TaskState) -> bool {
        self.state[t.index()]
            .compare_exchange(from as u8, to as u8, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// One more party (a future) wants `t`.
    pub(super) fn add_interest(&self, t: TaskId) {
        self.interest[t.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// One party gave `t` up; returns whether it was the last.
    pub(super) fn lose_interest(&self, t: TaskId) -> bool {
        self.interest[t.index()].fetch_sub(1, Ordering::AcqRel) == 1
    }

    /// Whether nobody wants `t` any more.
    pub(super) fn unwanted(&self, t: TaskId) -> bool {
        self.interest[t.index()].load(Ordering::Relaxed) == 0
    }

    /// An input of `t` finished; returns whether it was the last.
    pub(super) fn input_done(&self, t: TaskId) -> bool {
        self.pending[t.index()].fetch_sub(1, Ordering::AcqRel) == 1
    }

    pub(super) fn mark_failed_input(&self, t: TaskId) {
        self.has_failed[t.index()].store(true, Ordering::SeqCst);
    }

    pub(super) fn has_failed_input(&self, t: TaskId) -> bool {
        self.has_failed[t.index()].load(Ordering::SeqCst)
    }
}
