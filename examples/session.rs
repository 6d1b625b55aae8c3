//! A session: statements with variables, evaluated on the engine's pool;
//! an assignment gives the value assigned, `_` is the last value.
//!
//! Run: `cargo run --release --example session`

use exprflow::{Engine, Error, Value};

fn main() -> Result<(), Error> {
    let engine = Engine::builder().workers(2).build()?;
    let mut session = engine.session();
    session.eval("rate = 3/100")?;
    session.eval("principal = 2500")?;
    let interest = session.eval("principal * rate")?;
    println!(
        "interest = {}",
        interest.as_ref().map_or("-".into(), Value::to_string)
    );
    assert_eq!(interest, Some(Value::from(75)));
    println!(
        "_ * 2 = {:?}",
        session.eval("_ * 2")?.map(|v| v.to_string())
    );
    match session.eval("principal / (rate - rate)") {
        Ok(value) => println!("unexpected: {value:?}"),
        Err(error) => println!("error: {error}"),
    }
    Ok(())
}
