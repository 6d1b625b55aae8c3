//! A timer future without any runtime: one timer thread with a deadline
//! heap wakes the [`Sleep`]s that are due. For host-function tests and
//! benches (an `async_function` awaiting it holds no exprflow worker).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

struct Entry(Instant, u64, Waker);

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.0, self.1) == (other.0, other.1)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.0, self.1).cmp(&(other.0, other.1))
    }
}

fn timer() -> &'static std::sync::Mutex<Sender<(Instant, Waker)>> {
    static TIMER: OnceLock<std::sync::Mutex<Sender<(Instant, Waker)>>> = OnceLock::new();
    TIMER.get_or_init(|| {
        let (sender, receiver) = channel();
        std::thread::spawn(move || run(receiver));
        std::sync::Mutex::new(sender)
    })
}

fn run(receiver: Receiver<(Instant, Waker)>) {
    let mut heap: BinaryHeap<Reverse<Entry>> = BinaryHeap::new();
    let mut seq = 0;
    loop {
        let now = Instant::now();
        while heap.peek().is_some_and(|Reverse(e)| e.0 <= now) {
            if let Some(Reverse(Entry(_, _, waker))) = heap.pop() {
                waker.wake();
            }
        }
        let next = match heap.peek() {
            Some(Reverse(e)) => receiver.recv_timeout(e.0.saturating_duration_since(now)),
            None => receiver
                .recv()
                .map_err(|_| std::sync::mpsc::RecvTimeoutError::Disconnected),
        };
        match next {
            Ok((deadline, waker)) => {
                seq += 1;
                heap.push(Reverse(Entry(deadline, seq, waker)));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Ready `duration` after it is made.
pub struct Sleep(Instant);

/// A future ready after `duration`.
pub fn sleep(duration: Duration) -> Sleep {
    Sleep(Instant::now() + duration)
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.0 {
            return Poll::Ready(());
        }
        let sender = timer().lock().unwrap_or_else(|p| p.into_inner()).clone();
        let _ = sender.send((self.0, cx.waker().clone()));
        Poll::Pending
    }
}
