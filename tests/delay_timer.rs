//! A `delay` whose inputs are known goes to the timer at once, from the
//! thread that made it ready, never through the pool queue (issue 16,
//! spec section 3): on one busy worker its wait overlaps the work. Checked
//! by the order of trace events, not by timing.

#[path = "support/events.rs"]
mod events;

use exprflow::NodeId;
use exprflow::testing::Batch;
use exprflow::{Engine, Lane, NodeEvent};

/// The events of `text` run on one worker.
fn events_of(text: &str) -> (Batch, Vec<NodeEvent>) {
    let engine = Engine::builder().workers(1).build().unwrap();
    let batch = Batch::parse(text.as_bytes(), Default::default());
    let (outcomes, events) = events::run_with_events(&batch, &engine);
    assert!(outcomes.iter().all(Result::is_ok), "{text}");
    (batch, events)
}

/// The event of the node whose source text is `text`.
fn event(batch: &Batch, events: &[NodeEvent], text: &str) -> NodeEvent {
    let node: NodeId = batch
        .dag
        .ids()
        .find(|&id| {
            let span = batch.dag.node(id).span();
            &batch.source[span.start..span.end] == text
        })
        .unwrap_or_else(|| panic!("no node {text}"));
    *events
        .iter()
        .find(|e| e.node == node)
        .unwrap_or_else(|| panic!("no event for {text}"))
}

#[test]
fn a_delay_waits_while_the_only_worker_is_busy_in_either_order() {
    for text in [
        "busy(1, 150) + delay(2, 150)",
        "delay(2, 150) + busy(1, 150)",
    ] {
        let (batch, events) = events_of(text);
        let busy = event(&batch, &events, "busy(1, 150)");
        let delay = event(&batch, &events, "delay(2, 150)");
        assert_eq!(delay.lane, Lane::Timer, "{text}");
        assert_eq!(busy.lane, Lane::Worker(0), "{text}");
        assert!(
            delay.start < busy.end,
            "{text}: the timer started at {:?}, after the busy worker finished at {:?}",
            delay.start,
            busy.end
        );
    }
}
