//! Ids of one parallel run. A run numbers the nodes it computes with
//! [`LocalId`]s in topological order; nodes fuse into tasks, and a
//! [`TaskId`] is the local id of the task's root member (its last, the one
//! whose outcome is the task's). Per-task tables are indexed by that id.

/// A node of one run: its index in the run's plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct LocalId(pub(crate) u32);

impl LocalId {
    /// As a table index.
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// A task of one run: named by the [`LocalId`] of its root member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct TaskId(pub(crate) u32);

impl TaskId {
    /// The task whose root member is `root`.
    pub(crate) fn rooted_at(root: LocalId) -> TaskId {
        TaskId(root.0)
    }

    /// The task's root member.
    pub(crate) fn root(self) -> LocalId {
        LocalId(self.0)
    }

    /// As a table index.
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// A run, as the timer thread knows it (unique in the process).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RunId(pub(crate) u64);
