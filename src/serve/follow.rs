//! Following a run: a thread per running program turns the library's
//! node starts and completions into the run's event log, until every line
//! is resolved.
//!
//! Every node the log names is `started` before it is `finished` or
//! `failed`: the library reports a start only when a worker takes up a
//! task or a `delay` timer starts, so nodes fused into a task (and the
//! nodes of an `if` branch, which report when the branch is over) get a
//! `started` entry made from their completion's start time. Nodes still
//! running when the run ends (cancelled, timed out, or no longer needed)
//! end `cancelled`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::runs::{Entry, LiveRun, NodeState};
use crate::{Lane, NodeEvent, NodeEvents, NodeId, NodeStarts};

/// How often the follower looks whether the run is over while no event
/// comes (the events themselves wake it at once).
const POLL: Duration = Duration::from_millis(20);

/// Starts following `run`, submitted at `began`.
pub(super) fn follow(run: Arc<LiveRun>, began: Instant) {
    let spawned = std::thread::Builder::new()
        .name("exprflow-serve-follow".into())
        .spawn({
            let run = Arc::clone(&run);
            move || follow_here(&run, began)
        });
    if spawned.is_err() {
        // No thread: the run goes on, its log says only how it ended.
        run.program.wait();
        run.end(began.elapsed());
    }
}

/// What the follower knows of the nodes.
#[derive(Default)]
struct Nodes {
    /// Nodes started and not finished: their lane.
    running: HashMap<NodeId, Lane>,
    /// Completions read before their outcome is stored in the DAG (the
    /// library sends the event, then stores): logged once it is, so
    /// that every `finished` event carries its value.
    unsettled: Vec<NodeEvent>,
}

fn follow_here(run: &LiveRun, began: Instant) {
    let (Some(completions), Some(starts)) = (run.program.completions(), run.program.starts())
    else {
        run.program.wait();
        run.end(began.elapsed());
        return;
    };
    let mut nodes = Nodes::default();
    loop {
        let first = completions.recv_timeout(POLL);
        let over = run.program.is_done();
        let mut batch = Vec::new();
        take_starts(&starts, run, &mut nodes, &mut batch);
        if let Some(event) = first {
            finished(event, run, &mut nodes, &mut batch);
        }
        drain(&completions, &starts, run, &mut nodes, &mut batch);
        // A worker may take up its next task before its last one's
        // completion is read: what arrived together goes in time order.
        batch.sort_by_key(|entry| entry.at);
        run.record(batch);
        if over {
            break;
        }
    }
    let late = std::mem::take(&mut nodes.unsettled);
    let mut batch = Vec::new();
    for event in late {
        log_finished(event, run, &mut nodes, &mut batch);
    }
    run.record(batch);
    let wall = began.elapsed();
    let at = run.log().entries.last().map_or(wall, |e| e.at.max(wall));
    let mut left: Vec<(NodeId, Lane)> = nodes.running.drain().collect();
    left.sort_by_key(|&(node, _)| node.index());
    run.record(left.into_iter().map(|(node, lane)| Entry {
        node,
        state: NodeState::Cancelled,
        lane,
        at,
    }));
    run.end(wall);
}

/// Everything that has arrived: each completion after the starts sent
/// before it.
fn drain(
    completions: &NodeEvents,
    starts: &NodeStarts,
    run: &LiveRun,
    nodes: &mut Nodes,
    batch: &mut Vec<Entry>,
) {
    while let Some(event) = completions.try_iter().next() {
        take_starts(starts, run, nodes, batch);
        finished(event, run, nodes, batch);
    }
    take_starts(starts, run, nodes, batch);
}

fn take_starts(starts: &NodeStarts, run: &LiveRun, nodes: &mut Nodes, batch: &mut Vec<Entry>) {
    if !nodes.unsettled.is_empty() {
        let waiting = std::mem::take(&mut nodes.unsettled);
        for event in waiting {
            finished(event, run, nodes, batch);
        }
    }
    for start in starts.try_iter() {
        nodes.running.insert(start.node, start.lane);
        batch.push(Entry {
            node: start.node,
            state: NodeState::Started,
            lane: start.lane,
            at: start.at,
        });
    }
}

/// Logs completion `event`, or keeps it until its outcome is stored.
fn finished(event: NodeEvent, run: &LiveRun, nodes: &mut Nodes, batch: &mut Vec<Entry>) {
    let stored = run
        .program
        .node_info(event.node)
        .is_some_and(|info| info.outcome.is_some());
    if stored {
        log_finished(event, run, nodes, batch);
    } else {
        nodes.unsettled.push(event);
    }
}

fn log_finished(event: NodeEvent, run: &LiveRun, nodes: &mut Nodes, batch: &mut Vec<Entry>) {
    if nodes.running.remove(&event.node).is_none() {
        batch.push(Entry {
            node: event.node,
            state: NodeState::Started,
            lane: event.lane,
            at: event.start,
        });
    }
    let cancelled = !event.ok
        && run
            .program
            .node_info(event.node)
            .and_then(|info| info.outcome)
            .is_some_and(|o| o.is_err_and(|e| e.kind == crate::ErrorKind::Cancelled));
    let state = match (event.ok, cancelled) {
        (true, _) => NodeState::Finished,
        (false, true) => NodeState::Cancelled,
        (false, false) => NodeState::Failed,
    };
    batch.push(Entry {
        node: event.node,
        state,
        lane: event.lane,
        at: event.end,
    });
}
