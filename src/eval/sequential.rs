//! The sequential reference evaluator: a left-to-right, depth-first,
//! iterative walk that stops at the first failing input, exactly as the spec
//! defines the answer. No pool, no threads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::calls::compute_call;
use super::cancel::CancelToken;
use super::compute::{apply_here, wait_of};
use super::cpu::burn;
use super::events::{Lane, NodeEvent};
use super::held::{Got, HeldValues, is_big};
use super::limits::EvalLimits;
use crate::dag::{Dag, Node, NodeId, Op, Outcome};
use crate::error::{Error, ErrorKind};
use crate::value::{Builtin, Value};

/// Evaluates `root` of `dag` on the calling thread and returns its outcome.
/// Results are recorded in the DAG, so shared and earlier-computed nodes are
/// evaluated once. `on_node` is told of each node computed.
///
/// ```
/// use exprflow::testing::dag::{Dag, Scope};
/// use exprflow::testing::eval::{evaluate_sequential, CancelToken, EvalLimits};
/// let (ast, root) = exprflow::testing::syntax::parse_expr("(3+7)*(2+8)*((2*3)-1)").unwrap();
/// let mut dag = Dag::default();
/// let node = dag.add_expr(&ast, root, &Scope::new()).unwrap();
/// let value = evaluate_sequential(&dag, node, &EvalLimits::default(), &CancelToken::new(), &mut |_| {});
/// assert_eq!(value.unwrap().to_string(), "500");
/// ```
pub fn evaluate_sequential(
    dag: &Dag,
    root: NodeId,
    limits: &EvalLimits,
    cancel: &CancelToken,
    on_node: &mut dyn FnMut(NodeEvent),
) -> Outcome {
    evaluate_with(dag, root, limits, cancel, Some(on_node))
}

/// [`evaluate_sequential`] with nobody told of each node: no clock is
/// read per node (two reads were about 6% of a cheap node's time).
pub(crate) fn evaluate_quietly(
    dag: &Dag,
    root: NodeId,
    limits: &EvalLimits,
    cancel: &CancelToken,
) -> Outcome {
    evaluate_with(dag, root, limits, cancel, None)
}

fn evaluate_with(
    dag: &Dag,
    root: NodeId,
    limits: &EvalLimits,
    cancel: &CancelToken,
    on_node: Option<&mut dyn FnMut(NodeEvent)>,
) -> Outcome {
    if let Some(known) = dag.result(root) {
        return known.into_owned();
    }
    let options = WalkOptions {
        keep_big: false,
        timed: on_node.is_some(),
    };
    let outcome = match on_node {
        Some(on_node) => walk(dag, root, limits, cancel, on_node, &|_| None, options),
        None => walk(dag, root, limits, cancel, &mut |_| {}, &|_| None, options),
    };
    match dag.keep(root, outcome) {
        Ok(kept) => kept.into_owned(),
        Err(unkept) => unkept,
    }
}

/// How a [`walk`] goes about its work.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WalkOptions {
    /// Keep big intermediate values in the DAG (a run whose events someone
    /// reads keeps every value) instead of dropping them after their use.
    pub(crate) keep_big: bool,
    /// Time each node for its [`NodeEvent`] (two clock reads per node);
    /// without, the events' times are zero.
    pub(crate) timed: bool,
}

