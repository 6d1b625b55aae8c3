//! Waiting with a timeout: `exprflow::wait` returns the indices done and
//! those still pending, like Python's `concurrent.futures.wait`; the
//! pending ones keep running until cancelled or dropped.
//!
//! Run: `cargo run --release --example wait_timeout`

use std::time::Duration;

use exprflow::{Engine, Error, Return};

fn main() -> Result<(), Error> {
    let engine = Engine::builder().workers(2).build()?;
    let futures = vec![
        engine.submit("delay(1, 50)")?,
        engine.submit("delay(2, 60000)")?,
        engine.submit("3 * 7")?,
    ];
    let (done, pending) = exprflow::wait(
        &futures,
        Return::AllCompleted,
        Some(Duration::from_millis(500)),
    );
    println!("done: {done:?}, still pending after 500 ms: {pending:?}");
    assert_eq!(
        (done.as_slice(), pending.as_slice()),
        ([0, 2].as_slice(), [1].as_slice())
    );
    // A single future can be waited for with a timeout too; it keeps going.
    let slow = &futures[1];
    println!(
        "wait_timeout: {:?}",
        slow.wait_timeout(Duration::from_millis(10))
            .map_err(|e| e.kind)
    );
    // Dropping the futures cancels the work nobody waits for.
    Ok(())
}
