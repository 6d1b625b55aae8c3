//! Host calls as the evaluators see them: outcomes given a span and
//! checked against the limits, and a call run to the end on the calling
//! thread (the sequential evaluator; calls inside function bodies). The
//! parallel run's non-blocking calls are in `run/hosted.rs`.

use std::time::Duration;

use super::cancel::CancelToken;
use crate::dag::{CallTable, Dag, Outcome};
use crate::error::{Error, ErrorKind, Span};
use crate::host::{HostFault, HostFn, HostFunctions, HostOutcome, Joined, Purity, block_on};
use crate::value::{Limits, Value};

/// What to do when a host future panicked for want of a tokio runtime
/// (tokio's words: "must be called from the context of a Tokio 1.x
/// runtime"), else nothing.
fn tokio_hint(message: &str) -> &'static str {
    if message.contains("Tokio 1.x runtime") {
        "; a host future that uses tokio needs exprflow's feature `tokio` and an engine \
         built inside a tokio runtime or given one (`EngineBuilder::tokio_handle`)"
    } else {
        ""
    }
}

/// `Err(would block)` at `span` when blocking this thread could hang it
/// (see [`HostFunctions::blocking_would_stall`]): the entry points that
/// block (`ExprFuture::wait`, `Formula::eval`, `Model::get`) call this
/// first.
pub(crate) fn refuse_to_stall(host: &HostFunctions, span: Span) -> Result<(), Error> {
    if host.blocking_would_stall() {
        return Err(Error::with_detail(
            ErrorKind::WouldBlock,
            span,
            "this thread drives the current-thread tokio runtime the async host functions \
             run in, so a blocking wait here would never end: `.await` the future instead \
             (or use a multi-thread runtime)",
        ));
    }
    Ok(())
}

/// The outcome of a call of `f` at `span`: `Err(message)` is `domain
/// error: message`, a panic an `internal error` of this call, and an exact
/// value over the bit limit `result too large`.
pub(crate) fn outcome_at(
    f: &HostFn,
    outcome: &HostOutcome,
    span: Span,
    limits: &Limits,
) -> Outcome {
    match outcome {
        Ok(value) => {
            let bits = match value {
                Value::Int(_) => value.bits(),
                Value::Rat(r) => r.part_bits().0.max(r.part_bits().1),
                Value::Float(_) => 0,
            };
            if bits > limits.max_bits {
                return Err(Error::with_detail(
                    ErrorKind::TooLarge,
                    span,
                    format!(
                        "{} returned a value of {bits} bits, over the limit of {}",
                        f.name(),
                        limits.max_bits
                    ),
                ));
            }
            Ok(value.clone())
        }
        Err(HostFault::Failed(message)) => Err(Error::with_detail(
            ErrorKind::Domain,
            span,
            message.as_str(),
        )),
        Err(HostFault::Panicked(message)) => Err(Error::with_detail(
            ErrorKind::Internal,
            span,
            format!(
                "host function {} panicked: {message}{}",
                f.name(),
                tokio_hint(message)
            ),
        )),
    }
}

/// Calls `f` with `args` on this thread and waits for it (parking, not
/// spinning), unless `cancel` fires first (then `cancelled`, and the
/// call's future is dropped). A pure call uses the DAG's memo: a known
/// outcome is reused, one in progress elsewhere is waited for (and polled
/// here when its waker has fired, checked every 10 ms: every worker of the
/// pool may be blocked in such a wait), and the outcome computed here is
/// remembered.
pub(crate) fn call_blocking(
    dag: &Dag,
    f: &HostFn,
    args: Vec<Value>,
    span: Span,
    limits: &Limits,
    cancel: &CancelToken,
) -> Outcome {
    let cancelled = || Error::new(ErrorKind::Cancelled, span);
    let pure = f.purity() == Purity::Pure;
    let key = pure.then(|| CallTable::host_key(f.id(), &args));
    if let Some(call) = key.as_ref().and_then(|k| dag.calls().host_call(k)) {
        let (sender, receiver) = crossbeam_channel::bounded(1);
        let waiter = Box::new(move |o: &HostOutcome| {
            let _ = sender.send(o.clone());
        });
        let outcome = match call.join(waiter) {
            Joined::Done(outcome) => outcome,
            Joined::Waiting(id) => loop {
                // Poll it here when a poll is due (its waker fired): the
                // pool's workers may all be blocked like this one.
                call.poll();
                match receiver.recv_timeout(Duration::from_millis(10)) {
                    Ok(outcome) => break outcome,
                    Err(_) if cancel.is_cancelled() => {
                        call.leave(id);
                        return Err(cancelled());
                    }
                    Err(_) => {}
                }
            },
        };
        return outcome_at(f, &outcome, span, limits);
    }
    let Some(outcome) = block_on(f.start(args), || cancel.is_cancelled()) else {
        return Err(cancelled());
    };
    if let Some(key) = key
        && !matches!(outcome, Err(HostFault::Panicked(_)))
    {
        let kept = crate::host::HostCall::done(outcome.clone());
        dag.calls().host_call_or(key, || kept);
    }
    outcome_at(f, &outcome, span, limits)
}
