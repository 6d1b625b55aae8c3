//! The sequential reference evaluator: a left-to-right, depth-first,
//! iterative walk that stops at the first failing input, exactly as the spec
//! defines the answer. No pool, no threads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::cancel::CancelToken;
use super::compute::{apply, wait_of};
use super::cpu::burn;
use super::held::{Got, HeldValues, is_big};
use super::limits::EvalLimits;
use crate::dag::{Dag, NodeId, Outcome};
use crate::error::{Error, ErrorKind};
use crate::value::{Builtin, Value};

/// One finished node, as the sequential evaluator reports it.
#[derive(Clone, Copy, Debug)]
pub struct SeqEvent {
    /// The node.
    pub node: NodeId,
    /// When its computation started, since the evaluation began.
    pub start: Duration,
    /// When it finished.
    pub end: Duration,
    /// Whether it produced a value (not an error).
    pub ok: bool,
}

/// Evaluates `root` of `dag` on the calling thread and returns its outcome.
/// Results are recorded in the DAG, so shared and earlier-computed nodes are
/// evaluated once. `on_node` is told of each node computed.
///
/// ```
/// use exprflow::dag::{Dag, Scope};
/// use exprflow::eval::{evaluate_sequential, CancelToken, EvalLimits};
/// let (ast, root) = exprflow::syntax::parse_expr("(3+7)*(2+8)*((2*3)-1)").unwrap();
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
    on_node: &mut dyn FnMut(SeqEvent),
) -> Outcome {
    if let Some(known) = dag.result(root) {
        return known.clone();
    }
    let outcome = walk(dag, root, limits, cancel, on_node, &|_| None, false);
    match dag.keep(root, outcome) {
        Ok(kept) => kept.clone(),
        Err(unkept) => unkept,
    }
}

/// Computes `root` and returns its outcome without keeping it in the DAG
/// (the caller decides where it goes). Inputs already known are read from
/// the DAG or, failing that, from `outside` (a parallel run's held values).
/// Small results and errors are kept in the DAG; big intermediate values
/// are held only until their last consumer here has been computed, unless
/// `keep_big` (a run whose events someone reads keeps every value).
pub(crate) fn walk(
    dag: &Dag,
    root: NodeId,
    limits: &EvalLimits,
    cancel: &CancelToken,
    on_node: &mut dyn FnMut(SeqEvent),
    outside: &impl Fn(NodeId) -> Option<Arc<Value>>,
    keep_big: bool,
) -> Outcome {
    let holding = Holding(dag, HeldValues::default());
    let held = &holding.1;
    let began = Instant::now();
    // Each frame: a node and the index of the next input to look at.
    let mut stack: Vec<(NodeId, usize)> = vec![(root, 0)];
    // The values of the top node's inputs looked at so far.
    let mut values: Vec<Got<'_>> = Vec::new();
    while let Some(&mut (id, ref mut next)) = stack.last_mut() {
        // A node on the stack was unknown when it was pushed and only this
        // frame computes it, so there is no need to look it up again.
        if cancel.is_cancelled() {
            return Err(Error::new(ErrorKind::Cancelled, dag.node(root).span));
        }
        let node = dag.node(id);
        // Walk inputs left to right; descend into the first unknown one.
        // Values are gathered on the way when the walk starts at the first
        // input (the common case: one pass).
        let gathering = *next == 0;
        values.clear();
        let mut failed: Option<Error> = None;
        let mut descend = None;
        while *next < node.inputs.len() {
            let input = node.inputs[*next];
            match known(dag, input, held, outside) {
                Some(Ok(v)) => {
                    if gathering {
                        values.push(v);
                    }
                    *next += 1;
                }
                Some(Err(e)) => {
                    failed = Some(e);
                    break;
                }
                None => {
                    descend = Some(input);
                    break;
                }
            }
        }
        if !gathering && failed.is_none() && descend.is_none() {
            // Every input is known (a held value stays until this node has
            // used it), so gather them in one more pass.
            for &input in node.inputs.iter() {
                match known(dag, input, held, outside) {
                    Some(Ok(v)) => values.push(v),
                    _ => {
                        failed = Some(Error::with_detail(
                            ErrorKind::Internal,
                            dag.node(input).span,
                            "an input's value was dropped before its use",
                        ));
                        break;
                    }
                }
            }
        }
        if let Some(input) = descend {
            stack.push((input, 0));
            continue;
        }
        let start = began.elapsed();
        let outcome = match failed {
            Some(e) => Err(e),
            None => {
                let refs: Vec<&Value> = values.iter().map(|v| &**v).collect();
                let outcome = apply(node, &refs, &limits.value);
                match (&outcome, wait_of(node, &refs, limits.max_wait)) {
                    (Err(_), _) => outcome,
                    (Ok(_), Err(e)) => Err(e),
                    (Ok(_), Ok(None)) => outcome,
                    (Ok(_), Ok(Some((kind, duration)))) => {
                        if !wait(kind, duration, cancel) {
                            return Err(Error::new(ErrorKind::Cancelled, dag.node(root).span));
                        }
                        outcome
                    }
                }
            }
        };
        values.clear();
        let end = began.elapsed();
        held.used(dag, &node.inputs);
        on_node(SeqEvent {
            node: id,
            start,
            end,
            ok: outcome.is_ok(),
        });
        if id == root {
            return outcome;
        }
        let kept = match outcome {
            Ok(v) if !keep_big && is_big(&v) => {
                held.hold(dag, id, v)
                    .or_else(|e| match dag.keep(id, Err(e)) {
                        Ok(_) => Ok(()),
                        Err(unkept) => Err(unkept),
                    })
            }
            outcome => dag.keep(id, outcome).map(|_| ()),
        };
        if let Err(unkept) = kept {
            return Err(unkept.err().unwrap_or_else(|| {
                Error::with_detail(ErrorKind::Internal, node.span, "result was not kept")
            }));
        }
        stack.pop();
    }
    Err(Error::with_detail(
        ErrorKind::Internal,
        dag.node(root).span,
        "root was not evaluated",
    ))
}

/// What is known about node `id`: its value, its error, or nothing yet.
fn known<'a>(
    dag: &'a Dag,
    id: NodeId,
    held: &HeldValues,
    outside: &impl Fn(NodeId) -> Option<Arc<Value>>,
) -> Option<Result<Got<'a>, Error>> {
    match dag.result(id) {
        Some(Ok(v)) => Some(Ok(Got::Kept(v))),
        Some(Err(e)) => Some(Err(e.clone())),
        None => held
            .get(id)
            .or_else(|| outside(id))
            .map(|v| Ok(Got::Held(v))),
    }
}

/// Big values held by one walk, given back to the budget however it ends.
struct Holding<'a>(&'a Dag, HeldValues);

impl Drop for Holding<'_> {
    fn drop(&mut self) {
        self.1.clear(self.0);
    }
}

/// Sleeps (`delay`) or burns CPU (`busy`) for `duration`, polling `cancel`.
fn wait(kind: Builtin, duration: Duration, cancel: &CancelToken) -> bool {
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
