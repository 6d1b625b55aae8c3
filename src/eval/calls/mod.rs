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
//! The stack is data ([`Stack`]), so an expansion can stop and go on
//! later on another thread. The sequential evaluator runs it to the end
//! ([`compute_call`], [`Waiting::Block`]: a host call or a `delay` in a
//! body waits on its thread). A parallel run ([`CallJob`],
//! [`Waiting::Suspend`]) gets it back instead, with what it waits for
//! ([`Wait`]): a host call, a `delay`'s timer, or the *parts* of a fork
//! (a body node with two or more inputs that call something slow,
//! `pfib(n-1) + pfib(n-2)`, computes those inputs at the same time, each
//! on a stack of its own; see [`fork`]). The run parks the stack, holding
//! no worker, and resumes it from the call's waker, the timer or the last
//! part to finish, on any worker (`eval/run/expand.rs`).

mod body;
mod expand;
mod fork;

use std::sync::Arc;
use std::time::Duration;

use super::cancel::CancelToken;
use super::limits::EvalLimits;
use crate::dag::{BodyId, CallKey, CallSite, CallTable, Dag, FuncDef, Node, Outcome};
use crate::error::{Error, ErrorKind, Span};
use crate::host::HostFn;
use crate::value::Value;
use fork::Branch;

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
    /// One body node of a call whose frame is in the stack that forked
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

/// What an expansion does when a body reaches a host call or a `delay`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Waiting {
    /// Waits on this thread, and never forks (the sequential evaluator:
    /// one thread by definition).
    Block,
    /// Stops and gives its stack back with what it waits for
    /// ([`Progress::Waits`]); forks into parts (a parallel run).
    Suspend,
}

/// What a suspended expansion waits for.
pub(crate) enum Wait {
    /// Host call `f(args)` at `span`: its outcome goes to
    /// [`Stack::resolve`] (given its span by `eval::host::outcome_at`).
    Host(Arc<HostFn>, Vec<Value>, Span),
    /// A `delay` of this long, then this outcome (to [`Stack::resolve`]).
    Delay(Duration, Outcome),
    /// These parts, computed at the same time (any order, any worker):
    /// their outcomes, in order, go to [`Stack::joined`].
    Fork(Vec<Stack>),
}

/// How far an expansion got.
pub(crate) enum Progress {
    /// What the stack computes (a call, or a part of one).
    Done(Outcome),
    /// Stopped: the stack, to go on once what it waits for is known.
    Waits(Stack, Wait),
}

/// An expansion in progress, owned: a stack of frames, the calls they
/// compute (cycle detection), their weight against the node budget, and
/// the forks above it. It may wait parked and go on on another thread.
pub(crate) struct Stack {
    frames: Vec<Frame>,
    active: Arc<rustc_hash::FxHashSet<CallKey>>,
    weight: usize,
    branch: Branch,
    /// The body nodes of the top frame that a fork computes as parts.
    forked: Vec<BodyId>,
}

impl Stack {
    fn new(bottom: Frame, branch: Branch) -> Stack {
        let mut active = rustc_hash::FxHashSet::default();
        if bottom.goal == Goal::Call {
            active.insert(bottom.key.clone());
        }
        Stack {
            weight: bottom.weight(),
            frames: vec![bottom],
            active: Arc::new(active),
            branch,
            forked: Vec::new(),
        }
    }

    /// The outcome of the host call or `delay` the stack waited for: the
    /// body node it waited at is done.
    pub(crate) fn resolve(&mut self, outcome: Outcome) {
        if let Some(frame) = self.frames.last_mut()
            && let Some((b, _)) = frame.work.pop()
        {
            frame.slots[b as usize] = Some(to_slot(outcome));
        }
    }

    /// The outcomes of the parts of the fork the stack waited for, in the
    /// order of [`Wait::Fork`].
    pub(crate) fn joined(&mut self, outcomes: Vec<Outcome>) {
        let forked = std::mem::take(&mut self.forked);
        if let Some(frame) = self.frames.last_mut() {
            for (b, outcome) in forked.into_iter().zip(outcomes) {
                frame.slots[b as usize] = Some(to_slot(outcome));
            }
        }
    }
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
    waiting: Waiting,
}

/// The argument values of a call node's inputs, or the first failing
/// argument's error; and the rest (the environment's variables).
fn split_inputs<'i>(
    site: &CallSite,
    inputs: &'i [Outcome],
) -> Result<(Vec<Value>, &'i [Outcome]), Outcome> {
    let (args, env) = inputs.split_at(site.args.min(inputs.len()));
    let mut values = Vec::with_capacity(args.len());
    for arg in args {
        match arg {
            Ok(v) => values.push(v.clone()),
            Err(e) => return Err(Err(e.clone())),
        }
    }
    Ok((values, env))
}

