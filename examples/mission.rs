//! The mission expression through the futures API: submit it, then watch
//! each subexpression resolve, in completion order, with the worker that ran
//! it (`as_completed`, node by node).
//!
//! Run: `cargo run --release --example mission`

use exprflow::{Engine, Lane, SubmitOptions};

fn main() -> Result<(), exprflow::Error> {
    // Delays on the leaves make the concurrency visible: the three sums wait
    // on their timers at the same time, not one after another.
    let text = "(delay(3,100)+delay(7,200))*(delay(2,150)+delay(8,50))*((delay(2,80)*delay(3,120))-delay(1,60))";
    let engine = Engine::with_workers(2)?;
    let options = SubmitOptions {
        events: true,
        ..Default::default()
    };
    let future = engine.submit_with(text, options)?;
    future
        .on_complete(|outcome| println!("callback: the whole expression resolved to {outcome:?}"));

    println!("submitted; done yet? {}", future.is_done());
    if let Some(completions) = future.completions() {
        // The stream ends when the run is over and every sender is gone; stop
        // once the root itself has completed.
        for event in completions.iter() {
            let Some(node) = future.node_info(event.node) else {
                continue;
            };
            let where_ = match event.lane {
                Lane::Worker(w) => format!("worker {w}"),
                Lane::Timer => "timer".to_string(),
            };
            let value = match node.outcome {
                Some(Ok(v)) => v.to_string(),
                Some(Err(e)) => format!("error: {e}"),
                None => String::new(),
            };
            println!(
                "{:>7.1} ms  {:<8} {:<28} = {:<6} ({})",
                event.end.as_secs_f64() * 1e3,
                node.label,
                &text[node.span.start..node.span.end]
                    .chars()
                    .take(28)
                    .collect::<String>(),
                value,
                where_
            );
            if event.node == future.node() {
                break;
            }
        }
    }
    println!("result: {}", future.wait()?);
    Ok(())
}
