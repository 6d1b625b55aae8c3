//! Computing one node from its input values: the single definition of a
//! node's meaning, shared by the sequential and the parallel evaluator.

use crate::dag::{Node, Op, Outcome};
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::value::{self, Builtin, Limits, Value};

/// The operation of `node` applied to input values (all inputs succeeded).
/// A panic inside the operation is caught and becomes an `internal error`
/// of this node, so one bad operation cannot take down a worker or the
/// caller's thread.
pub fn apply(node: &Node, values: &[&Value], limits: &Limits) -> Outcome {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        apply_op(node, values, limits)
    }))
    .unwrap_or_else(|_| {
        Err(Error::with_detail(
            ErrorKind::Internal,
            node.span(),
            "evaluation panicked",
        ))
    })
}

/// [`apply`], or for a host call, the call run to the end on this thread
/// (see `host::call_blocking`).
pub(crate) fn apply_here(
    dag: &crate::dag::Dag,
    node: &Node,
    values: &[&Value],
    limits: &Limits,
    cancel: &super::cancel::CancelToken,
) -> Outcome {
    match &node.op {
        Op::Host(f) => {
            let args = values.iter().map(|v| (*v).clone()).collect();
            super::host::call_blocking(dag, f, args, node.span(), limits, cancel)
        }
        _ => apply(node, values, limits),
    }
}

fn apply_op(node: &Node, values: &[&Value], limits: &Limits) -> Outcome {
    let span = node.span();
    let fault = |f| Error::from_fault(f, span);
    match (&node.op, values) {
        (Op::Unary(op), [x]) => value::unary(*op, x, limits).map_err(fault),
        (Op::Binary(op), [a, b]) => value::binary(*op, a, b, limits).map_err(fault),
        (Op::Call(f), args) => {
            let owned: Vec<Value> = args.iter().map(|v| (*v).clone()).collect();
            value::call(*f, &owned, limits).map_err(fault)
        }
        (Op::Fail(e), _) => Err((**e).clone()),
        // `if` chooses a branch (see `branch_of`); its value is the branch's.
        (Op::If, [_, chosen]) => Ok((*chosen).clone()),
        _ => Err(Error::with_detail(
            ErrorKind::Internal,
            span,
            format!("`{}` node with {} inputs", node.op.label(), values.len()),
        )),
    }
}

/// The input of `if` node `node` that its condition's value `condition`
/// chooses: `a` (input 1) when it is not zero, else `b` (input 2).
pub fn branch_of(node: &Node, condition: &Value) -> Option<crate::dag::NodeId> {
    let k = if condition.is_zero() { 2 } else { 1 };
    node.inputs.get(k).copied()
}

/// How long a `delay` or `busy` node waits or burns, if it is one, given
/// its (already validated) input values; a duration over `max_wait` is a
/// domain error.
pub fn wait_of(
    node: &Node,
    values: &[&Value],
    max_wait: Duration,
) -> Result<Option<(Builtin, Duration)>, Error> {
    let Op::Call(f @ (Builtin::Delay | Builtin::Busy)) = node.op else {
        return Ok(None);
    };
    let Some(ms) = values.get(1) else {
        return Ok(None);
    };
    let ms = value::duration_ms(ms).map_err(|f| Error::from_fault(f, node.span()))?;
    let max_ms = max_wait.as_secs_f64() * 1000.0;
    if ms > max_ms {
        return Err(Error::with_detail(
            ErrorKind::Domain,
            node.span(),
            format!("{} of {ms} ms is over the limit of {max_ms} ms", f.name()),
        ));
    }
    Ok(Some((f, Duration::from_secs_f64(ms / 1000.0))))
}
