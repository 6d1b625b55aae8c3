//! Many expressions at once: `Engine::map` returns results in input order
//! (like `Executor.map`); a batch with callbacks reports statements in
//! completion order (like `as_completed`).
//!
//! Run: `cargo run --release --example batch_map`

use std::time::Instant;

use exprflow::{Batch, BatchOptions};
use exprflow::{Engine, SubmitOptions};

fn main() -> Result<(), exprflow::Error> {
    let engine = Engine::with_workers(2)?;

    // map: input order, errors in place.
    let inputs = ["fact(20)", "1/3 + 1/6", "sqrt(-1)", "2^100", "fib(90)"];
    for (text, outcome) in inputs.iter().zip(engine.map(inputs)) {
        match outcome {
            Ok(value) => println!("map    {text:<10} = {value}"),
            Err(error) => println!("map    {text:<10} : {error}"),
        }
    }

    // as_completed: a batch is one DAG; lines that do not depend on each
    // other run concurrently, and we print each as its future resolves.
    let source =
        "slow = delay(1, 300)\nfast = delay(2, 20)\nmiddle = busy(3, 100)\nslow + fast + middle\n";
    let batch = Batch::parse(source.as_bytes(), BatchOptions::default());
    let futures = engine.submit_all(&batch.dag, &batch.roots(), SubmitOptions::default());
    let start = Instant::now();
    for (i, outcome) in exprflow::as_completed(&futures) {
        let line = &batch.lines[i];
        let value = outcome?;
        println!(
            "done   line {} after {:>4} ms: {} = {}",
            line.line,
            start.elapsed().as_millis(),
            &batch.source[line.span.start..line.span.end],
            value
        );
    }
    Ok(())
}