fn env_id(dag: &Dag, node: &Node, site: &CallSite) -> u64 {
    let env_nodes = &node.inputs[site.args.min(node.inputs.len())..];
    dag.calls().env_id(&site.env.signature, env_nodes)
}

/// Computes call node `node` (an [`Op::UserCall`](crate::dag::Op)) from
/// its inputs' outcomes on this thread, to the end: the arguments (all
/// values) and the environment's variables (values or errors; an error
/// counts only if the body uses it). A host call or a `delay` in a body
/// waits here; nothing forks.
pub(crate) fn compute_call(
    dag: &Dag,
    node: &Node,
    site: &CallSite,
    inputs: &[Outcome],
    limits: &EvalLimits,
    cancel: &CancelToken,
) -> Outcome {
    let (values, env) = match split_inputs(site, inputs) {
        Ok(split) => split,
        Err(outcome) => return outcome,
    };
    let expansion = Expansion {
        dag,
        site,
        env,
        env_id: env_id(dag, node, site),
        limits,
        cancel,
        waiting: Waiting::Block,
    };
    let text = || call_text(&site.def.name, &values);
    let outcome = match expansion.begin(Arc::clone(&site.def), values.clone().into_boxed_slice()) {
        Progress::Done(outcome) => outcome,
        Progress::Waits(..) => Err(Error::with_detail(
            ErrorKind::Internal,
            site.def.span,
            "a blocking expansion stopped",
        )),
    };
    through(outcome, node.span(), text)
}

/// A call a parallel run computes without holding a worker while it
/// waits: what its expansion reads, owned, so that its stacks can go on
/// on any thread.
pub(crate) struct CallJob {
    site: Arc<CallSite>,
    span: Span,
    args: Box<[Value]>,
    env: Box<[Outcome]>,
    env_id: u64,
}

impl CallJob {
    /// The call of node `node` (whose op has `site`) given its inputs'
    /// outcomes; `Err` with its outcome when an argument failed.
    pub(crate) fn new(
        dag: &Dag,
        node: &Node,
        site: &Arc<CallSite>,
        inputs: &[Outcome],
    ) -> Result<CallJob, Outcome> {
        let (values, env) = split_inputs(site, inputs)?;
        Ok(CallJob {
            site: Arc::clone(site),
            span: node.span(),
            args: values.into_boxed_slice(),
            env: env.into(),
            env_id: env_id(dag, node, site),
        })
    }

    fn expansion<'a>(
        &'a self,
        dag: &'a Dag,
        limits: &'a EvalLimits,
        cancel: &'a CancelToken,
    ) -> Expansion<'a> {
        Expansion {
            dag,
            site: &self.site,
            env: &self.env,
            env_id: self.env_id,
            limits,
            cancel,
            waiting: Waiting::Suspend,
        }
    }

    /// Starts the call: its memoised outcome, or its expansion as far as
    /// it goes without waiting.
    pub(crate) fn begin(&self, dag: &Dag, limits: &EvalLimits, cancel: &CancelToken) -> Progress {
        self.expansion(dag, limits, cancel)
            .begin(Arc::clone(&self.site.def), self.args.clone())
    }

    /// Goes on with `stack` (of this call) as far as it goes.
    pub(crate) fn resume(
        &self,
        stack: Stack,
        dag: &Dag,
        limits: &EvalLimits,
        cancel: &CancelToken,
    ) -> Progress {
        self.expansion(dag, limits, cancel).advance(stack)
    }

    /// The call's outcome from its body's: an error notes the call.
    pub(crate) fn finish(&self, outcome: Outcome) -> Outcome {
        through(outcome, self.span, || {
            call_text(&self.site.def.name, &self.args)
        })
    }
}

impl Expansion<'_> {
    fn table(&self) -> &CallTable {
        self.dag.calls()
    }

    /// Computes `def(args)`, or finds it in the memo.
    fn begin(&self, def: Arc<FuncDef>, args: Box<[Value]>) -> Progress {
        let key = CallTable::key(def.id, self.env_id, &args);
        if let Some(known) = self.table().get(&key) {
            return Progress::Done(known);
        }
        let bottom = Frame::new(def, key, args, Goal::Call);
        self.advance(Stack::new(bottom, Branch::root()))
    }
}
