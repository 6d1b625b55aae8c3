//! Computing a user-function call: the body is expanded with the argument
//! values, its calls are looked up in the DAG's memo ([`CallTable`]) or
//! expanded in turn. One explicit stack of frames, one per call being
//! computed, and in each frame a stack of body nodes: no native recursion,
//! so `sumto(100000)` (100,000 nested calls) needs no thread stack.
//!
//! Within a body, evaluation is left to right and stops at the first
//! failing input, as the sequential evaluator does for the DAG, so the
//! reported error follows the leftmost rule.
//!
//! In a parallel run, a body node with two or more inputs that call
//! something slow (`pfib(n-1) + pfib(n-2)`) computes those inputs at the
//! same time, each on a frame stack of its own, with `rayon::join`
//! (fork-join, [`fork`]). Only the first [`fork::MAX_FORK_DEPTH`] levels of
//! forks fork: the native stack grows with the forks, never with the depth
//! of the recursion.

mod body;
mod fork;

use std::sync::Arc;

use rustc_hash::FxHashSet;

use super::cancel::CancelToken;
use super::limits::EvalLimits;
use crate::dag::{BodyId, CallKey, CallSite, CallTable, Dag, FuncDef, Node, Outcome};
use crate::error::{Error, ErrorKind, Span};
use crate::value::Value;
use body::Step;
use fork::Branch;
pub(crate) use fork::Forking;

/// What a body node's slot holds: its value, or its error (boxed, so a
/// frame of mostly values stays small).
type Slot = Result<Value, Box<Error>>;

fn to_slot(outcome: Outcome) -> Slot {
    outcome.map_err(Box::new)
}

fn of_slot(slot: &Slot) -> Outcome {
    slot.clone().map_err(|e| *e)
}

/// What a pending call costs in the node budget besides one per body
/// node. A frame (its key, arguments, a 56-byte slot per body node, its
/// stacks) takes about 650 bytes for a small body; counting it as 64
/// nodes stops `loop(x) = loop(x + 1)` after about 290,000 pending calls
/// at the default limit of 20 million nodes (about 200 MB, a second or
/// two), and still lets `sumto(100000)` (100,000 pending calls) answer.
pub(crate) const FRAME_NODES: usize = 64;

/// What a frame computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Goal {
    /// The whole call: its body's root, then remembered in the memo.
    Call,
    /// One body node of a call whose frame is in the branch that forked
    /// this one (see [`fork`]).
    Part(BodyId),
}

/// One call being computed (or one part of it).
struct Frame {
    def: Arc<FuncDef>,
    key: CallKey,
    args: Box<[Value]>,
    /// The outcome of each body node computed so far.
    slots: Box<[Option<Slot>]>,
    /// Body nodes being computed, each with the index of its next input.
    work: Vec<(BodyId, usize)>,
    goal: Goal,
}

impl Frame {
    fn new(def: Arc<FuncDef>, key: CallKey, args: Box<[Value]>, goal: Goal) -> Frame {
        let target = match goal {
            Goal::Call => def.body.root(),
            Goal::Part(b) => b,
        };
        Frame {
            slots: vec![None; def.body.nodes.len()].into_boxed_slice(),
            work: vec![(target, 0)],
            def,
            key,
            args,
            goal,
        }
    }

    /// How much of the node budget a frame takes.
    fn weight(&self) -> usize {
        self.slots.len() + FRAME_NODES
    }

    /// The outcome of what the frame computes, once its work is done.
    fn outcome(&self) -> Outcome {
        let target = match self.goal {
            Goal::Call => self.def.body.root(),
            Goal::Part(b) => b,
        };
        match self.slots.get(target as usize) {
            Some(Some(slot)) => of_slot(slot),
            _ => Err(Error::with_detail(
                ErrorKind::Internal,
                self.def.span,
                "body was not computed",
            )),
        }
    }
}

/// The call as text, for error notes: `f(3, 1/2)` (long values cut).
pub(crate) fn call_text(name: &str, args: &[Value]) -> String {
    let args: Vec<String> = args
        .iter()
        .map(|v| {
            let text = v.to_string();
            if text.len() > 24 {
                format!("{}…", text.chars().take(20).collect::<String>())
            } else {
                text
            }
        })
        .collect();
    format!("{name}({})", args.join(", "))
}

/// The end of the detail of the error of a call that needs its own value.
const CYCLE: &str = "needs its own value: the recursion never ends";

/// Whether `outcome` is (or came from) a call that needs its own value.
/// Such an outcome is never remembered: which call of the cycle reports it
/// depends on the chain of calls that reached it, and in a parallel run two
/// branches reach a cycle through different chains at the same time, so a
/// remembered one would make the error depend on timing.
fn is_cycle(outcome: &Outcome) -> bool {
    outcome.as_ref().is_err_and(|e| {
        e.kind == ErrorKind::TooLarge && e.detail.as_deref().is_some_and(|d| d.ends_with(CYCLE))
    })
}

/// The error with the call it came through added to its chain.
fn through(outcome: Outcome, span: Span, call: impl FnOnce() -> String) -> Outcome {
    outcome.map_err(|mut e| {
        e.calls.push(span, call());
        e
    })
}

/// Everything a call's expansion reads.
pub(crate) struct Expansion<'a> {
    dag: &'a Dag,
    site: &'a CallSite,
    /// The outcomes of the environment's variables, in its order.
    env: &'a [Outcome],
    env_id: u64,
    limits: &'a EvalLimits,
    cancel: &'a CancelToken,
    forking: Forking,
}

