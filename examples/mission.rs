//! The mission expression through the futures API: submit it, then watch
//! each subexpression resolve, in completion order, with the worker that ran
//! it (`as_completed`, node by node).
//!
//! Run: `cargo run --release --example mission`

use std::sync::Arc;

use exprflow::dag::{Dag, Scope};
use exprflow::eval::{Engine, SubmitOptions};

fn main() -> Result<(), exprflow::Error> {
    // Delays on the leaves make the concurrency visible: the three sums wait
    // on their timers at the same time, not one after another.
    let text = "(delay(3,100)+delay(7,200))*(delay(2,150)+delay(8,50))*((delay(2,80)*delay(3,120))-delay(1,60))";
    let (ast, root) = exprflow::syntax::parse_expr(text)?;
    let mut dag = Dag::default();
    let node = dag.add_expr(&ast, root, &Scope::new())?;
    let dag = Arc::new(dag);

    let engine = Engine::with_workers(2)?;
    let future = engine
        .submit_all(
            &dag,
            &[node],
            SubmitOptions {
                events: true,
                ..Default::default()
            },
        )
        .pop()
        .ok_or_else(|| exprflow::Error::new(exprflow::ErrorKind::Internal, Default::default()))?;
    future
        .on_complete(|outcome| println!("callback: the whole expression resolved to {outcome:?}"));

    println!("submitted; done yet? {}", future.is_done());
    if let Some(completions) = future.completions() {
        // The stream ends when the run is over and every sender is gone; stop
        // once the root itself has completed.
        for event in completions.iter() {
            let n = dag.node(event.node);
            let where_ = match event.lane {
                exprflow::eval::Lane::Worker(w) => format!("worker {w}"),
                exprflow::eval::Lane::Timer => "timer".to_string(),
            };
            let value = dag
                .result(event.node)
                .map(|r| match r {
                    Ok(v) => v.to_string(),
                    Err(e) => format!("error: {e}"),
                })
                .unwrap_or_default();
            println!(
                "{:>7.1} ms  {:<8} {:<28} = {:<6} ({})",
                event.end.as_secs_f64() * 1e3,
                n.op.label(),
                &text[n.span.start..n.span.end]
                    .chars()
                    .take(28)
                    .collect::<String>(),
                value,
                where_
            );
            if event.node == node {
                break;
            }
        }
    }
    println!("result: {}", future.wait()?);
    Ok(())
}
