//! A hundred formulas awaited together under tokio: each `ExprFuture` is a
//! `std::future::Future`, so `join_all` (or `tokio::join!`, `select!`)
//! awaits them; the evaluation itself runs on exprflow's pool and holds no
//! tokio worker.
//!
//! Run: `cargo run --release --example tokio_join_all`

use exprflow::{Engine, Error};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let engine = Engine::builder().workers(2).build()?;
    let futures = (1..=100)
        .map(|i| engine.submit(format!("delay({i}, 50) * fact({i}) / fact({i} - 1)")))
        .collect::<Result<Vec<_>, Error>>()?;
    let began = std::time::Instant::now();
    let values = futures::future::join_all(futures).await;
    let sum = values
        .into_iter()
        .map(|v| v.and_then(|v| i64::try_from(&v)))
        .sum::<Result<i64, Error>>()?;
    println!(
        "sum of i*i for i in 1..=100 = {sum} in {:?}",
        began.elapsed()
    );
    assert_eq!(sum, 338_350);
    Ok(())
}
