//! The expansion loop: one step at a time on a [`Stack`] of frames, until
//! what the stack computes is known or it has to wait.

use std::sync::Arc;

use super::body::Step;
use super::{
    CYCLE, Expansion, Frame, Goal, Progress, Stack, Wait, Waiting, call_text, is_cycle, through,
    to_slot,
};
use crate::dag::CallTable;
use crate::error::{Error, ErrorKind};
use crate::eval::host::call_blocking;
use crate::eval::sequential::wait;
use crate::value::Builtin;

impl Expansion<'_> {
    /// Computes what `stack` computes, as far as it goes: to the end, or
    /// (with [`Waiting::Suspend`]) until it waits for a host call, a
    /// `delay` or the parts of a fork.
    pub(super) fn advance(&self, mut stack: Stack) -> Progress {
        loop {
            if self.cancel.is_cancelled() || stack.branch.stopped() {
                // Stopped: the run was cancelled, or a part to the left
                // failed (its error is the answer, this one is unused).
                return self.part_done(
                    &stack,
                    Err(Error::new(ErrorKind::Cancelled, self.site.def.span)),
                );
            }
            let Some(frame) = stack.frames.last_mut() else {
                return Progress::Done(Err(Error::with_detail(
                    ErrorKind::Internal,
                    self.site.def.span,
                    "call stack emptied early",
                )));
            };
            let Some(&(b, mut next)) = frame.work.last() else {
                // The frame's goal is done: remember it, give it to the caller.
                let Some(frame) = stack.frames.pop() else {
                    continue;
                };
                stack.weight -= frame.weight();
                let outcome = frame.outcome();
                if frame.goal != Goal::Call {
                    return self.part_done(&stack, outcome);
                }
                Arc::make_mut(&mut stack.active).remove(&frame.key);
                if !is_cycle(&outcome) {
                    self.table().keep(frame.key, &outcome);
                }
                let Some(caller) = stack.frames.last_mut() else {
                    return Progress::Done(outcome);
                };
                let Some((at, _)) = caller.work.pop() else {
                    continue;
                };
                let span = caller.def.body.nodes[at as usize].span;
                let outcome = through(outcome, span, || call_text(&frame.def.name, &frame.args));
                caller.slots[at as usize] = Some(to_slot(outcome));
                continue;
            };
            if next == 0 && self.may_fork(&stack.branch) {
                let targets = super::fork::targets(frame, b);
                if targets.len() >= 2 {
                    let parts = self.parts(&stack, &targets);
                    stack.forked = targets;
                    return Progress::Waits(stack, Wait::Fork(parts));
                }
            }
            let step = self.step(frame, b, &mut next);
            if let Some(top) = frame.work.last_mut() {
                top.1 = next;
            }
            let waited = match step {
                Step::Descend(input) => {
                    frame.work.push((input, 0));
                    continue;
                }
                Step::Done(outcome) => outcome,
                Step::Wait(w) if self.waiting == Waiting::Suspend => {
                    return Progress::Waits(stack, w);
                }
                Step::Wait(w) => self.block(w),
                Step::Call(def, args) => {
                    let span = frame.def.body.nodes[b as usize].span;
                    let key = CallTable::key(def.id, self.env_id, &args);
                    let refused = if let Some(known) = self.table().get(&key) {
                        Some(through(known, span, || call_text(&def.name, &args)))
                    } else if stack.active.contains(&key) || stack.branch.is_active(&key) {
                        Some(Err(Error::with_detail(
                            ErrorKind::TooLarge,
                            span,
                            format!("{} {CYCLE}", call_text(&def.name, &args)),
                        )))
                    } else {
                        None
                    };
                    if let Some(outcome) = refused {
                        outcome
                    } else {
                        let callee =
                            Frame::new(def, key.clone(), args.into_boxed_slice(), Goal::Call);
                        let limit = self.dag.limits().max_nodes;
                        let used = self.dag.len()
                            + self.table().len()
                            + stack.branch.base()
                            + stack.weight
                            + callee.weight();
                        if used > limit {
                            // Never remembered: which call reaches the limit
                            // depends on what else was expanded.
                            Err(Error::with_detail(
                                ErrorKind::MemoryBudget,
                                span,
                                past_node_limit(&stack, &callee.def, limit),
                            ))
                        } else {
                            stack.weight += callee.weight();
                            Arc::make_mut(&mut stack.active).insert(key);
                            stack.frames.push(callee);
                            continue;
                        }
                    }
                }
            };
            stack.resolve(waited);
        }
    }

    /// A part's outcome (a failed one stops the parts to its right), or
    /// what a whole stack computes.
    fn part_done(&self, stack: &Stack, outcome: crate::dag::Outcome) -> Progress {
        if outcome.is_err() {
            stack.branch.fail();
        }
        Progress::Done(outcome)
    }

    /// Waits for `w` on this thread ([`Waiting::Block`]).
    fn block(&self, w: Wait) -> crate::dag::Outcome {
        match w {
            Wait::Host(f, args, span) => {
                call_blocking(self.dag, &f, args, span, &self.limits.value, self.cancel)
            }
            Wait::Delay(duration, outcome) => {
                if wait(Builtin::Delay, duration, self.cancel) {
                    outcome
                } else {
                    Err(Error::new(ErrorKind::Cancelled, self.site.def.span))
                }
            }
            Wait::Fork(_) => Err(Error::with_detail(
                ErrorKind::Internal,
                self.site.def.span,
                "a blocking expansion forked",
            )),
        }
    }
}

/// The words of a call refused at the node limit: a recursion named as
/// such (`recursion does not end within the node limit: `h(x)` calls
/// itself 294117 calls deep, ...`), any other expansion by its size.
fn past_node_limit(stack: &Stack, callee: &crate::dag::FuncDef, limit: usize) -> String {
    let deep = stack
        .frames
        .iter()
        .filter(|f| f.goal == Goal::Call && f.def.id == callee.id)
        .count();
    if deep == 0 {
        return format!("the calls would grow the DAG past {limit} nodes");
    }
    let calls = stack.frames.iter().filter(|f| f.goal == Goal::Call).count();
    format!(
        "recursion does not end within the node limit: `{}({})` calls itself, \
         {calls} calls deep, and the calls would grow the DAG past {limit} nodes \
         (a recursion that does end needs a larger node limit)",
        callee.name,
        callee.params.join(", ")
    )
}