/// Computes `root` and returns its outcome without keeping it in the DAG
/// (the caller decides where it goes). Inputs already known are read from
/// the DAG or, failing that, from `outside` (a parallel run's held values).
/// Small results and errors are kept in the DAG; big intermediate values
/// are held only until their last consumer here has been computed, unless
/// `options.keep_big`.
pub(crate) fn walk(
    dag: &Dag,
    root: NodeId,
    limits: &EvalLimits,
    cancel: &CancelToken,
    on_node: &mut dyn FnMut(NodeEvent),
    outside: &impl Fn(NodeId) -> Option<Arc<Value>>,
    options: WalkOptions,
) -> Outcome {
    let WalkOptions { keep_big, timed } = options;
    let holding = Holding(dag, HeldValues::default());
    let held = &holding.1;
    let clock = Clock::start(timed);
    let mut stack: Vec<Frame> = vec![Frame {
        id: root,
        next: 0,
        base: 0,
    }];
    // The values of the inputs the frames of plain nodes have gathered so
    // far, frame above frame (a frame's start at its `base`). A child
    // computed here hands its value straight to its parent, so a node's
    // inputs are looked up once each; held values stay alive here until
    // their frame is computed, even if a parallel run (`outside`) lets go
    // of its copy meanwhile.
    let mut values: Vec<Got<'_>> = Vec::new();
    while let Some(frame) = stack.last_mut() {
        // A node on the stack was unknown when it was pushed and only this
        // frame computes it, so there is no need to look it up again.
        if cancel.is_cancelled() {
            return Err(Error::new(ErrorKind::Cancelled, dag.node(root).span()));
        }
        let Frame { id, base, .. } = *frame;
        let node = dag.node(id);
        // `if` and user calls: their own order of inputs, then their step.
        let lazy = match &node.op {
            Op::If => Some((
                clock.now(),
                if_step(dag, node, &mut frame.next, held, outside),
            )),
            Op::UserCall(site) => {
                let start = clock.now();
                let step = match call_step(dag, node, site.args, &mut frame.next, held, outside) {
                    CallStep::Descend(input) => IfStep::Descend(input),
                    CallStep::Done(outcome) => IfStep::Done(outcome),
                    CallStep::Ready(inputs) => {
                        let outcome = compute_call(dag, node, site, &inputs, limits, cancel);
                        if outcome
                            .as_ref()
                            .is_err_and(|e| e.kind == ErrorKind::Cancelled)
                        {
                            return Err(Error::new(ErrorKind::Cancelled, dag.node(root).span()));
                        }
                        IfStep::Done(outcome)
                    }
                };
                Some((start, step))
            }
            _ => None,
        };
        let (start, outcome) = match lazy {
            Some((_, IfStep::Descend(input))) => {
                stack.push(Frame::of(input, values.len()));
                continue;
            }
            Some((start, IfStep::Done(outcome))) => (start, outcome),
            None => {
                // Walk the inputs left to right from the first not yet
                // gathered; descend into the first unknown one.
                let mut failed: Option<Error> = None;
                while let Some(&input) = node.inputs.get(frame.next) {
                    match known(dag, input, held, outside) {
                        Some(Ok(v)) => {
                            values.push(v);
                            frame.next += 1;
                        }
                        Some(Err(e)) => {
                            failed = Some(e);
                            break;
                        }
                        None => break,
                    }
                }
                if failed.is_none()
                    && let Some(&input) = node.inputs.get(frame.next)
                {
                    stack.push(Frame::of(input, values.len()));
                    continue;
                }
                let start = clock.now();
                let outcome = match failed {
                    Some(e) => Err(e),
                    None => {
                        let refs: Vec<&Value> = values[base..].iter().map(|v| &**v).collect();
                        let outcome = apply_here(dag, node, &refs, &limits.value, cancel);
                        match (&outcome, wait_of(node, &refs, limits.max_wait)) {
                            (Err(e), _) if e.kind == ErrorKind::Cancelled => {
                                return Err(Error::new(
                                    ErrorKind::Cancelled,
                                    dag.node(root).span(),
                                ));
                            }
                            (Err(_), _) => outcome,
                            (Ok(_), Err(e)) => Err(e),
                            (Ok(_), Ok(None)) => outcome,
                            (Ok(_), Ok(Some((kind, duration)))) => {
                                if !wait(kind, duration, cancel) {
                                    return Err(Error::new(
                                        ErrorKind::Cancelled,
                                        dag.node(root).span(),
                                    ));
                                }
                                outcome
                            }
                        }
                    }
                };
                values.truncate(base);
                (start, outcome)
            }
        };
        let finished = Finished { id, start, outcome };
        let kept = match finish(dag, root, finished, held, keep_big, &mut *on_node, &clock) {
            Ok(Kept::Root(outcome)) | Err(outcome) => return outcome,
            Ok(kept) => kept,
        };
        stack.pop();
        // A plain parent takes the value as its next input (it descended
        // into that input); an error, `if` and calls look it up again.
        if let (Kept::Value(value), Some(parent)) = (kept, stack.last_mut())
            && !matches!(dag.node(parent.id).op, Op::If | Op::UserCall(_))
        {
            values.push(value);
            parent.next += 1;
        }
    }
    Err(Error::with_detail(
        ErrorKind::Internal,
        dag.node(root).span(),
        "root was not evaluated",
    ))
}

