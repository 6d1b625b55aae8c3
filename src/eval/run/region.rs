//! Evaluating one task: its fused members in order on the worker, or a
//! whole cheap subgraph with the sequential evaluator. The same walk over
//! the members, read-only, decides a task early from a failed input.

use std::time::Duration;

use super::super::calls::compute_call;
use super::super::compute::{apply, apply_here, branch_of, wait_of};
use super::super::events::NodeEvent;
use super::super::held::Got;
use super::super::ids::{LocalId, TaskId};
use super::super::sequential::{WalkOptions, walk};
use super::{Run, this_lane};
use crate::dag::{CallSite, Node, NodeId, Op, Outcome};
use crate::error::Error;
use crate::value::{Builtin, Value};

/// What evaluating a task's members gave for its root.
pub(super) enum RegionResult {
    Done(Outcome),
    /// The root is a `delay`/`busy` whose inputs are known: wait, then `x`.
    Wait(Builtin, Duration, Outcome),
    /// The root is a host call whose arguments are known.
    Host(std::sync::Arc<crate::host::HostFn>, Vec<Value>),
    /// The root is a user call that waits (for a host call, a `delay` or
    /// the parts of a fork) holding no worker: it completes the task
    /// later (`expand.rs`).
    Suspended,
    /// An `if` member chose this branch, which is not known yet: the task
    /// goes on when a run of the branch answers (`branch.rs`).
    Branch(NodeId),
    /// Some input is not known yet.
    Unknown,
}

/// How thoroughly to evaluate a task's members.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Pass {
    /// Every input is known: compute, record events, store results.
    Full,
    /// A read-only attempt to decide the task early from a failed input.
    Early,
    /// A full pass again, after an `if`'s branch became known: members
    /// computed before are not computed again.
    Again,
}

impl Pass {
    /// Whether the pass computes (and records, and stores).
    fn computes(self) -> bool {
        self != Pass::Early
    }
}

impl Run {
    /// Evaluates a whole cheap subgraph with the sequential evaluator (its
    /// nodes still get their own events when recording).
    pub(super) fn evaluate_whole(&self, t: TaskId) -> RegionResult {
        RegionResult::Done(self.walk_from(self.plan.node(t.root())))
    }

    /// Evaluates node `root` (and whatever it needs that is not known yet)
    /// with the sequential evaluator on this worker.
    fn walk_from(&self, root: NodeId) -> Outcome {
        let offset = self.recorder.now();
        let lane = this_lane();
        let outside = |id: NodeId| self.held.get(id);
        let record = self.recorder.is_on();
        walk(
            &self.dag,
            root,
            &self.limits,
            &self.token,
            &mut |e| {
                if record {
                    self.recorder.send(NodeEvent {
                        lane,
                        start: offset + e.start,
                        end: offset + e.end,
                        ..e
                    });
                }
            },
            &outside,
            WalkOptions {
                keep_big: record,
                timed: record,
            },
        )
    }

    /// Evaluates the members of task `t` in order (see [`Pass`]).
    pub(super) fn evaluate(&self, t: TaskId, pass: Pass) -> RegionResult {
        let full = pass.computes();
        let count = self.plan.members(t).len();
        let mut scratch: Vec<Option<Outcome>> = Vec::with_capacity(count);
        let record = full && self.recorder.is_on();
        let lane = this_lane();
        let mut result = RegionResult::Unknown;
        for (p, m) in self.plan.members(t).enumerate() {
            let mut start = if record {
                self.recorder.now()
            } else {
                Duration::ZERO
            };
            let is_root = p + 1 == count;
            if pass == Pass::Again && !is_root && self.input(self.plan.node(m), Some(m)).is_some() {
                continue;
            }
            let outcome = self.member(t, m, &scratch, pass, is_root, &mut result);
            if let RegionResult::Branch(_) = result {
                return result;
            }
            // The branch an `if` walked reported its own nodes: the `if`
            // itself is only the choice.
            if record && self.dag.node(self.plan.node(m)).op == Op::If {
                start = self.recorder.now();
            }
            if !full {
                if is_root {
                    if let Some(outcome) = outcome {
                        result = RegionResult::Done(outcome);
                    }
                } else {
                    scratch.push(outcome);
                }
                continue;
            }
            // Full pass: store the members' outcomes as they come; the
            // task's own outcome is stored when the task completes.
            let Some(outcome) = outcome else { continue };
            if record {
                self.recorder.emit(self.plan.node(m), start, &outcome, lane);
            }
            if is_root {
                result = RegionResult::Done(outcome);
            } else {
                self.settle(m, outcome, false);
            }
        }
        result
    }

