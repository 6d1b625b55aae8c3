//! Giving memory back to the system after a big evaluation. A cancelled
//! recursion of millions of calls frees its frames, but glibc's allocator
//! keeps the freed pages in its arenas (one per worker thread), so a REPL
//! that ran one big statement stayed hundreds of megabytes large for the
//! rest of the session. `malloc_trim` returns the free pages of every
//! arena to the system, once the workers are done with what the run
//! left them (a cancelled expansion is dropped on its worker, after the
//! run has already answered `cancelled`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::eval::Engine;

/// Runs shorter than this allocate too little to be worth a trim (a trim
/// walks the arenas: about a millisecond per few hundred megabytes).
pub const TRIM_AFTER: Duration = Duration::from_millis(100);

/// Returns the allocator's free memory to the system (glibc only; a no-op
/// elsewhere).
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of glibc's own arenas;
    // it touches no memory the program uses and is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Gives the memory back once every worker of `engine`'s pool has finished
/// the task it is on (a rayon broadcast waits for that), on a thread of its
/// own, so the prompt never waits for a worker inside a long operation.
pub fn give_back_when_idle(engine: &Engine) {
    /// One waiting trim at a time is enough.
    static WAITING: AtomicBool = AtomicBool::new(false);
    if WAITING.swap(true, Ordering::SeqCst) {
        return;
    }
    let engine = engine.clone();
    let spawned = std::thread::Builder::new()
        .name("exprflow-trim".into())
        .spawn(move || {
            engine.pool().broadcast(|_| ());
            WAITING.store(false, Ordering::SeqCst);
            give_back();
        });
    if spawned.is_err() {
        WAITING.store(false, Ordering::SeqCst);
        give_back();
    }
}
