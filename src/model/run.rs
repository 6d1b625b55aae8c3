//! Carrying out a [`Plan`]: level by level, each cell either verified (no
//! input changed: its old outcome stands) or recomputed, the cells of a
//! level in parallel on the engine's pool when that pays; then the
//! outcomes are committed to the cells with early cutoff.

use std::sync::Arc;

use rayon::prelude::*;

use super::cells::{Cells, Status};
use super::code::{Shared, same};
use super::plan::{Input, Plan, Step, Work};
use crate::dag::Outcome;
use crate::error::ErrorKind;
use crate::eval::{CancelToken, Engine};

/// How many light cells (no `busy` or `delay`) make a pool task: a cell
/// takes a few microseconds, a task hand-off about as much.
const LIGHT_PER_TASK: usize = 32;

/// The outcome of one planned cell.
#[derive(Clone, Debug)]
pub(crate) struct Done {
    pub(crate) outcome: Shared,
    /// The revision its outcome last changed in (the plan's, if it just did).
    pub(crate) changed_at: u64,
    /// Whether it was evaluated (rather than verified).
    pub(crate) recomputed: bool,
}

/// Runs `plan`; `None` if `cancel` stopped it.
pub(crate) fn execute(plan: &Plan, engine: &Engine, cancel: &CancelToken) -> Option<Vec<Done>> {
    let mut done: Vec<Option<Done>> = vec![None; plan.steps.len()];
    for level in &plan.levels {
        if cancel.is_cancelled() {
            return None;
        }
        let one = |&k: &usize| settle(plan, k, &done, engine, cancel);
        let heavy = level.iter().any(|&k| match &plan.steps[k].work {
            Work::Formula(code) => code.heavy,
            Work::Cycle(_) => false,
        });
        let results: Vec<Done> = if level.len() > 1 && (heavy || level.len() > LIGHT_PER_TASK) {
            let per_task = if heavy { 1 } else { LIGHT_PER_TASK };
            engine
                .pool()
                .install(|| level.par_iter().with_min_len(per_task).map(one).collect())
        } else {
            level.iter().map(one).collect()
        };
        for (&k, result) in level.iter().zip(results) {
            done[k] = Some(result);
        }
    }
    if cancel.is_cancelled() {
        return None;
    }
    done.into_iter().collect()
}

/// The outcome of planned cell `k`, its inputs being settled.
fn settle(
    plan: &Plan,
    k: usize,
    done: &[Option<Done>],
    engine: &Engine,
    cancel: &CancelToken,
) -> Done {
    let step = &plan.steps[k];
    let code = match &step.work {
        Work::Cycle(error) => return finish(plan, step, Arc::clone(error)),
        Work::Formula(code) => code,
    };
    let mut inputs: Vec<Option<&Outcome>> = Vec::with_capacity(step.inputs.len());
    let mut changed = false;
    for input in &step.inputs {
        let (outcome, changed_at) = match input {
            Input::Planned(p) => match &done[*p] {
                Some(d) => (Some(&*d.outcome), d.changed_at),
                // Not settled: cannot happen (levels), so recompute.
                None => (None, u64::MAX),
            },
            Input::Known(outcome, changed_at) => (outcome.as_deref(), *changed_at),
        };
        changed |= changed_at > step.verified_at;
        inputs.push(outcome);
    }
    // Whether a cell is on a cycle depends on the structure, not on its
    // inputs' values: a cell that was on one (its outcome a cycle error)
    // and is not any more is computed again.
    let was_cyclic = |old: &Outcome| old.as_ref().is_err_and(|e| e.kind == ErrorKind::Cycle);
    match &step.old {
        Some(old) if !step.dirty && !changed && !was_cyclic(old) => Done {
            outcome: Arc::clone(old),
            changed_at: step.changed_at,
            recomputed: false,
        },
        _ => {
            let outcome = code.eval(&inputs, engine, cancel);
            finish(plan, step, Arc::new(outcome))
        }
    }
}

/// A recomputed outcome: the early cutoff keeps the old one (and when it
/// changed) if the new one is the same.
fn finish(plan: &Plan, step: &Step, outcome: Shared) -> Done {
    match &step.old {
        Some(old) if same(old, &outcome) => Done {
            outcome: Arc::clone(old),
            changed_at: step.changed_at,
            recomputed: true,
        },
        _ => Done {
            outcome,
            changed_at: plan.revision,
            recomputed: true,
        },
    }
}

/// Stores what `plan` computed and returns how many cells were
/// recomputed. A cell whose outcome is not to be kept (a memory-budget
/// refusal, an internal fault) stays `Dirty`, and its users are marked
/// again, so the next `get` that needs it tries again.
pub(crate) fn commit(cells: &mut Cells, plan: &Plan, done: Vec<Done>) -> usize {
    let mut recomputed = 0;
    let mut retry = Vec::new();
    for (step, done) in plan.steps.iter().zip(done) {
        let keep = done
            .outcome
            .as_ref()
            .as_ref()
            .err()
            .is_none_or(|e| e.kind.is_deterministic());
        recomputed += usize::from(done.recomputed);
        let cell = &mut cells[step.id];
        cell.outcome = Some(done.outcome);
        cell.changed_at = done.changed_at;
        cell.verified_at = plan.revision;
        cell.status = if keep { Status::Clean } else { Status::Dirty };
        if !keep {
            retry.push(step.id);
        }
    }
    for id in retry {
        cells.mark_users(id);
    }
    recomputed
}
