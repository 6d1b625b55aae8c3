//! A session: statements with variables, evaluated on the engine's pool;
//! an assignment gives the value assigned, `_` is the last value. Values
//! go in and out without text (`set`, `get`), a failed statement binds
//! nothing, and `forget` gives a name's memory back.
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
    // Values without text: a float stays a float.
    session.set("years", Value::from(2))?;
    session.set("fee", Value::try_from(12.5)?)?;
    let total = session.eval("principal * (1 + rate)^years + fee")?;
    println!("total = {:?}", total.map(|v| v.to_string()));
    // A failed statement binds nothing: `rate` keeps its value.
    assert!(session.eval("rate = 1/0").is_err());
    assert_eq!(session.get("rate"), Some("0.03".parse()?));
    session.forget("fee");
    println!("fee after forget: {:?}", session.get("fee"));
    Ok(())
}
