//! What a run's figures are computed from: the nodes reachable from the
//! roots, their recorded durations, work, span and the critical path.

use std::time::Duration;

use super::Trace;
use crate::dag::{Dag, NodeId};

/// The nodes reachable from `roots` (every node when `roots` is empty), in
/// topological order (inputs first). Iterative, so any depth is fine.
pub(crate) fn reachable(dag: &Dag, roots: &[NodeId]) -> Vec<NodeId> {
    let mask = reachable_mask(dag, roots);
    mask.iter()
        .enumerate()
        .filter(|&(_, &s)| s)
        .map(|(i, _)| NodeId::new(i))
        .collect()
}

/// Which nodes (by index) are reachable from `roots` (all when empty).
pub(super) fn reachable_mask(dag: &Dag, roots: &[NodeId]) -> Vec<bool> {
    if roots.is_empty() {
        return vec![true; dag.len()];
    }
    let mut seen = vec![false; dag.len()];
    let mut stack: Vec<NodeId> = Vec::new();
    for &root in roots {
        if root.index() < seen.len() && !seen[root.index()] {
            seen[root.index()] = true;
            stack.push(root);
        }
    }
    while let Some(id) = stack.pop() {
        for &input in dag.node(id).inputs.iter() {
            if input.index() < seen.len() && !seen[input.index()] {
                seen[input.index()] = true;
                stack.push(input);
            }
        }
    }
    seen
}

/// What work, span and the critical path are computed from, once per
/// question: dense per-node vectors indexed by node index.
pub(super) struct Analysis {
    /// Reachable nodes in topological order.
    pub(super) nodes: Vec<NodeId>,
    /// Each node's recorded duration (zero when not recorded).
    duration: Vec<Duration>,
    /// Each node's longest-path finish time: its duration plus the largest
    /// finish time among its inputs.
    finish: Vec<Duration>,
}

impl Analysis {
    pub(super) fn new(dag: &Dag, roots: &[NodeId], trace: &Trace) -> Analysis {
        let nodes = reachable(dag, roots);
        let mut duration = vec![Duration::ZERO; dag.len()];
        for e in &trace.events {
            if let Some(d) = duration.get_mut(e.node.index()) {
                *d = (*d).max(e.duration());
            }
        }
        let mut finish = vec![Duration::ZERO; dag.len()];
        for &id in &nodes {
            let before = dag
                .node(id)
                .inputs
                .iter()
                .filter_map(|i| finish.get(i.index()))
                .max()
                .copied()
                .unwrap_or_default();
            finish[id.index()] = before.saturating_add(duration[id.index()]);
        }
        Analysis {
            nodes,
            duration,
            finish,
        }
    }

    pub(super) fn work(&self) -> Duration {
        self.nodes.iter().fold(Duration::ZERO, |a, id| {
            a.saturating_add(self.duration[id.index()])
        })
    }

    pub(super) fn span(&self) -> Duration {
        self.nodes
            .iter()
            .map(|id| self.finish[id.index()])
            .max()
            .unwrap_or_default()
    }

    pub(super) fn critical_path(&self, dag: &Dag) -> Vec<NodeId> {
        // The end of the path: the node finishing last (the topmost of ties).
        let Some(mut at) = self
            .nodes
            .iter()
            .copied()
            .max_by_key(|id| self.finish[id.index()])
        else {
            return Vec::new();
        };
        if self.finish[at.index()].is_zero() {
            return Vec::new();
        }
        let mut path = vec![at];
        loop {
            let want = self.finish[at.index()].saturating_sub(self.duration[at.index()]);
            if want.is_zero() {
                break;
            }
            let next = dag
                .node(at)
                .inputs
                .iter()
                .copied()
                .find(|i| self.finish.get(i.index()) == Some(&want));
            match next {
                Some(input) => {
                    path.push(input);
                    at = input;
                }
                None => break,
            }
        }
        path.reverse();
        path
    }
}

#[cfg(any(test, feature = "cli", feature = "test-hooks"))]
/// The total work and the span of a run of `roots`: work is the sum of the
/// recorded durations of the nodes reachable from `roots` (waits of `delay`
/// included, as a one-thread evaluation would spend them); span is the
/// heaviest chain of recorded durations from a leaf to a root, the least
/// time any number of workers could need. Nodes without events (constants,
/// results known before the run) weigh nothing.
///
/// ```
/// use std::time::Duration;
/// use exprflow::testing::eval::{Lane, NodeEvent};
/// use exprflow::testing::report::{Trace, work_span};
/// let batch = exprflow::testing::Batch::parse(b"(1+2)*(3+4)", Default::default());
/// let roots = batch.roots();
/// let ms = Duration::from_millis;
/// let node = |text: &str| batch.dag.ids().find(|&id| {
///     let s = batch.dag.node(id).span();
///     &batch.source[s.start..s.end] == text
/// }).unwrap();
/// let events = vec![
///     NodeEvent { lane: Lane::Worker(0), node: node("(1+2)"), start: ms(0), end: ms(3), ok: true },
///     NodeEvent { lane: Lane::Worker(0), node: node("(3+4)"), start: ms(3), end: ms(8), ok: true },
///     NodeEvent { lane: Lane::Worker(0), node: roots[0], start: ms(8), end: ms(9), ok: true },
/// ];
/// let trace = Trace::from_sequential(events, ms(9));
/// assert_eq!(work_span(&batch.dag, &roots, &trace), (ms(9), ms(6)));
/// ```
pub fn work_span(dag: &Dag, roots: &[NodeId], trace: &Trace) -> (Duration, Duration) {
    let analysis = Analysis::new(dag, roots, trace);
    (analysis.work(), analysis.span())
}

/// The critical path: the heaviest chain of recorded durations, listed from
/// a leaf up to a root of `roots`. Empty when nothing was recorded.
#[cfg(any(test, feature = "test-hooks"))]
pub fn critical_path(dag: &Dag, roots: &[NodeId], trace: &Trace) -> Vec<NodeId> {
    Analysis::new(dag, roots, trace).critical_path(dag)
}
