//! A generous time bound for tests that catch hangs.

use std::time::Duration;

/// Runs `f` on its own thread and fails if it takes longer than `secs`
/// (then the thread is left behind; the test process ends with the test).
pub fn bounded<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(value) => value,
        Err(e) => panic!("did not finish within {secs} s: {e}"),
    }
}
