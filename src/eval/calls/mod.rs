//! Computing a user-function call: the body is expanded with the argument
//! values, its calls are looked up in the DAG's memo ([`CallTable`]) or
//! expanded in turn. One explicit stack of frames, one per call being
//! computed, and in each frame a stack of body nodes: no native recursion,
//! so `sumto(100000)` (100,000 nested calls) needs no thread stack.
//!
//! Within a body, evaluation is left to right and stops at the first
//! failing input, as the sequential evaluator does for the DAG, so the
//! reported error follows the leftmost rule.

use std::sync::Arc;
use std::time::Duration;

use super::cancel::CancelToken;
use super::limits::EvalLimits;
use super::sequential::wait;
use crate::dag::{BodyId, BodyOp, CallKey, CallSite, CallTable, Dag, FuncDef, Node, Outcome};
use crate::error::{Error, ErrorKind, Span};
use crate::value::{self, Builtin, Value};

/// One call being computed.
struct Frame {
    def: Arc<FuncDef>,
    key: CallKey,
    args: Vec<Value>,
    /// The outcome of each body node computed so far.
    slots: Vec<Option<Outcome>>,
    /// Body nodes being computed, each with the index of its next input.
    work: Vec<(BodyId, usize)>,
}

impl Frame {
    fn new(def: Arc<FuncDef>, key: CallKey, args: Vec<Value>) -> Frame {
        let root = def.body.root();
        Frame {
            slots: vec![None; def.body.nodes.len()],
            work: vec![(root, 0)],
            def,
            key,
            args,
        }
    }

    /// How much of the node budget a frame takes.
    fn weight(&self) -> usize {
        self.slots.len() + 1
    }
}

/// The call as text, for error notes: `f(3, 1/2)` (long values cut).
fn call_text(name: &str, args: &[Value]) -> String {
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

/// The error with the call it came through added to its chain.
fn through(outcome: Outcome, span: Span, call: impl FnOnce() -> String) -> Outcome {
    outcome.map_err(|mut e| {
        e.calls.push(span, call());
        e
    })
}

/// What one step of a frame's top body node gave.
enum Step {
    /// Compute this input first.
    Descend(BodyId),
    /// The node's outcome.
    Done(Outcome),
    /// Call user function `def` with `args` (known values).
    Call(Arc<FuncDef>, Vec<Value>),
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
}

/// Computes call node `node` (an [`Op::UserCall`](crate::dag::Op)) from
/// its inputs' outcomes: the arguments (all values) and the environment's
/// variables (values or errors; an error counts only if the body uses it).
pub(crate) fn compute_call(
    dag: &Dag,
    node: &Node,
    site: &CallSite,
    inputs: &[Outcome],
    limits: &EvalLimits,
    cancel: &CancelToken,
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
    };
    let text = || call_text(&site.def.name, &values);
    let outcome = expansion.run(Arc::clone(&site.def), values.clone());
    through(outcome, node.span, text)
}

