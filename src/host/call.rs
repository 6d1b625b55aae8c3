//! One host call in progress: its future, polled on the pool whenever its
//! waker fires (never while nothing happened: no busy polling), and the
//! parties waiting for its outcome. Several waiters share one call (equal
//! pure calls of a run or session); when the last one leaves before the
//! outcome is known, the future is dropped: the I/O is abandoned.
//!
//! Phases: `Scheduled` (a poll is queued or about to run), `Polling` (a
//! worker polls it now), `Notified` (woken while being polled: poll again),
//! `Idle` (pending, waiting for its waker), `Done`, `Abandoned`. A wake-up
//! is never lost: a wake during a poll turns `Polling` into `Notified`,
//! which the poller sees before it parks the future again.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};

use super::registry::BoxFuture;
use crate::value::Value;

/// Why a host call gave no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostFault {
    /// The function returned `Err(message)`.
    Failed(String),
    /// The function (or its future) panicked, with the panic's message.
    Panicked(String),
}

/// The outcome of a host call, before it has a span.
pub type HostOutcome = Result<Value, HostFault>;

/// Told the outcome of a call it waits for (once, outside any lock).
pub type Waiter = Box<dyn FnOnce(&HostOutcome) + Send>;

/// What joining a call gave.
pub enum Joined {
    /// The outcome is known already.
    Done(HostOutcome),
    /// Waiting: the waiter will be told; the id lets it [`HostCall::leave`].
    Waiting(u64),
}

enum Phase {
    Scheduled,
    Polling,
    Notified,
    Idle,
    Done(HostOutcome),
    Abandoned,
}

struct State {
    phase: Phase,
    /// Where polls are queued; let go when the outcome is known (a
    /// remembered call must not keep an engine's pool alive).
    pool: Option<Arc<rayon::ThreadPool>>,
    future: Option<BoxFuture>,
    waiters: Vec<(u64, Waiter)>,
    next_waiter: u64,
}

/// One host call: its pending future and its waiters, or its outcome.
pub struct HostCall {
    state: Mutex<State>,
}

impl std::fmt::Debug for HostCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostCall")
            .field("outcome", &self.outcome())
            .finish_non_exhaustive()
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// The message of a caught panic.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// Drops `future` outside any lock; a panic in its `Drop` is swallowed
/// (it must not take the worker or the waiter down with it).
fn discard(future: Option<BoxFuture>) {
    if let Some(future) = future {
        let _ = catch_unwind(AssertUnwindSafe(move || drop(future)));
    }
}

impl HostCall {
    /// A call of `future`, to be polled on `pool`: the first poll is the
    /// creator's ([`HostCall::poll`]), later ones are queued by its waker.
    pub fn new(future: BoxFuture, pool: Arc<rayon::ThreadPool>) -> Arc<HostCall> {
        Arc::new(HostCall {
            state: Mutex::new(State {
                pool: Some(pool),
                phase: Phase::Scheduled,
                future: Some(future),
                waiters: Vec::new(),
                next_waiter: 0,
            }),
        })
    }

    /// A call whose outcome is known (computed elsewhere).
    pub fn done(outcome: HostOutcome) -> Arc<HostCall> {
        Arc::new(HostCall {
            state: Mutex::new(State {
                pool: None,
                phase: Phase::Done(outcome),
                future: None,
                waiters: Vec::new(),
                next_waiter: 0,
            }),
        })
    }

    /// The outcome, if known.
    pub fn outcome(&self) -> Option<HostOutcome> {
        match &lock(&self.state).phase {
            Phase::Done(outcome) => Some(outcome.clone()),
            _ => None,
        }
    }

    /// Whether a new party may still use this call: not abandoned, and
    /// not ended by a panic (a panic is an error of that call only; a
    /// later call tries again).
    pub fn reusable(&self) -> bool {
        !matches!(
            lock(&self.state).phase,
            Phase::Abandoned | Phase::Done(Err(HostFault::Panicked(_)))
        )
    }

    /// Waits for the outcome: at once if known, else `waiter` is told.
    pub fn join(&self, waiter: Waiter) -> Joined {
        let mut state = lock(&self.state);
        if let Phase::Done(outcome) = &state.phase {
            return Joined::Done(outcome.clone());
        }
        let id = state.next_waiter;
        state.next_waiter += 1;
        state.waiters.push((id, waiter));
        Joined::Waiting(id)
    }

    /// Waiter `id` gives up. When nobody waits any more and the outcome
    /// is not known, the future is dropped.
    pub fn leave(&self, id: u64) {
        let future = {
            let mut state = lock(&self.state);
            let before = state.waiters.len();
            state.waiters.retain(|(w, _)| *w != id);
            if state.waiters.len() == before
                || !state.waiters.is_empty()
                || matches!(state.phase, Phase::Done(_))
            {
                return;
            }
            // A poller that holds the future drops it when it sees this.
            state.phase = Phase::Abandoned;
            state.pool = None;
            state.future.take()
        };
        discard(future);
    }

    /// Polls the future if a poll is due (the creator's first poll, or
    /// one its waker queued). A panic while polling is the call's outcome.
    pub fn poll(self: &Arc<Self>) {
        let mut future = {
            let mut state = lock(&self.state);
            if !matches!(state.phase, Phase::Scheduled) {
                return;
            }
            let Some(future) = state.future.take() else {
                return;
            };
            state.phase = Phase::Polling;
            future
        };
        let waker = Waker::from(Arc::clone(self));
        let mut context = Context::from_waker(&waker);
        let polled = catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut context)));
        let outcome = match polled {
            Ok(Poll::Pending) => {
                let mut state = lock(&self.state);
                match state.phase {
                    Phase::Abandoned => {
                        drop(state);
                        discard(Some(future));
                    }
                    Phase::Notified => {
                        // Woken while polled: poll again, from the queue
                        // (a future that always wakes itself shares the
                        // workers instead of taking one).
                        state.phase = Phase::Scheduled;
                        state.future = Some(future);
                        let pool = state.pool.clone();
                        drop(state);
                        self.schedule(pool);
                    }
                    _ => {
                        state.phase = Phase::Idle;
                        state.future = Some(future);
                    }
                }
                return;
            }
            Ok(Poll::Ready(result)) => result.map_err(HostFault::Failed),
            Err(payload) => Err(HostFault::Panicked(panic_message(&*payload))),
        };
        discard(Some(future));
        let waiters = {
            let mut state = lock(&self.state);
            state.phase = Phase::Done(outcome.clone());
            state.pool = None;
            std::mem::take(&mut state.waiters)
        };
        for (_, waiter) in waiters {
            waiter(&outcome);
        }
    }

    /// Queues a poll on `pool`.
    fn schedule(self: &Arc<Self>, pool: Option<Arc<rayon::ThreadPool>>) {
        if let Some(pool) = pool {
            let call = Arc::clone(self);
            pool.spawn(move || call.poll());
        }
    }
}

impl Wake for HostCall {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let mut state = lock(&self.state);
        match state.phase {
            Phase::Idle => {
                state.phase = Phase::Scheduled;
                let pool = state.pool.clone();
                drop(state);
                self.schedule(pool);
            }
            Phase::Polling => state.phase = Phase::Notified,
            _ => {}
        }
    }
}
