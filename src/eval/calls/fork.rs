//! Forks inside a call's expansion: a body node with two or more inputs
//! that call something slow (`pfib(n-1) + pfib(n-2)`, see
//! [`Body::heavy`](crate::dag::Body)) computes those inputs at the same
//! time, each as a *part*: a [`Stack`] of its own whose bottom frame is
//! the same call computing only that input. The forking stack waits
//! ([`Wait::Fork`]) like for a host call: the run computes the parts on
//! any workers, and the last one to finish gives the outcomes back
//! ([`Stack::joined`]) and goes on with the forking stack. Nobody blocks
//! in a join, so a part that waits for a host call or a `delay` holds no
//! worker either.
//!
//! The invariants of the serial expansion hold:
//! - **Leftmost rule.** The parts' outcomes go into the frame's slots and
//!   the node's step reads them left to right, as if computed one after
//!   the other. A part stops early (its outcome unused) when a part to
//!   its left in the same fork, or in a fork above, has failed.
//! - **Cycles.** A part sees the calls pending in the stacks above it (a
//!   chain of their `active` sets), so `f(x) = f(x) + 1` still finds that
//!   `f(1)` needs its own value.
//! - **Memory.** A part counts the frames of the stacks above it against
//!   the node limit: each path of forks is bounded like a serial
//!   expansion, and at most [`MAX_FORK_DEPTH`] forks nest (at most
//!   `2^10` parts at once).
//! - **Memo.** Two parts may compute the same call at the same time (a
//!   race); both get the same outcome and the memo keeps the first.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustc_hash::FxHashSet;

use super::{Expansion, Frame, Goal, Stack, Waiting};
use crate::dag::{BodyId, BodyOp, CallKey};

/// How many forks may nest in one call's expansion: up to `2^10` parts
/// at once, plenty for two to a few dozen workers.
pub(crate) const MAX_FORK_DEPTH: u32 = 10;

/// One fork: the calls pending in the stack that forked, and the
/// smallest index of a failed part (`usize::MAX` while none has failed).
struct Fork {
    active: Arc<FxHashSet<CallKey>>,
    failed: AtomicUsize,
}

/// A part's place below one fork, and the link of the forking stack.
struct Link {
    fork: Arc<Fork>,
    index: usize,
    up: Option<Arc<Link>>,
}

/// Where a stack runs: below which forks, how deep, with how much of the
/// node budget already used above it.
pub(super) struct Branch {
    up: Option<Arc<Link>>,
    base: usize,
    depth: u32,
}

impl Branch {
    /// The branch of a call computed from the start: no fork above.
    pub(super) fn root() -> Branch {
        Branch {
            up: None,
            base: 0,
            depth: 0,
        }
    }

    fn links(&self) -> impl Iterator<Item = &Link> {
        std::iter::successors(self.up.as_deref(), |l| l.up.as_deref())
    }

    /// Whether the stacks above are computing call `key`.
    pub(super) fn is_active(&self, key: &CallKey) -> bool {
        self.links().any(|l| l.fork.active.contains(key))
    }

    /// Whether a part to the left of this one (or of a part above) has
    /// failed: then this part's outcome is never used.
    pub(super) fn stopped(&self) -> bool {
        self.links()
            .any(|l| l.fork.failed.load(Ordering::Relaxed) < l.index)
    }

    /// This part failed: the parts to its right stop.
    pub(super) fn fail(&self) {
        if let Some(link) = &self.up {
            link.fork.failed.fetch_min(link.index, Ordering::Relaxed);
        }
    }

    /// Node budget used by the frames of the stacks above.
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
    /// Whether a stack running as `branch` may fork here.
    pub(super) fn may_fork(&self, branch: &Branch) -> bool {
        self.waiting == Waiting::Suspend && branch.depth < MAX_FORK_DEPTH
    }

    /// The parts that compute body nodes `targets` of the top frame of
    /// `stack`, one stack each, below `stack`'s branch.
    pub(super) fn parts(&self, stack: &Stack, targets: &[BodyId]) -> Vec<Stack> {
        let Some(frame) = stack.frames.last() else {
            return Vec::new();
        };
        let fork = Arc::new(Fork {
            active: Arc::clone(&stack.active),
            failed: AtomicUsize::new(usize::MAX),
        });
        targets
            .iter()
            .enumerate()
            .map(|(index, &target)| {
                let link = Link {
                    fork: Arc::clone(&fork),
                    index,
                    up: stack.branch.up.clone(),
                };
                let below = Branch {
                    up: Some(Arc::new(link)),
                    base: stack.branch.base + stack.weight,
                    depth: stack.branch.depth + 1,
                };
                let part = Frame::new(
                    Arc::clone(&frame.def),
                    frame.key.clone(),
                    frame.args.clone(),
                    Goal::Part(target),
                );
                Stack::new(part, below)
            })
            .collect()
    }
}
