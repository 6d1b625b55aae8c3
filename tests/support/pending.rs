//! Futures for host-function tests that control when a call completes:
//! [`Never`] stays pending and records when it is polled and dropped;
//! [`Behind`] waits until its [`Gate`] is opened (by a sync host function
//! that runs on a worker meanwhile).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use exprflow::Value;

/// A future that never completes and says when it was polled and dropped.
pub struct Never {
    pub polled: Arc<AtomicBool>,
    pub dropped: Arc<AtomicBool>,
}

impl Future for Never {
    type Output = Result<Value, String>;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        self.polled.store(true, Ordering::SeqCst);
        Poll::Pending
    }
}

impl Drop for Never {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

/// A gate futures wait behind until [`Gate::open`] (wakes them all).
#[derive(Default)]
pub struct Gate {
    open: AtomicBool,
    wakers: Mutex<Vec<Waker>>,
}

impl Gate {
    /// Opens the gate and wakes every future waiting behind it.
    pub fn open(&self) {
        self.open.store(true, Ordering::SeqCst);
        let wakers = std::mem::take(&mut *self.wakers.lock().unwrap_or_else(|p| p.into_inner()));
        for waker in wakers {
            waker.wake();
        }
    }
}

/// Ready with `1` once its gate is open.
pub struct Behind(pub Arc<Gate>);

impl Future for Behind {
    type Output = Result<Value, String>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut wakers = self.0.wakers.lock().unwrap_or_else(|p| p.into_inner());
        if self.0.open.load(Ordering::SeqCst) {
            return Poll::Ready(Ok(Value::from(1)));
        }
        wakers.push(cx.waker().clone());
        Poll::Pending
    }
}

/// Waits (bounded: a hang is what is tested) until `flag` is set.
pub fn eventually(flag: &AtomicBool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !flag.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "{what} never happened");
        std::thread::sleep(Duration::from_millis(2));
    }
}
