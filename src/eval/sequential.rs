//! The sequential reference evaluator: a left-to-right, depth-first,
//! iterative walk that stops at the first failing input, exactly as the spec
//! defines the answer. No pool, no threads.

use std::time::{Duration, Instant};

use super::cancel::CancelToken;
use super::compute::{apply, wait_of};
use super::cpu::burn;
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
    let began = Instant::now();
    // Each frame: a node and the index of the next input to look at.
    let mut stack: Vec<(NodeId, usize)> = vec![(root, 0)];
    while let Some(&mut (id, ref mut next)) = stack.last_mut() {
        if dag.result(id).is_some() {
            stack.pop();
            continue;
        }
        if cancel.is_cancelled() {
            return Err(Error::new(ErrorKind::Cancelled, dag.node(root).span));
        }
        let node = dag.node(id);
        // Walk inputs left to right; descend into the first unknown one.
        let mut failed: Option<Error> = None;
        let mut descend = None;
        while *next < node.inputs.len() {
            let input = node.inputs[*next];
            match dag.result(input) {
                Some(Ok(_)) => *next += 1,
                Some(Err(e)) => {
                    failed = Some(e.clone());
                    break;
                }
                None => {
                    descend = Some(input);
                    break;
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
                let values: Vec<&Value> = node
                    .inputs
                    .iter()
                    .filter_map(|&i| dag.result(i).and_then(|r| r.as_ref().ok()))
                    .collect();
                let outcome = apply(node, &values, &limits.value);
                match (&outcome, wait_of(node, &values, limits.max_wait)) {
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
        let end = began.elapsed();
        let kept = dag.keep(id, outcome);
        on_node(SeqEvent {
            node: id,
            start,
            end,
        });
        if let Err(unkept) = kept {
            return Err(unkept.err().unwrap_or_else(|| {
                Error::with_detail(ErrorKind::Internal, node.span, "result was not kept")
            }));
        }
        stack.pop();
    }
    dag.result(root).cloned().unwrap_or_else(|| {
        Err(Error::with_detail(
            ErrorKind::Internal,
            dag.node(root).span,
            "root was not evaluated",
        ))
    })
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
