//! A tokio-based async host function: `quote(item)` does its "I/O" on a
//! tokio runtime (here a `tokio::time::sleep` standing in for an HTTP
//! request). The work reaches exprflow through the task's `JoinHandle`,
//! an ordinary future: exprflow polls it with its own waker, holds none
//! of its workers while it is pending, and calls `quote` once per
//! distinct item however many times the expression names it.
//!
//! Run: `cargo run --release --example tokio_host`

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use exprflow::{Engine, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The application's runtime; exprflow needs none of its own.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_time()
        .build()?;
    let handle = runtime.handle().clone();
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&requests);
    let engine = Engine::builder()
        .workers(2)
        .async_function("quote", 1, move |args: Vec<Value>| {
            counted.fetch_add(1, Ordering::SeqCst);
            let item = i64::try_from(&args[0]).map_err(|_| format!("no item {}", args[0]));
            // Spawned on tokio; the JoinHandle is what exprflow awaits.
            let request = handle.spawn(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Ok::<Value, String>(Value::from(item? * 25))
            });
            async move { request.await.map_err(|e| e.to_string())? }
        })
        .function("tax", 1, |args: &[Value]| {
            let cents = i64::try_from(&args[0]).map_err(|e| e.to_string())?;
            Ok(Value::from(cents * 21 / 100))
        })
        .build()?;

    let began = Instant::now();
    // Ten distinct items, each named twice: ten requests, 0.1 s in all.
    let items: Vec<String> = (1..=10)
        .map(|i| format!("quote({i}) + tax(quote({i}))"))
        .collect();
    let total = engine.eval(items.join(" + "))?;
    println!(
        "total {total} from {} requests in {:?}",
        requests.load(Ordering::SeqCst),
        began.elapsed()
    );
    assert_eq!(total, Value::from(1660)); // sum of 25i + 25i * 21 // 100
    assert_eq!(requests.load(Ordering::SeqCst), 10);

    // An error of the service is a domain error at the call.
    let error = engine.eval("1 + quote(1/2)").unwrap_err();
    println!("error: {error}");
    assert_eq!(error.kind, exprflow::ErrorKind::Domain);
    Ok(())
}
