//! Fork-join inside a call's expansion: a body node with two or more
//! inputs that call something slow (`pfib(n-1) + pfib(n-2)`, see
//! [`Body::heavy`](crate::dag::Body)) computes those inputs at the same
//! time, each as a branch with a frame stack of its own (a *part* frame:
//! the same call, computing only that input), joined with rayon's
//! work-stealing `join` (through a parallel iterator). Waiting in a join
//! runs other tasks of the pool, so no worker ever blocks on another.
//!
//! The invariants of the serial expansion hold:
//! - **Leftmost rule.** The forked inputs' outcomes go into the frame's
//!   slots and the node's step reads them left to right, as if computed
//!   one after the other. A branch stops early (its outcome unused) when a
//!   branch to its left in the same fork, or in a fork above, has failed.
//! - **Cycles.** A branch sees the calls pending in the branches above it
//!   (a chain of their `active` sets), so `f(x) = f(x) + 1` still finds
//!   that `f(1)` needs its own value.
//! - **Memory.** A branch counts the frames of the branches above it
//!   against the node limit: each path of forks is bounded like a serial
//!   expansion, and at most [`MAX_FORK_DEPTH`] forks nest.
//! - **Native stack.** Forks nest at most [`MAX_FORK_DEPTH`] deep; below
//!   that, calls run on the branch's frame stack as before.
//! - **Memo.** Two branches may compute the same call at the same time (a
//!   race); both get the same outcome and the memo keeps the first.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use super::{Expansion, Frame, Goal};
use crate::dag::{BodyId, BodyOp, CallKey, Outcome};

/// How many forks may nest in one call's expansion: up to `2^10` branches
/// at once, plenty for two to a few dozen workers, and a bounded native
/// stack (a few KiB a level).
pub(crate) const MAX_FORK_DEPTH: u32 = 10;

/// Whether a call's expansion may fork onto the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Forking {
    /// Everything on the calling thread (the sequential evaluator).
    Serial,
    /// Independent inputs of a body node on the current rayon pool (a
    /// parallel run's worker).
    Pool,
}

/// One fork above a branch: the calls pending in the branch that forked,
/// the fork's group and this branch's place in it.
pub(super) struct Link<'a> {
    active: &'a FxHashSet<CallKey>,
    /// The smallest index of a failed branch of the fork (`usize::MAX`
    /// while none has failed).
    failed: &'a AtomicUsize,
    index: usize,
    up: Option<&'a Link<'a>>,
}

/// Where a frame stack runs: below which forks, how deep, with how much of
/// the node budget already used above it.
pub(super) struct Branch<'a> {
    up: Option<&'a Link<'a>>,
    base: usize,
    depth: u32,
}

impl Branch<'_> {
    /// The branch of a call computed from the start: no fork above.
    pub(super) fn root() -> Branch<'static> {
        Branch {
            up: None,
            base: 0,
            depth: 0,
        }
    }

    fn links(&self) -> impl Iterator<Item = &Link<'_>> {
        std::iter::successors(self.up, |l| l.up)
    }

    /// Whether the branches above are computing call `key`.
    pub(super) fn is_active(&self, key: &CallKey) -> bool {
        self.links().any(|l| l.active.contains(key))
    }

    /// Whether a branch to the left of this one (or of a branch above) has
    /// failed: then this branch's outcome is never used.
    pub(super) fn stopped(&self) -> bool {
        self.links()
            .any(|l| l.failed.load(Ordering::Relaxed) < l.index)
    }

    /// Node budget used by the frames of the branches above.
    pub(super) fn base(&self) -> usize {
        self.base
    }
}

/// The inputs of body node `b` of `frame` to compute at the same time: not
/// computed yet, and heavy. `if` never forks (its branches are lazy).
pub(super) fn targets(frame: &Frame, b: BodyId) -> Vec<BodyId> {
    let body = &frame.def.body;
    let pair;
    let inputs: &[BodyId] = match &body.nodes[b as usize].op {
        BodyOp::Binary(_, x, y) => {
            pair = [*x, *y];
            &pair
        }
        BodyOp::Call { args, .. } => args,
        _ => return Vec::new(),
    };
    inputs
        .iter()
        .copied()
        .filter(|&i| body.is_heavy(i) && frame.slots[i as usize].is_none())
        .collect()
}

impl Expansion<'_> {
    /// Whether a frame stack running as `branch` may fork here.
    pub(super) fn may_fork(&self, branch: &Branch<'_>) -> bool {
        self.forking == Forking::Pool
            && branch.depth < MAX_FORK_DEPTH
            && rayon::current_thread_index().is_some()
    }

    /// Computes body nodes `targets` of `frame` at the same time, each as
    /// a branch below `branch` (whose frames, pending calls `active`, take
    /// `weight` of the budget). Their outcomes, in order.
    pub(super) fn fork(
        &self,
        frame: &Frame,
        targets: &[BodyId],
        active: &FxHashSet<CallKey>,
        branch: &Branch<'_>,
        weight: usize,
    ) -> Vec<Outcome> {
        let failed = AtomicUsize::new(usize::MAX);
        targets
            .par_iter()
            .with_max_len(1)
            .enumerate()
            .map(|(index, &target)| {
                let link = Link {
                    active,
                    failed: &failed,
                    index,
                    up: branch.up,
                };
                let below = Branch {
                    up: Some(&link),
                    base: branch.base + weight,
                    depth: branch.depth + 1,
                };
                let part = Frame::new(
                    std::sync::Arc::clone(&frame.def),
                    frame.key.clone(),
                    frame.args.clone(),
                    Goal::Part(target),
                );
                let outcome = self.run_frames(part, &below);
                if outcome.is_err() {
                    failed.fetch_min(index, Ordering::Relaxed);
                }
                outcome
            })
            .collect()
    }
}
