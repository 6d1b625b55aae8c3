//! [`as_completed_stream`]: the futures' outcomes in completion order as
//! a [`Stream`], for async code (the blocking [`as_completed`] is its
//! twin). Completion callbacks queue each index and wake the task that
//! polls the stream; nothing is polled while nothing happened.
//!
//! [`as_completed`]: crate::as_completed

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use futures_core::Stream;
use futures_core::stream::FusedStream;

use crate::error::Error;
use crate::eval::ExprFuture;
use crate::value::Value;

/// Indices of resolved futures not yet yielded, and who to wake.
#[derive(Default)]
struct Completed {
    ready: VecDeque<usize>,
    waker: Option<Waker>,
}

fn lock(completed: &Mutex<Completed>) -> MutexGuard<'_, Completed> {
    completed.lock().unwrap_or_else(|p| p.into_inner())
}

/// The futures' outcomes in completion order, `(index in futures,
/// outcome)`, as a [`Stream`] (from `futures-core`, so `StreamExt` of
/// `futures` or `tokio-stream` applies): the async [`as_completed`]. It
/// holds no thread while it waits (each future's completion wakes the task
/// polling it), works under any executor, and ends when every future is
/// done. Dropping it cancels nothing.
///
/// ```
/// use futures::StreamExt;
/// use exprflow::ErrorKind;
/// let engine = exprflow::Engine::with_workers(2).unwrap();
/// let futures = vec![engine.submit("delay(1, 60000)").unwrap(), engine.submit("6*7").unwrap()];
/// futures::executor::block_on(async {
///     let mut completed = exprflow::as_completed_stream(&futures);
///     let (index, outcome) = completed.next().await.unwrap();
///     assert_eq!((index, outcome.unwrap().to_string()), (1, "42".to_string()));
///     futures[0].cancel();
///     let (index, outcome) = completed.next().await.unwrap();
///     assert_eq!((index, outcome.unwrap_err().kind), (0, ErrorKind::Cancelled));
///     assert!(completed.next().await.is_none());
/// });
/// ```
///
/// [`as_completed`]: crate::as_completed
pub fn as_completed_stream(futures: &[ExprFuture]) -> AsCompletedStream<'_> {
    let completed = Arc::new(Mutex::new(Completed::default()));
    for (index, future) in futures.iter().enumerate() {
        let completed = Arc::clone(&completed);
        future.on_complete(move |_| {
            let waker = {
                let mut completed = lock(&completed);
                completed.ready.push_back(index);
                completed.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
    }
    AsCompletedStream {
        futures,
        completed,
        left: futures.len(),
    }
}

/// The stream of [`as_completed_stream`].
pub struct AsCompletedStream<'a> {
    futures: &'a [ExprFuture],
    completed: Arc<Mutex<Completed>>,
    left: usize,
}

impl std::fmt::Debug for AsCompletedStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsCompletedStream")
            .field("futures", &self.futures.len())
            .field("left", &self.left)
            .finish()
    }
}

impl Stream for AsCompletedStream<'_> {
    type Item = (usize, Result<Value, Error>);

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.left == 0 {
            return Poll::Ready(None);
        }
        let next = {
            let mut completed = lock(&this.completed);
            let next = completed.ready.pop_front();
            if next.is_none() {
                completed.waker = Some(cx.waker().clone());
            }
            next
        };
        match next {
            Some(index) => {
                this.left -= 1;
                // Queued by its completion callback: the outcome is known.
                let outcome = this.futures.get(index).and_then(ExprFuture::try_get);
                match outcome {
                    Some(outcome) => Poll::Ready(Some((index, outcome.clone()))),
                    None => Poll::Ready(None),
                }
            }
            None => Poll::Pending,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl FusedStream for AsCompletedStream<'_> {
    fn is_terminated(&self) -> bool {
        self.left == 0
    }
}
