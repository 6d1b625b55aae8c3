//! Compile once, evaluate many: a formula's inputs, one row by name, and a
//! column of 100,000 rows in parallel on the engine's pool, in input order.
//!
//! Run with `cargo run --example formula_rows`.

use exprflow::{Engine, Error, Value};

fn main() -> Result<(), Error> {
    let engine = Engine::builder().workers(2).build()?;
    let formula = engine.compile("(-z + (z^2 - 4*x*y)^0.5) / (2*x)")?;
    println!("inputs: {:?}", formula.inputs()); // ["z", "x", "y"]

    // One row, by name: exact inputs keep exact arithmetic until `^0.5`.
    let one = formula.eval(&[("x", Value::from(1)), ("y", 6.into()), ("z", 5.into())])?;
    println!("x=1, y=6, z=5: {one}");

    // Many rows, each in the order of `inputs()`: floats, exact values and
    // rows that fail (x = 0 divides by zero; a negative discriminant is a
    // domain error) side by side; an outcome per row, in order.
    let mut rows: Vec<Vec<Value>> = (0..100_000)
        .map(|k| {
            let z = Value::try_from(10.0 + (k % 100) as f64 / 10.0).expect("finite");
            let x = Value::try_from(1.0 + (k % 7) as f64).expect("finite");
            vec![z, x, Value::from(2)]
        })
        .collect();
    rows[1] = vec![Value::from(5), Value::from(0), Value::from(6)];
    rows[2] = vec![Value::from(1), Value::from(1), Value::from(1)];
    let outcomes = formula.eval_many(&rows);
    for (k, outcome) in outcomes.iter().enumerate().take(4) {
        match outcome {
            Ok(v) => println!("row {k}: {v}"),
            Err(e) => println!("row {k}: error: {e}"),
        }
    }
    let failed = outcomes.iter().filter(|o| o.is_err()).count();
    println!("{} rows, {failed} failed", outcomes.len());
    Ok(())
}
