//! Many expressions at once: `Engine::map` returns results in input order
//! (like `Executor.map`); submitted futures watched with `as_completed`
//! report in completion order.
//!
//! Run: `cargo run --release --example batch_map`

use std::time::Instant;

use exprflow::{Engine, ExprFuture};

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

    // as_completed: independent futures run concurrently, and we print
    // each as it resolves.
    let texts = ["delay(1, 300)", "delay(2, 20)", "busy(3, 100)"];
    let futures = texts
        .iter()
        .map(|text| engine.submit(text))
        .collect::<Result<Vec<ExprFuture>, _>>()?;
    let start = Instant::now();
    for (i, outcome) in exprflow::as_completed(&futures) {
        println!(
            "done   {:<14} after {:>4} ms: {}",
            texts[i],
            start.elapsed().as_millis(),
            outcome?
        );
    }
    Ok(())
}