/// The time since a walk began, or zero when the walk is not timed.
struct Clock(Option<Instant>);

impl Clock {
    fn start(timed: bool) -> Clock {
        Clock(timed.then(Instant::now))
    }

    fn now(&self) -> Duration {
        self.0.map_or(Duration::ZERO, |began| began.elapsed())
    }
}

/// A node the walk has computed: its id, when it started, its outcome.
struct Finished {
    id: NodeId,
    start: Duration,
    outcome: Outcome,
}

/// One frame of a walk: a node, the index of the next input to look at,
/// and where its gathered input values start in the walk's value stack.
#[derive(Clone, Copy)]
struct Frame {
    id: NodeId,
    next: usize,
    base: usize,
}

impl Frame {
    fn of(id: NodeId, base: usize) -> Frame {
        Frame { id, next: 0, base }
    }
}

/// Where [`finish`] put a node's outcome.
enum Kept<'a> {
    /// The walk's root: its outcome, for the caller.
    Root(Outcome),
    /// A value, kept in the DAG or held by the walk.
    Value(Got<'a>),
    /// An error kept in the DAG.
    Error,
}

/// Reports a finished node and keeps its outcome (in the DAG, or among
/// the walk's held values when big). Returns `Ok(Kept::Root(outcome))`
/// for the root, where it was kept otherwise, and `Err` with the error
/// that ends the walk when the outcome cannot be kept (a value the memory
/// budget refuses, like any outcome the DAG does not keep: every error
/// reaches the root).
fn finish<'a>(
    dag: &'a Dag,
    root: NodeId,
    finished: Finished,
    held: &HeldValues,
    keep_big: bool,
    on_node: &mut dyn FnMut(NodeEvent),
    clock: &Clock,
) -> Result<Kept<'a>, Outcome> {
    let Finished { id, start, outcome } = finished;
    let node = dag.node(id);
    let end = clock.now();
    held.used(dag, &node.inputs, |_| true);
    on_node(NodeEvent {
        lane: Lane::Worker(0),
        node: id,
        start,
        end,
        ok: outcome.is_ok(),
    });
    if id == root {
        return Ok(Kept::Root(outcome));
    }
    match outcome {
        Ok(v) if !keep_big && is_big(&v) => match held.hold(dag, id, v, node.uses) {
            Ok(value) => Ok(Kept::Value(Got::Held(value))),
            Err(refused) => Err(Err(refused)),
        },
        outcome => match dag.keep(id, outcome) {
            Ok(kept) => Ok(Got::of(kept).map_or(Kept::Error, Kept::Value)),
            Err(unkept) => Err(Err(unkept.err().unwrap_or_else(|| {
                Error::with_detail(ErrorKind::Internal, node.span(), "result was not kept")
            }))),
        },
    }
}

/// The next step of a lazy `if` (or a user call): descend into its
/// condition or chosen branch, or its outcome (the condition's error, or
/// the branch's outcome). `next` is 0 while the condition is unknown, then
/// the index of the chosen branch.
enum IfStep {
    Descend(NodeId),
    Done(Outcome),
}

fn if_step(
    dag: &Dag,
    node: &Node,
    next: &mut usize,
    held: &HeldValues,
    outside: &impl Fn(NodeId) -> Option<Arc<Value>>,
) -> IfStep {
    if *next == 0 {
        let condition = node.inputs[0];
        match known(dag, condition, held, outside) {
            None => return IfStep::Descend(condition),
            Some(Err(e)) => return IfStep::Done(Err(e)),
            Some(Ok(v)) => *next = if v.is_zero() { 2 } else { 1 },
        }
    }
    let Some(&branch) = node.inputs.get(*next) else {
        return IfStep::Done(Err(Error::with_detail(
            ErrorKind::Internal,
            node.span(),
            "`if` without its branches",
        )));
    };
    match known(dag, branch, held, outside) {
        None => IfStep::Descend(branch),
        Some(outcome) => IfStep::Done(outcome.map(|v| (*v).clone())),
    }
}

