//! Cancelling: `cancel()` resolves a future to `cancelled` and stops the
//! work no other future needs (timers included); `on_complete` hears of it.
//! A `SubmitOptions::timeout` cancels as `timed out` by itself.
//!
//! Run: `cargo run --release --example cancel`

use std::time::Duration;

use exprflow::{Engine, Error, ErrorKind, SubmitOptions};

fn main() -> Result<(), Error> {
    let engine = Engine::builder().workers(2).build()?;
    let future = engine.submit("busy(1, 60000) + delay(2, 60000)")?;
    future.on_complete(|outcome| println!("callback: {outcome:?}"));
    std::thread::sleep(Duration::from_millis(50));
    assert!(!future.is_done());
    assert!(future.cancel(), "it was still running");
    assert_eq!(future.wait().unwrap_err().kind, ErrorKind::Cancelled);

    let options = SubmitOptions {
        timeout: Some(Duration::from_millis(100)),
        ..Default::default()
    };
    let limited = engine.submit_with("delay(3, 60000)", options)?;
    let error = limited.wait().unwrap_err();
    println!("with a timeout: {error}");
    assert_eq!(error.kind, ErrorKind::TimedOut);
    Ok(())
}
