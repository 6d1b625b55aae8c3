//! The leaf of the futures machinery: one outcome that becomes known
//! later, and who to tell (blocked threads, callbacks, an async task's
//! waker). It knows nothing of runs; runs resolve promises and
//! [`ExprFuture`](super::ExprFuture)s read them.

use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::task::Waker;
use std::time::{Duration, Instant};

use crate::dag::{NodeId, Outcome};

type Callback = Box<dyn FnOnce(&Outcome) + Send>;

/// Who is waiting for the outcome besides threads blocked on the condvar.
#[derive(Default)]
struct Listeners {
    callbacks: Vec<Callback>,
    /// The latest waker of the task awaiting the future, if any.
    waker: Option<Waker>,
}

/// One outcome, set once.
pub(crate) struct Promise {
    /// The node whose outcome this is.
    pub(crate) node: NodeId,
    outcome: OnceLock<Outcome>,
    listeners: Mutex<Listeners>,
    done: Condvar,
}

impl Promise {
    pub(crate) fn new(node: NodeId) -> Promise {
        Promise {
            node,
            outcome: OnceLock::new(),
            listeners: Mutex::new(Listeners::default()),
            done: Condvar::new(),
        }
    }

    fn listeners(&self) -> MutexGuard<'_, Listeners> {
        self.listeners.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets the outcome (the first one wins), wakes the waiting threads and
    /// the awaiting task, and runs the callbacks. Returns whether this call
    /// resolved the promise.
    pub(crate) fn resolve(&self, outcome: Outcome) -> bool {
        let (callbacks, waker) = {
            let mut guard = self.listeners();
            if self.outcome.set(outcome).is_err() {
                return false;
            }
            self.done.notify_all();
            (std::mem::take(&mut guard.callbacks), guard.waker.take())
        };
        if let Some(outcome) = self.outcome.get() {
            for callback in callbacks {
                callback(outcome);
            }
        }
        if let Some(waker) = waker {
            waker.wake();
        }
        true
    }

    /// The outcome, if known.
    pub(crate) fn get(&self) -> Option<&Outcome> {
        self.outcome.get()
    }

    /// Blocks until the outcome is known, or until `deadline` passes
    /// (`None` if it did first).
    pub(crate) fn wait_until(&self, deadline: Option<Instant>) -> Option<&Outcome> {
        let mut guard = self.listeners();
        loop {
            if let Some(outcome) = self.get() {
                return Some(outcome);
            }
            guard = match deadline {
                None => self.done.wait(guard).unwrap_or_else(|p| p.into_inner()),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return None;
                    }
                    self.done
                        .wait_timeout(guard, left)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
            };
        }
    }

    /// Blocks at most `timeout` (`None` on expiry).
    pub(crate) fn wait_for(&self, timeout: Duration) -> Option<&Outcome> {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.wait_until(Some(deadline)),
            None => self.wait_until(None),
        }
    }

    /// Calls `callback` with the outcome: at once if known, else on the
    /// thread that resolves the promise.
    pub(crate) fn on_complete(&self, callback: impl FnOnce(&Outcome) + Send + 'static) {
        {
            let mut guard = self.listeners();
            if self.get().is_none() {
                guard.callbacks.push(Box::new(callback));
                return;
            }
        }
        if let Some(outcome) = self.get() {
            callback(outcome);
        }
    }

    /// The outcome if known; otherwise `waker` is stored (replacing an
    /// earlier one) to be woken once on resolution. Registering and
    /// checking happen under the lock the resolver takes, so a wake-up
    /// cannot be lost between them.
    pub(crate) fn poll_with(&self, waker: &Waker) -> Option<&Outcome> {
        if let Some(outcome) = self.get() {
            return Some(outcome);
        }
        let mut guard = self.listeners();
        if let Some(outcome) = self.get() {
            return Some(outcome);
        }
        match &guard.waker {
            Some(stored) if stored.will_wake(waker) => {}
            _ => guard.waker = Some(waker.clone()),
        }
        None
    }
}