/// The next step of a user call: descend into an unknown input, its
/// outcome (the first failing argument's error), or every input's outcome
/// (an environment variable may have failed: that counts only if a body
/// uses it).
enum CallStep {
    Descend(NodeId),
    Done(Outcome),
    Ready(Vec<Outcome>),
}

fn call_step(
    dag: &Dag,
    node: &Node,
    args: usize,
    next: &mut usize,
    held: &HeldValues,
    outside: &impl Fn(NodeId) -> Option<Arc<Value>>,
) -> CallStep {
    while let Some(&input) = node.inputs.get(*next) {
        match known(dag, input, held, outside) {
            None => return CallStep::Descend(input),
            Some(Err(e)) if *next < args => return CallStep::Done(Err(e)),
            Some(_) => *next += 1,
        }
    }
    let mut inputs = Vec::with_capacity(node.inputs.len());
    for (k, &input) in node.inputs.iter().enumerate() {
        match known(dag, input, held, outside) {
            Some(outcome) => inputs.push(outcome.map(|v| (*v).clone())),
            None => {
                // Dropped meanwhile (a big value a parallel run let go).
                *next = k;
                return CallStep::Descend(input);
            }
        }
    }
    CallStep::Ready(inputs)
}

/// What is known about node `id`: its value, its error, or nothing yet.
fn known<'a>(
    dag: &'a Dag,
    id: NodeId,
    held: &HeldValues,
    outside: &impl Fn(NodeId) -> Option<Arc<Value>>,
) -> Option<Result<Got<'a>, Error>> {
    held.lookup(dag, id)
        .or_else(|| outside(id).map(|v| Ok(Got::Held(v))))
}

/// Big values held by one walk, given back to the budget however it ends.
struct Holding<'a>(&'a Dag, HeldValues);

impl Drop for Holding<'_> {
    fn drop(&mut self) {
        self.1.clear(self.0);
    }
}

/// Sleeps (`delay`) or burns CPU (`busy`) for `duration`, polling `cancel`.
pub(crate) fn wait(kind: Builtin, duration: Duration, cancel: &CancelToken) -> bool {
    if kind == Builtin::Busy {
        return burn(duration, || cancel.is_cancelled());
    }
    let deadline = Instant::now() + duration;
    loop {
        let now = Instant::now();
        if now >= deadline {
            return true;
        }
        if cancel.is_cancelled() {
            return false;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(10)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dag::Scope;
    use std::cell::Cell;

    /// A parallel run may drop a value it holds (its last counted user
    /// finished) after a whole task's walk has read it and before the walk
    /// has used it: the walk keeps what it read.
    #[test]
    fn a_walk_keeps_the_outside_values_it_has_read() {
        let (ast, root) = crate::syntax::parse_expr("min(2^5000 + 1, 3 + 4)").unwrap();
        let mut dag = Dag::default();
        let root = dag.add_expr(&ast, root, &Scope::new()).unwrap();
        let x = dag.node(root).inputs[0];
        let value = crate::eval::evaluate_sequential(
            &Dag::clone(&dag),
            x,
            &EvalLimits::default(),
            &CancelToken::new(),
            &mut |_| {},
        )
        .unwrap();
        // The run has `x` the first time the walk asks, and then no more.
        let asked = Cell::new(false);
        let outside =
            |id: NodeId| (id == x && !asked.replace(true)).then(|| Arc::new(value.clone()));
        let limits = EvalLimits::default();
        let outcome = walk(
            &dag,
            root,
            &limits,
            &CancelToken::new(),
            &mut |_| {},
            &outside,
            WalkOptions {
                keep_big: false,
                timed: false,
            },
        );
        assert_eq!(outcome.unwrap().to_string(), "7");
        assert!(asked.get());
    }
}