impl Expansion<'_> {
    fn table(&self) -> &CallTable {
        self.dag.calls()
    }

    /// Computes `def(args)` with an explicit stack of frames.
    fn run(&self, def: Arc<FuncDef>, args: Vec<Value>) -> Outcome {
        let key = CallTable::key(def.id, self.env_id, &args);
        if let Some(known) = self.table().get(&key) {
            return known;
        }
        let mut active: rustc_hash::FxHashSet<CallKey> = Default::default();
        active.insert(key.clone());
        let mut frames = vec![Frame::new(def, key, args)];
        let mut weight = frames[0].weight();
        loop {
            if self.cancel.is_cancelled() {
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
                // The frame's root is done: remember it, give it to the caller.
                let Some(frame) = frames.pop() else { continue };
                weight -= frame.weight();
                active.remove(&frame.key);
                let root = frame.def.body.root() as usize;
                let outcome = frame.slots.get(root).cloned().flatten().unwrap_or_else(|| {
                    Err(Error::with_detail(
                        ErrorKind::Internal,
                        frame.def.span,
                        "body was not computed",
                    ))
                });
                self.table().keep(frame.key, &outcome);
                let Some(caller) = frames.last_mut() else {
                    return outcome;
                };
                let Some((at, _)) = caller.work.pop() else {
                    continue;
                };
                let span = caller.def.body.nodes[at as usize].span;
                let outcome = through(outcome, span, || call_text(&frame.def.name, &frame.args));
                caller.slots[at as usize] = Some(outcome);
                continue;
            };
            let step = self.step(frame, b, &mut next);
            if let Some(top) = frame.work.last_mut() {
                top.1 = next;
            }
            match step {
                Step::Descend(input) => frame.work.push((input, 0)),
                Step::Done(outcome) => {
                    frame.slots[b as usize] = Some(outcome);
                    frame.work.pop();
                }
                Step::Call(def, args) => {
                    let span = frame.def.body.nodes[b as usize].span;
                    let key = CallTable::key(def.id, self.env_id, &args);
                    if let Some(known) = self.table().get(&key) {
                        let outcome = through(known, span, || call_text(&def.name, &args));
                        frame.slots[b as usize] = Some(outcome);
                        frame.work.pop();
                        continue;
                    }
                    if active.contains(&key) {
                        let error = Error::with_detail(
                            ErrorKind::TooLarge,
                            span,
                            format!(
                                "{} needs its own value: the recursion never ends",
                                call_text(&def.name, &args)
                            ),
                        );
                        frame.slots[b as usize] = Some(Err(error));
                        frame.work.pop();
                        continue;
                    }
                    let callee = Frame::new(def, key.clone(), args);
                    let limit = self.dag.limits().max_nodes;
                    let used = self.dag.len() + self.table().len() + weight + callee.weight();
                    if used > limit {
                        // Never remembered: which call reaches the limit
                        // depends on what else was expanded.
                        let error = Error::with_detail(
                            ErrorKind::MemoryBudget,
                            span,
                            format!("the calls would grow the DAG past {limit} nodes"),
                        );
                        frame.slots[b as usize] = Some(Err(error));
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

    /// The next step of body node `b` of `frame`; `next` is the index of
    /// its next input to look at (for `if`: 0, then the chosen branch).
    fn step(&self, frame: &Frame, b: BodyId, next: &mut usize) -> Step {
        let node = &frame.def.body.nodes[b as usize];
        let span = node.span;
        let inputs: &[BodyId] = match &node.op {
            BodyOp::Const(v) => return Step::Done(Ok(v.clone())),
            BodyOp::Fail(e) => return Step::Done(Err(e.clone())),
            BodyOp::Param(k) => {
                return Step::Done(frame.args.get(*k).cloned().ok_or_else(|| {
                    Error::with_detail(ErrorKind::Internal, span, "missing argument")
                }));
            }
            BodyOp::Global(name) => return Step::Done(self.global(name, span)),
            BodyOp::If(c, a, alt) => {
                if *next == 0 {
                    match &frame.slots[*c as usize] {
                        None => return Step::Descend(*c),
                        Some(Err(e)) => return Step::Done(Err(e.clone())),
                        Some(Ok(v)) => *next = if v.is_zero() { 2 } else { 1 },
                    }
                }
                let branch = if *next == 1 { *a } else { *alt };
                return match &frame.slots[branch as usize] {
                    None => Step::Descend(branch),
                    Some(outcome) => Step::Done(outcome.clone()),
                };
            }
            BodyOp::Unary(_, a) => std::slice::from_ref(a),
            BodyOp::Binary(_, a, b) => &[*a, *b][..],
            BodyOp::Call { args, .. } => args,
        };
        let inputs: Vec<BodyId> = inputs.to_vec();
        while let Some(&input) = inputs.get(*next) {
            match &frame.slots[input as usize] {
                None => return Step::Descend(input),
                Some(Err(e)) => return Step::Done(Err(e.clone())),
                Some(Ok(_)) => *next += 1,
            }
        }
        let values: Vec<&Value> = inputs
            .iter()
            .filter_map(|&i| frame.slots[i as usize].as_ref()?.as_ref().ok())
            .collect();
        let fault = |f| Error::from_fault(f, span);
        match (&node.op, values.as_slice()) {
            (BodyOp::Unary(op, _), [x]) => {
                Step::Done(value::unary(*op, x, &self.limits.value).map_err(fault))
            }
            (BodyOp::Binary(op, ..), [x, y]) => {
                Step::Done(value::binary(*op, x, y, &self.limits.value).map_err(fault))
            }
            (BodyOp::Call { name, .. }, values) => {
                let values: Vec<Value> = values.iter().map(|v| (*v).clone()).collect();
                self.call(name, values, span)
            }
            _ => Step::Done(Err(Error::with_detail(
                ErrorKind::Internal,
                span,
                "body node with the wrong inputs",
            ))),
        }
    }

    /// A variable of the body that is not a parameter, as bound at the
    /// call site (or a constant).
    fn global(&self, name: &str, span: Span) -> Outcome {
        match self.site.env.vars.get(name) {
            Some(Some(k)) => self.env.get(*k).cloned().unwrap_or_else(|| {
                Err(Error::with_detail(
                    ErrorKind::Internal,
                    span,
                    "missing variable",
                ))
            }),
            _ => value::constant(name).ok_or_else(|| crate::dag::Env::unknown(name, span)),
        }
    }

    /// A call inside a body: a user function (of the site's environment),
    /// else a built-in.
    fn call(&self, name: &str, args: Vec<Value>, span: Span) -> Step {
        let arity_error = |expected: String| {
            Step::Done(Err(Error::with_detail(
                ErrorKind::WrongArity,
                span,
                format!("{name} takes {expected}, got {}", args.len()),
            )))
        };
        if let Some(def) = self.site.env.funcs.get(name) {
            if def.params.len() != args.len() {
                let n = def.params.len();
                return arity_error(format!("{n} argument{}", if n == 1 { "" } else { "s" }));
            }
            return Step::Call(Arc::clone(def), args);
        }
        if name == "if" {
            return arity_error("3 arguments".into());
        }
        let Some(f) = Builtin::from_name(name) else {
            return Step::Done(Err(Error::with_detail(
                ErrorKind::UnknownFunction,
                span,
                format!("`{name}`"),
            )));
        };
        if !f.arity().accepts(args.len()) {
            let n = f.arity();
            let s = if matches!(n, value::Arity::Exactly(1)) {
                ""
            } else {
                "s"
            };
            return arity_error(format!("{n} argument{s}"));
        }
        let computed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            value::call(f, &args, &self.limits.value)
        }));
        let outcome = match computed {
            Ok(result) => result.map_err(|fault| Error::from_fault(fault, span)),
            Err(_) => Err(Error::with_detail(
                ErrorKind::Internal,
                span,
                "evaluation panicked",
            )),
        };
        if outcome.is_ok()
            && matches!(f, Builtin::Delay | Builtin::Busy)
            && let Some(ms) = args.get(1)
        {
            let waited = match value::duration_ms(ms) {
                Err(fault) => Err(Error::from_fault(fault, span)),
                Ok(ms) if ms > self.limits.max_wait.as_secs_f64() * 1000.0 => {
                    Err(Error::with_detail(
                        ErrorKind::Domain,
                        span,
                        format!("{} of {ms} ms is over the limit", f.name()),
                    ))
                }
                Ok(ms) => {
                    if wait(f, Duration::from_secs_f64(ms / 1000.0), self.cancel) {
                        Ok(())
                    } else {
                        Err(Error::new(ErrorKind::Cancelled, span))
                    }
                }
            };
            if let Err(e) = waited {
                return Step::Done(Err(e));
            }
        }
        Step::Done(outcome)
    }
}
