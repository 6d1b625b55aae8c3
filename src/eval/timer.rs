//! The timer service behind `delay`: one thread with a deadline heap, so a
//! waiting node never occupies a pool worker. 10,000 concurrent delays cost
//! 10,000 heap entries, not 10,000 threads.

use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Instant;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, unbounded};

/// Something a timer wakes: a run, told which of its tasks is due.
pub trait Wake: Send + Sync {
    /// The timer for `token` is due.
    fn wake(&self, token: u32);
    /// Which run this is, so all of its timers can be dropped at once.
    fn run_id(&self) -> u64;
}

struct Entry {
    deadline: Instant,
    seq: u64,
    target: Arc<dyn Wake>,
    token: u32,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.deadline, self.seq) == (other.deadline, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    // Reversed, so the max-heap pops the earliest deadline.
    fn cmp(&self, other: &Self) -> CmpOrdering {
        (other.deadline, other.seq).cmp(&(self.deadline, self.seq))
    }
}

enum Command {
    Add(Entry),
    CancelRun(u64),
    Cancel(u64, u32),
}

/// Handle to the timer thread. Dropping it stops the thread.
pub struct Timers {
    sender: Option<Sender<Command>>,
    thread: Option<JoinHandle<()>>,
    pending: Arc<AtomicUsize>,
}

impl Timers {
    /// Starts the timer thread.
    pub fn start() -> std::io::Result<Timers> {
        let (sender, receiver) = unbounded();
        let pending = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&pending);
        let thread = std::thread::Builder::new()
            .name("exprflow-timer".into())
            .spawn(move || timer_loop(receiver, count))?;
        Ok(Timers {
            sender: Some(sender),
            thread: Some(thread),
            pending,
        })
    }

    /// Wakes `target` with `token` at `deadline`.
    pub fn add(&self, deadline: Instant, target: Arc<dyn Wake>, token: u32) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        let entry = Entry {
            deadline,
            seq: 0,
            target,
            token,
        };
        if let Some(sender) = &self.sender
            && sender.send(Command::Add(entry)).is_err()
        {
            self.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Drops every timer of run `run_id`.
    pub fn cancel_run(&self, run_id: u64) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(Command::CancelRun(run_id));
        }
    }

    /// Drops the timer of run `run_id` for `token`, if it is still waiting.
    pub fn cancel(&self, run_id: u64, token: u32) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(Command::Cancel(run_id, token));
        }
    }

    /// Timers waiting to fire (or to be dropped).
    #[cfg(feature = "test-hooks")]
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::SeqCst)
    }
}

impl Drop for Timers {
    fn drop(&mut self) {
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            // The last handle may be dropped by the timer thread itself (a
            // fired timer held the last run); it then exits on its own.
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

fn timer_loop(receiver: Receiver<Command>, pending: Arc<AtomicUsize>) {
    let mut heap: BinaryHeap<Entry> = BinaryHeap::new();
    let mut seq = 0u64;
    loop {
        let command = match heap.peek() {
            None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(first) => {
                receiver.recv_timeout(first.deadline.saturating_duration_since(Instant::now()))
            }
        };
        let mut handle = |command: Command, heap: &mut BinaryHeap<Entry>| match command {
            Command::Add(mut entry) => {
                seq += 1;
                entry.seq = seq;
                heap.push(entry);
            }
            Command::CancelRun(id) => {
                let before = heap.len();
                heap.retain(|e| e.target.run_id() != id);
                pending.fetch_sub(before - heap.len(), Ordering::SeqCst);
            }
            Command::Cancel(id, token) => {
                let before = heap.len();
                heap.retain(|e| e.target.run_id() != id || e.token != token);
                pending.fetch_sub(before - heap.len(), Ordering::SeqCst);
            }
        };
        match command {
            Ok(command) => {
                handle(command, &mut heap);
                while let Ok(more) = receiver.try_recv() {
                    handle(more, &mut heap);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                pending.fetch_sub(heap.len(), Ordering::SeqCst);
                return;
            }
        }
        let now = Instant::now();
        while heap.peek().is_some_and(|e| e.deadline <= now) {
            if let Some(entry) = heap.pop() {
                pending.fetch_sub(1, Ordering::SeqCst);
                entry.target.wake(entry.token);
            }
        }
    }
}
