//! Evaluating a batch with the engine or the sequential evaluator, honouring
//! the timeout, and reporting each line's outcome as it resolves.

use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use exprflow::dag::Outcome;
use exprflow::eval::{CancelToken, Engine, NodeEvent, SubmitOptions, evaluate_sequential};
use exprflow::report::Trace;
use exprflow::{Batch, Error, ErrorKind};

use super::args::RunOptions;

/// Evaluates every line of `batch`; `on_done(line index, outcome)` is called
/// in completion order. Returns the outcomes in line order and, with
/// `record`, the run's [`Trace`] (per-node events of the pool, or of the
/// sequential evaluator).
pub fn evaluate_batch(
    batch: &Batch,
    engine: &Engine,
    options: &RunOptions,
    record: bool,
    on_done: &mut dyn FnMut(usize, &Outcome),
) -> (Vec<Outcome>, Option<Trace>) {
    let began = Instant::now();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; batch.lines.len()];
    // Lines that failed before evaluation are done at once.
    for (i, line) in batch.lines.iter().enumerate() {
        if let Err(e) = &line.node {
            let outcome = Err(e.clone());
            on_done(i, &outcome);
            outcomes[i] = Some(outcome);
        }
    }
    let pending: Vec<usize> = (0..batch.lines.len())
        .filter(|&i| outcomes[i].is_none())
        .collect();
    let roots: Vec<_> = pending
        .iter()
        .filter_map(|&i| batch.lines[i].node.as_ref().ok().copied())
        .collect();
    let deadline = options.timeout.and_then(|t| Instant::now().checked_add(t));
    let recording = record.then(Recording::default);
    let mut job = Job {
        batch,
        engine,
        pending: &pending,
        roots: &roots,
        deadline,
        outcomes: &mut outcomes,
        on_done,
    };
    let trace = if options.sequential {
        let mut recording = recording;
        sequential(&mut job, recording.as_mut());
        recording.map(|r| Trace::from_sequential(r.sequential, began.elapsed()))
    } else {
        let events = parallel(&mut job, record);
        record.then(|| Trace::from_events(events, engine.workers(), began.elapsed()))
    };
    let outcomes = outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, Default::default()))))
        .collect();
    (outcomes, trace)
}

/// Events of a sequential run, on one time origin.
#[derive(Default)]
struct Recording {
    sequential: Vec<NodeEvent>,
}

#[allow(clippy::too_many_arguments)]
/// What both evaluation strategies need: the batch, which lines are still
/// to evaluate (`pending[k]` is the line of `roots[k]`), the deadline, and
/// where outcomes go.
struct Job<'a, 'f> {
    batch: &'a Batch,
    engine: &'a Engine,
    pending: &'a [usize],
    roots: &'a [exprflow::dag::NodeId],
    deadline: Option<Instant>,
    outcomes: &'a mut [Option<Outcome>],
    on_done: &'a mut (dyn FnMut(usize, &Outcome) + 'f),
}

impl Job<'_, '_> {
    /// Root `k` resolved: report it and keep its outcome.
    fn done(&mut self, k: usize, outcome: Outcome) {
        (self.on_done)(self.pending[k], &outcome);
        self.outcomes[self.pending[k]] = Some(outcome);
    }
}

fn parallel(job: &mut Job<'_, '_>, record: bool) -> Vec<NodeEvent> {
    let (batch, engine, roots, deadline) = (job.batch, job.engine, job.roots, job.deadline);
    let futures = engine.submit_all(&batch.dag, roots, SubmitOptions { events: record });
    let completions = futures.first().and_then(|f| f.completions());
    let mut events = Vec::new();
    let (sender, receiver) = crossbeam_channel::unbounded();
    for (k, future) in futures.iter().enumerate() {
        let sender = sender.clone();
        future.on_complete(move |_| {
            let _ = sender.send(k);
        });
    }
    drop(sender);
    let mut left = futures.len();
    while left > 0 {
        let next = match deadline {
            Some(d) => receiver.recv_deadline(d),
            None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        if let Some(completions) = &completions {
            events.extend(completions.try_iter());
        }
        match next {
            Ok(k) => {
                let outcome = futures[k].wait();
                job.done(k, outcome);
                left -= 1;
            }
            Err(RecvTimeoutError::Timeout) => {
                for future in &futures {
                    future.cancel_as(ErrorKind::TimedOut);
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    // Every node that finished before its future resolved has sent its
    // event by now.
    if let Some(completions) = &completions {
        events.extend(completions.try_iter());
    }
    events
}

#[allow(clippy::too_many_arguments)]
fn sequential(job: &mut Job<'_, '_>, recording: Option<&mut Recording>) {
    // The evaluation runs on its own thread so that the deadline holds even
    // while one long exact operation (which cannot be interrupted) runs:
    // lines not finished by then are reported `timed out` and the thread is
    // left to end with the process.
    let dag = std::sync::Arc::clone(&job.batch.dag);
    let limits = *job.engine.limits();
    let roots = job.roots.to_vec();
    let record = recording.is_some();
    let cancel = CancelToken::new();
    let worker_cancel = cancel.clone();
    let (sender, receiver) = crossbeam_channel::unbounded();
    let spawned = std::thread::Builder::new()
        .name("exprflow-sequential".into())
        .spawn(move || {
            let began = Instant::now();
            for (k, &root) in roots.iter().enumerate() {
                // Each call times its events from its own start: shift them
                // onto the run's origin.
                let offset: Duration = began.elapsed();
                let mut events = Vec::new();
                let outcome = evaluate_sequential(&dag, root, &limits, &worker_cancel, &mut |e| {
                    if record {
                        events.push(NodeEvent {
                            start: e.start + offset,
                            end: e.end + offset,
                            ..e
                        });
                    }
                });
                if sender.send((k, outcome, events)).is_err() {
                    return;
                }
            }
        });
    if spawned.is_err() {
        for k in 0..job.roots.len() {
            let error = Error::with_detail(
                ErrorKind::Internal,
                Default::default(),
                "cannot start a thread",
            );
            job.done(k, Err(error));
        }
        return;
    }
    let mut recording = recording;
    let mut received = vec![false; job.roots.len()];
    let mut limit = job.deadline;
    let mut timed_out = false;
    let mut left = job.roots.len();
    while left > 0 {
        let next = match limit {
            Some(deadline) => receiver.recv_deadline(deadline),
            None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        let (k, mut outcome, events) = match next {
            Ok(item) => item,
            Err(RecvTimeoutError::Timeout) if !timed_out => {
                // Stop the evaluation and give an interruptible one a moment.
                timed_out = true;
                cancel.cancel();
                limit = Some(Instant::now() + Duration::from_millis(200));
                continue;
            }
            Err(_) => break,
        };
        left -= 1;
        if let Err(e) = &mut outcome
            && e.kind == ErrorKind::Cancelled
        {
            e.kind = ErrorKind::TimedOut;
        }
        if let Some(recording) = recording.as_deref_mut() {
            recording.sequential.extend(events);
        }
        received[k] = true;
        job.done(k, outcome);
    }
    for (k, done) in received.into_iter().enumerate() {
        if !done {
            let span = job.batch.dag.node(job.roots[k]).span;
            job.done(k, Err(Error::new(ErrorKind::TimedOut, span)));
        }
    }
}
