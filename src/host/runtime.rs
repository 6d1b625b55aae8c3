//! Host futures inside a tokio runtime (feature `tokio`): the runtime an
//! engine was built in or given, entered around every poll of a host
//! call's future, so that tokio's timers, sockets and `spawn` find their
//! runtime on exprflow's workers (SPEC section 5, "Host futures may use
//! tokio").

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::runtime::{Handle, RuntimeFlavor};

use super::registry::BoxFuture;
use crate::value::Value;

/// The tokio runtime host futures run in.
#[derive(Clone, Debug)]
pub(crate) struct TokioRuntime(Handle);

impl TokioRuntime {
    /// The runtime `handle` belongs to.
    pub(crate) fn new(handle: Handle) -> TokioRuntime {
        TokioRuntime(handle)
    }

    /// The runtime whose context this thread is in, if any.
    pub(crate) fn current() -> Option<TokioRuntime> {
        Handle::try_current().ok().map(TokioRuntime)
    }

    /// `future`, polled (and dropped) inside this runtime's context.
    pub(crate) fn enter(&self, future: BoxFuture) -> BoxFuture {
        Box::pin(InRuntime {
            handle: self.0.clone(),
            future: Some(future),
        })
    }

    /// Whether blocking this thread until a host call finishes could hang:
    /// the runtime is a current-thread one, which drives its timers, sockets
    /// and tasks only on the thread inside its `block_on`, and this thread
    /// is in its context (most likely that very thread).
    pub(crate) fn blocked_by_this_thread(&self) -> bool {
        self.0.runtime_flavor() == RuntimeFlavor::CurrentThread
            && Handle::try_current().is_ok_and(|current| current.id() == self.0.id())
    }
}

/// A host call's future with the runtime entered around each poll.
struct InRuntime {
    handle: Handle,
    /// `None` once dropped early (see `Drop`).
    future: Option<BoxFuture>,
}

impl Future for InRuntime {
    type Output = Result<Value, String>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let _inside = this.handle.enter();
        match this.future.as_mut() {
            Some(future) => future.as_mut().poll(cx),
            None => Poll::Ready(Err("the call was abandoned".to_string())),
        }
    }
}

impl Drop for InRuntime {
    /// Dropped inside the runtime too: a timer or socket deregisters
    /// from the runtime it was made in.
    fn drop(&mut self) {
        let _inside = self.handle.enter();
        self.future = None;
    }
}