    /// The outcome of member `m` of task `t`, `None` if not decided (an
    /// input unknown, or the root waits: then `result` says how).
    fn member(
        &self,
        t: TaskId,
        m: LocalId,
        scratch: &[Option<Outcome>],
        pass: Pass,
        is_root: bool,
        result: &mut RegionResult,
    ) -> Option<Outcome> {
        let node = self.dag.node(self.plan.node(m));
        if node.op == Op::If {
            return self.if_outcome(t, node, scratch, (pass, result));
        }
        if let Op::UserCall(site) = &node.op {
            return self.call_outcome(t, node, site, scratch, (pass, is_root, result));
        }
        let mut values: Vec<Got<'_>> = Vec::with_capacity(node.inputs.len());
        for &input in node.inputs.iter() {
            match self.member_input(t, input, scratch, pass) {
                Some(Ok(v)) => values.push(v),
                Some(Err(e)) => return Some(Err(e)),
                None => return None,
            }
        }
        let values: Vec<&Value> = values.iter().map(|v| &**v).collect();
        if let Op::Host(f) = &node.op {
            // A host call is always a task's root (never fused): the task
            // joins the call and gives its worker back.
            if !is_root {
                let limits = &self.limits.value;
                return Some(apply_here(&self.dag, node, &values, limits, &self.token));
            }
            if pass.computes() {
                let args = values.iter().map(|v| (*v).clone()).collect();
                *result = RegionResult::Host(std::sync::Arc::clone(f), args);
            }
            return None;
        }
        let computed = apply(node, &values, &self.limits.value);
        match (
            &computed,
            is_root,
            wait_of(node, &values, self.limits.max_wait),
        ) {
            (Ok(_), _, Err(e)) => Some(Err(e)),
            (Ok(_), true, Ok(Some((kind, duration)))) => {
                if pass.computes() {
                    *result = RegionResult::Wait(kind, duration, computed);
                }
                None
            }
            _ => Some(computed),
        }
    }

    /// What is known about `input` of a member of task `t`. Members already
    /// computed in this task are stored (a full pass stores as it goes) or
    /// in the scratch (an early one).
    fn member_input<'a>(
        &'a self,
        t: TaskId,
        input: NodeId,
        scratch: &'a [Option<Outcome>],
        pass: Pass,
    ) -> Option<Result<Got<'a>, Error>> {
        let l = self.plan.local_of(input);
        match l {
            Some(l) if pass == Pass::Early && self.plan.task_of(l) == t => scratch
                .get(self.plan.position(l))?
                .as_ref()
                .map(|o| o.as_ref().map(Got::Kept).map_err(Error::clone)),
            _ => self.input(input, l),
        }
    }

    /// The outcome of user call member `node` of task `t` (always a
    /// task's root): the first failing argument's error, or (in a full
    /// pass) the call computed from its arguments and environment, `None`
    /// when it waits (then it completes the task itself).
    fn call_outcome(
        &self,
        t: TaskId,
        node: &Node,
        site: &std::sync::Arc<CallSite>,
        scratch: &[Option<Outcome>],
        (pass, is_root, result): (Pass, bool, &mut RegionResult),
    ) -> Option<Outcome> {
        let mut inputs = Vec::with_capacity(node.inputs.len());
        for (k, &input) in node.inputs.iter().enumerate() {
            match self.member_input(t, input, scratch, pass)? {
                Err(e) if k < site.args => return Some(Err(e)),
                outcome => inputs.push(outcome.map(|v| (*v).clone())),
            }
        }
        if !pass.computes() {
            return None;
        }
        if !is_root {
            // Never planned so (a call's cost is unknown): computed here.
            let (limits, token) = (&self.limits, &self.token);
            return Some(compute_call(&self.dag, node, site, &inputs, limits, token));
        }
        let outcome = self.start_call(t, node, site, &inputs);
        if outcome.is_none() {
            *result = RegionResult::Suspended;
        }
        outcome
    }

    /// The outcome of `if` member `node` of task `t`: its condition's
    /// error, or the outcome of the branch the condition chooses (a cheap
    /// branch walked here). `None` while undecided; when a computing pass
    /// finds a branch that may wait not known yet, `result` says that a
    /// run of its own must compute it.
    fn if_outcome(
        &self,
        t: TaskId,
        node: &Node,
        scratch: &[Option<Outcome>],
        (pass, result): (Pass, &mut RegionResult),
    ) -> Option<Outcome> {
        let condition = *node.inputs.first()?;
        let branch = match self.member_input(t, condition, scratch, pass)? {
            Err(e) => return Some(Err(e)),
            Ok(v) => branch_of(node, &v)?,
        };
        match self.member_input(t, branch, scratch, pass) {
            Some(outcome) => Some(outcome.map(|v| (*v).clone())),
            None if !pass.computes() => None,
            // No call, host call or wait in it: walked here, at once.
            None if self.dag.node(branch).total() != crate::dag::UNKNOWN => {
                Some(self.walk_from(branch))
            }
            None => {
                let known = self.branch_outcome(branch);
                if known.is_none() {
                    *result = RegionResult::Branch(branch);
                }
                known
            }
        }
    }
}