/// Computes call node `node` (an [`Op::UserCall`](crate::dag::Op)) from
/// its inputs' outcomes: the arguments (all values) and the environment's
/// variables (values or errors; an error counts only if the body uses it).
/// `forking` says whether independent calls inside may run on the pool.
pub(crate) fn compute_call(
    dag: &Dag,
    node: &Node,
    site: &CallSite,
    inputs: &[Outcome],
    limits: &EvalLimits,
    cancel: &CancelToken,
    forking: Forking,
) -> Outcome {
    let (args, env) = inputs.split_at(site.args.min(inputs.len()));
    let mut values = Vec::with_capacity(args.len());
    for arg in args {
        match arg {
            Ok(v) => values.push(v.clone()),
            Err(e) => return Err(e.clone()),
        }
    }
    let env_nodes = &node.inputs[site.args.min(node.inputs.len())..];
    let expansion = Expansion {
        dag,
        site,
        env,
        env_id: dag.calls().env_id(&site.env.signature, env_nodes),
        limits,
        cancel,
        forking,
    };
    let text = || call_text(&site.def.name, &values);
    let outcome = expansion.run(Arc::clone(&site.def), values.clone().into_boxed_slice());
    through(outcome, node.span, text)
}

impl Expansion<'_> {
    fn table(&self) -> &CallTable {
        self.dag.calls()
    }

    /// Computes `def(args)`, or finds it in the memo.
    fn run(&self, def: Arc<FuncDef>, args: Box<[Value]>) -> Outcome {
        let key = CallTable::key(def.id, self.env_id, &args);
        if let Some(known) = self.table().get(&key) {
            return known;
        }
        self.run_frames(Frame::new(def, key, args, Goal::Call), &Branch::root())
    }

    /// Computes what `bottom` computes with an explicit stack of frames,
    /// as branch `branch` of the forks above it.
    fn run_frames(&self, bottom: Frame, branch: &Branch<'_>) -> Outcome {
        let mut active: FxHashSet<CallKey> = Default::default();
        if bottom.goal == Goal::Call {
            active.insert(bottom.key.clone());
        }
        let mut weight = bottom.weight();
        let mut frames = vec![bottom];
        loop {
            if self.cancel.is_cancelled() || branch.stopped() {
                // Stopped: the run was cancelled, or a sibling branch to
                // the left failed (its error is the answer, this is unused).
                return Err(Error::new(ErrorKind::Cancelled, self.site.def.span));
            }
            let Some(frame) = frames.last_mut() else {
                return Err(Error::with_detail(
                    ErrorKind::Internal,
                    self.site.def.span,
                    "call stack emptied early",
                ));
            };
            let Some(&(b, mut next)) = frame.work.last() else {
                // The frame's goal is done: remember it, give it to the caller.
                let Some(frame) = frames.pop() else { continue };
                weight -= frame.weight();
                let outcome = frame.outcome();
                if frame.goal != Goal::Call {
                    return outcome;
                }
                active.remove(&frame.key);
                if !is_cycle(&outcome) {
                    self.table().keep(frame.key, &outcome);
                }
                let Some(caller) = frames.last_mut() else {
                    return outcome;
                };
                let Some((at, _)) = caller.work.pop() else {
                    continue;
                };
                let span = caller.def.body.nodes[at as usize].span;
                let outcome = through(outcome, span, || call_text(&frame.def.name, &frame.args));
                caller.slots[at as usize] = Some(to_slot(outcome));
                continue;
            };
            if next == 0 && self.may_fork(branch) {
                let targets = fork::targets(frame, b);
                if targets.len() >= 2 {
                    let outcomes = self.fork(frame, &targets, &active, branch, weight);
                    for (t, outcome) in targets.into_iter().zip(outcomes) {
                        frame.slots[t as usize] = Some(to_slot(outcome));
                    }
                }
            }
            let step = self.step(frame, b, &mut next);
            if let Some(top) = frame.work.last_mut() {
                top.1 = next;
            }
            match step {
                Step::Descend(input) => frame.work.push((input, 0)),
                Step::Done(outcome) => {
                    frame.slots[b as usize] = Some(to_slot(outcome));
                    frame.work.pop();
                }
                Step::Call(def, args) => {
                    let span = frame.def.body.nodes[b as usize].span;
                    let key = CallTable::key(def.id, self.env_id, &args);
                    let refused = if let Some(known) = self.table().get(&key) {
                        Some(through(known, span, || call_text(&def.name, &args)))
                    } else if active.contains(&key) || branch.is_active(&key) {
                        Some(Err(Error::with_detail(
                            ErrorKind::TooLarge,
                            span,
                            format!("{} {CYCLE}", call_text(&def.name, &args)),
                        )))
                    } else {
                        None
                    };
                    if let Some(outcome) = refused {
                        frame.slots[b as usize] = Some(to_slot(outcome));
                        frame.work.pop();
                        continue;
                    }
                    let callee = Frame::new(def, key.clone(), args.into_boxed_slice(), Goal::Call);
                    let limit = self.dag.limits().max_nodes;
                    let used = self.dag.len()
                        + self.table().len()
                        + branch.base()
                        + weight
                        + callee.weight();
                    if used > limit {
                        // Never remembered: which call reaches the limit
                        // depends on what else was expanded.
                        let error = Error::with_detail(
                            ErrorKind::MemoryBudget,
                            span,
                            format!("the calls would grow the DAG past {limit} nodes"),
                        );
                        frame.slots[b as usize] = Some(to_slot(Err(error)));
                        frame.work.pop();
                        continue;
                    }
                    weight += callee.weight();
                    active.insert(key);
                    frames.push(callee);
                }
            }
        }
    }
}
