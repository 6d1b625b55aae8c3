//! Waiting for many futures, in the manner of Python's
//! `concurrent.futures`: [`as_completed`] yields them in completion order,
//! [`wait`] returns when the first completes, the first fails, or all do.

use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;

use crate::error::Error;
use crate::eval::ExprFuture;
use crate::value::Value;

/// When [`wait`] returns (the names of `concurrent.futures`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Return {
    /// As soon as any future is done.
    FirstCompleted,
    /// As soon as any future fails, or when all are done.
    FirstException,
    /// When all futures are done.
    AllCompleted,
}

/// The futures' outcomes in completion order: `(index in futures,
/// outcome)`. Blocks between items; ends when every future is done. In
/// async code, [`as_completed_stream`](crate::as_completed_stream) is the
/// same as a `Stream`.
///
/// ```
/// let engine = exprflow::Engine::builder().workers(2).build().unwrap();
/// let futures = vec![
///     engine.submit("delay(1, 200)").unwrap(),
///     engine.submit("delay(2, 10)").unwrap(),
/// ];
/// let order: Vec<usize> = exprflow::as_completed(&futures).map(|(index, _)| index).collect();
/// assert_eq!(order, [1, 0]);
/// ```
pub fn as_completed(futures: &[ExprFuture]) -> AsCompleted<'_> {
    AsCompleted {
        futures,
        done: completion_channel(futures),
        left: futures.len(),
    }
}

/// The iterator of [`as_completed`].
pub struct AsCompleted<'a> {
    futures: &'a [ExprFuture],
    done: Receiver<usize>,
    left: usize,
}

impl Iterator for AsCompleted<'_> {
    type Item = (usize, Result<Value, Error>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let index = self.done.recv().ok()?;
        self.left -= 1;
        // Sent by its completion callback: the outcome is known.
        let future = self.futures.get(index)?;
        Some((index, future.try_get()?.clone()))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

/// A channel that receives each future's index when it resolves.
pub(crate) fn completion_channel(futures: &[ExprFuture]) -> Receiver<usize> {
    let (sender, receiver) = crossbeam_channel::unbounded();
    for (k, future) in futures.iter().enumerate() {
        let sender = sender.clone();
        future.on_complete(move |_| {
            let _ = sender.send(k);
        });
    }
    receiver
}

/// Waits until `until` says (or `timeout` passes) and returns the indices
/// of the futures that are done and of those still pending, each in
/// index order. Nothing is cancelled.
///
/// ```
/// use std::time::Duration;
/// use exprflow::Return;
/// let engine = exprflow::Engine::builder().workers(2).build().unwrap();
/// let futures = vec![
///     engine.submit("delay(1, 60000)").unwrap(),
///     engine.submit("1/0").unwrap(),
/// ];
/// let (done, pending) = exprflow::wait(&futures, Return::FirstException, Some(Duration::from_secs(30)));
/// assert_eq!((done, pending), (vec![1], vec![0]));
/// ```
pub fn wait(
    futures: &[ExprFuture],
    until: Return,
    timeout: Option<Duration>,
) -> (Vec<usize>, Vec<usize>) {
    let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
    let receiver = completion_channel(futures);
    let mut left = futures.iter().filter(|f| !f.is_done()).count();
    let satisfied = |futures: &[ExprFuture], left: usize| match until {
        Return::AllCompleted => left == 0,
        Return::FirstCompleted => left < futures.len() || futures.is_empty(),
        Return::FirstException => {
            left == 0 || futures.iter().any(|f| matches!(f.try_get(), Some(Err(_))))
        }
    };
    // Each future already done has sent its index at registration.
    while receiver.try_recv().is_ok() {}
    while !satisfied(futures, left) {
        let next = match deadline {
            Some(deadline) => receiver.recv_deadline(deadline).ok(),
            None => receiver.recv().ok(),
        };
        if next.is_none() {
            break;
        }
        left = futures.iter().filter(|f| !f.is_done()).count();
    }
    (0..futures.len()).partition(|&i| futures[i].is_done())
}
