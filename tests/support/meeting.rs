//! A meeting of async host calls: each call stays pending until `size` of
//! them have been polled, then all are woken and return their values. It
//! shows that `size` calls are pending at once by counting, not by timing:
//! if each call held a worker while it waited, at most as many calls as
//! there are workers could be pending and nobody would ever meet (a hang,
//! which the tests bound generously).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use exprflow::Value;

/// Where the calls wait for each other.
pub struct Meeting {
    size: usize,
    here: Mutex<Vec<Waker>>,
    arrived: AtomicUsize,
    met: AtomicBool,
}

impl Meeting {
    /// A meeting that is complete once `size` calls have arrived.
    pub fn new(size: usize) -> Arc<Meeting> {
        Arc::new(Meeting {
            size,
            here: Mutex::new(Vec::new()),
            arrived: AtomicUsize::new(0),
            met: AtomicBool::new(false),
        })
    }

    /// A call that waits at the meeting, then gives `value`.
    pub fn join(self: &Arc<Self>, value: Value) -> Meet {
        Meet {
            meeting: Arc::clone(self),
            value,
            counted: false,
        }
    }

    /// How many calls have arrived so far.
    #[allow(dead_code)]
    pub fn arrived(&self) -> usize {
        self.arrived.load(Ordering::SeqCst)
    }
}

/// One call at a [`Meeting`].
pub struct Meet {
    meeting: Arc<Meeting>,
    value: Value,
    counted: bool,
}

impl Future for Meet {
    type Output = Result<Value, String>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Under the lock: the last arrival sets `met` and wakes everyone
        // while holding it, so no waker is pushed after the wake-up.
        let meeting = Arc::clone(&self.meeting);
        let mut here = meeting.here.lock().unwrap_or_else(|p| p.into_inner());
        if meeting.met.load(Ordering::SeqCst) {
            return Poll::Ready(Ok(self.value.clone()));
        }
        let first = !self.counted;
        self.counted = true;
        here.push(cx.waker().clone());
        if first {
            let arrived = meeting.arrived.fetch_add(1, Ordering::SeqCst) + 1;
            if arrived >= meeting.size {
                meeting.met.store(true, Ordering::SeqCst);
                for waker in here.drain(..) {
                    waker.wake();
                }
            }
        }
        Poll::Pending
    }
}
