//! Running one host call to the end on the calling thread, with a waker
//! that unparks it: for the sequential evaluator (no pool) and for calls
//! inside function bodies (computed on one worker).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Duration;

use super::call::{HostFault, HostOutcome, panic_message};
use super::registry::BoxFuture;

/// How often a blocked thread looks at its cancel flag while the future
/// sleeps (the future itself is polled only when woken).
const CANCEL_CHECK: Duration = Duration::from_millis(10);

struct Unpark {
    thread: Thread,
    woken: AtomicBool,
}

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.thread.unpark();
    }
}

/// Polls `future` on this thread until it is ready, parking between
/// wake-ups; `None` (the future dropped) once `cancelled()` says so. A
/// panic while polling is the outcome [`HostFault::Panicked`].
///
/// ```
/// use exprflow::testing::host::block_on;
/// let outcome = block_on(Box::pin(async { Ok(exprflow::Value::from(7)) }), || false);
/// assert_eq!(outcome.unwrap().unwrap(), exprflow::Value::from(7));
/// ```
pub fn block_on(mut future: BoxFuture, cancelled: impl Fn() -> bool) -> Option<HostOutcome> {
    let unpark = Arc::new(Unpark {
        thread: std::thread::current(),
        woken: AtomicBool::new(false),
    });
    let waker = Waker::from(Arc::clone(&unpark));
    let mut context = Context::from_waker(&waker);
    loop {
        let polled = catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut context)));
        match polled {
            Ok(Poll::Ready(result)) => return Some(result.map_err(HostFault::Failed)),
            Err(payload) => return Some(Err(HostFault::Panicked(panic_message(&*payload)))),
            Ok(Poll::Pending) => {}
        }
        while !unpark.woken.swap(false, Ordering::SeqCst) {
            if cancelled() {
                drop_quietly(future);
                return None;
            }
            std::thread::park_timeout(CANCEL_CHECK);
        }
    }
}

fn drop_quietly(future: BoxFuture) {
    let _ = catch_unwind(AssertUnwindSafe(move || drop(future)));
}
