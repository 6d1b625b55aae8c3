//! Results as they come, with a progress count: `exprflow::as_completed`
//! yields `(index, outcome)` in completion order, like Python's
//! `concurrent.futures.as_completed`.
//!
//! Run: `cargo run --release --example as_completed`

use exprflow::{Engine, Error};

fn main() -> Result<(), Error> {
    let engine = Engine::builder().workers(2).build()?;
    let texts = [
        "delay(3, 300)",
        "fact(500) / fact(498)",
        "delay(1, 100)",
        "1/0",
        "2^64",
    ];
    let futures = texts
        .iter()
        .map(|text| engine.submit(text))
        .collect::<Result<Vec<_>, Error>>()?;
    for (done, (index, outcome)) in exprflow::as_completed(&futures).enumerate() {
        let shown = match outcome {
            Ok(value) => value.to_string(),
            Err(error) => format!("error: {error}"),
        };
        println!(
            "[{}/{}] {} = {shown}",
            done + 1,
            futures.len(),
            texts[index]
        );
    }
    Ok(())
}
