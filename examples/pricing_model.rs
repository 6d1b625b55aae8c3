//! A pricing model as cells: a `Model` recomputes only what an edit
//! reaches, and stops where a value comes out the same (early cutoff).
//! Inputs are set from a loop; after each `get` the recompute counts show
//! how much was evaluated and how much was reused: from 40 to 41 items the
//! net changes but `free_shipping` stays 0, so `shipping` and `handling`
//! are reused.
//!
//! Run: `cargo run --release --example pricing_model`

use exprflow::{Engine, Error, Value};

const CELLS: &str = "
# order does not matter: cells may read cells defined below them
subtotal      = unit_price * quantity
discount      = if(quantity >= 100, subtotal / 10, 0)
net           = subtotal - discount
free_shipping = net >= 500
shipping      = if(free_shipping, 0, 20 + handling)
handling      = 5
tax           = net * tax_rate
total         = net + shipping + tax
margin        = (net - unit_cost * quantity) / net
";

fn main() -> Result<(), Error> {
    let engine = Engine::builder().workers(2).build()?;
    let model = engine.model();
    model.define(CELLS)?;
    model.set("unit_price", Value::from(12))?;
    model.set("unit_cost", Value::from(7))?;
    model.set("tax_rate", exprflow::eval("20 / 100")?)?; // exact: 1/5

    println!("quantity | total | margin | recomputed | reused");
    for quantity in [10, 40, 41, 100, 150] {
        model.set("quantity", Value::from(quantity))?;
        let total = model.get("total")?;
        let counts = model.last_recompute();
        let margin = model.get("margin")?;
        println!(
            "{quantity:>8} | {total} | {margin} | {} | {}",
            counts.recomputed, counts.reused
        );
    }

    // The tax rate reaches only `tax` and `total`: shipping, discount and
    // the rest are reused.
    model.set("tax_rate", Value::from(0))?;
    let total = model.get("total")?;
    let counts = model.last_recompute();
    println!(
        "tax-free total: {total} (recomputed {}, reused {})",
        counts.recomputed, counts.reused
    );

    // Nothing changed: nothing is recomputed.
    model.get("total")?;
    println!("again: {:?}", model.last_recompute());

    // A mistake is reported by the cell that needs it, naming it.
    model.define("handling = flat_rate + 1")?;
    model.set("quantity", Value::from(10))?;
    match model.get("total") {
        Ok(total) => println!("total: {total}"),
        Err(error) => println!("total: error: {error}"),
    }
    model.set("flat_rate", Value::from(30))?;
    println!("total with a flat rate of 30: {}", model.get("total")?);
    println!("{:?}", model.last_recompute());
    Ok(())
}
