//! Work, span and the figures of a run: how much parallelism the DAG has
//! and how much of it the run turned into speed.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use super::text::format_duration;
use super::{Lane, Trace};
use crate::dag::{Dag, NodeId};

/// The nodes reachable from `roots` (every node when `roots` is empty), in
/// topological order (inputs first). Iterative, so any depth is fine.
pub(crate) fn reachable(dag: &Dag, roots: &[NodeId]) -> Vec<NodeId> {
    if roots.is_empty() {
        return dag.ids().collect();
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
    seen.iter()
        .enumerate()
        .filter(|&(_, &s)| s)
        .map(|(i, _)| NodeId::new(i))
        .collect()
}

/// Longest-path finish times (sum of recorded durations along the heaviest
/// input chain ending at each node), for `nodes` in topological order.
fn finish_times(
    dag: &Dag,
    nodes: &[NodeId],
    durations: &HashMap<NodeId, Duration>,
) -> HashMap<NodeId, Duration> {
    let mut finish: HashMap<NodeId, Duration> = HashMap::with_capacity(nodes.len());
    for &id in nodes {
        let before = dag
            .node(id)
            .inputs
            .iter()
            .filter_map(|i| finish.get(i))
            .max()
            .copied()
            .unwrap_or_default();
        let own = durations.get(&id).copied().unwrap_or_default();
        finish.insert(id, before.saturating_add(own));
    }
    finish
}

/// The total work and the span of a run of `roots`: work is the sum of the
/// recorded durations of the nodes reachable from `roots` (waits of `delay`
/// included, as a one-thread evaluation would spend them); span is the
/// heaviest chain of recorded durations from a leaf to a root, the least
/// time any number of workers could need. Nodes without events (constants,
/// results known before the run) weigh nothing.
///
/// ```
/// use std::time::Duration;
/// use exprflow::eval::SeqEvent;
/// use exprflow::report::{Trace, work_span};
/// let batch = exprflow::Batch::parse(b"(1+2)*(3+4)", Default::default());
/// let roots = batch.roots();
/// let ms = Duration::from_millis;
/// let node = |text: &str| batch.dag.ids().find(|&id| {
///     let s = batch.dag.node(id).span;
///     &batch.source[s.start..s.end] == text
/// }).unwrap();
/// let events = vec![
///     SeqEvent { node: node("(1+2)"), start: ms(0), end: ms(3) },
///     SeqEvent { node: node("(3+4)"), start: ms(3), end: ms(8) },
///     SeqEvent { node: roots[0], start: ms(8), end: ms(9) },
/// ];
/// let trace = Trace::from_sequential(events, ms(9));
/// assert_eq!(work_span(&batch.dag, &roots, &trace), (ms(9), ms(6)));
/// ```
pub fn work_span(dag: &Dag, roots: &[NodeId], trace: &Trace) -> (Duration, Duration) {
    let nodes = reachable(dag, roots);
    let durations = trace.durations();
    let work = nodes
        .iter()
        .filter_map(|id| durations.get(id))
        .fold(Duration::ZERO, |a, &d| a.saturating_add(d));
    let finish = finish_times(dag, &nodes, &durations);
    let span = nodes
        .iter()
        .filter_map(|id| finish.get(id))
        .max()
        .copied()
        .unwrap_or_default();
    (work, span)
}

/// The critical path: the heaviest chain of recorded durations, listed from
/// a leaf up to a root of `roots`. Empty when nothing was recorded.
pub fn critical_path(dag: &Dag, roots: &[NodeId], trace: &Trace) -> Vec<NodeId> {
    let nodes = reachable(dag, roots);
    let durations = trace.durations();
    let finish = finish_times(dag, &nodes, &durations);
    // The end of the path: the node finishing last (the topmost of ties).
    let Some(mut at) = nodes
        .iter()
        .copied()
        .max_by_key(|id| finish.get(id).copied().unwrap_or_default())
    else {
        return Vec::new();
    };
    if finish.get(&at).copied().unwrap_or_default() == Duration::ZERO {
        return Vec::new();
    }
    let mut path = vec![at];
    loop {
        let own = durations.get(&at).copied().unwrap_or_default();
        let want = finish
            .get(&at)
            .copied()
            .unwrap_or_default()
            .saturating_sub(own);
        if want == Duration::ZERO {
            break;
        }
        let next = dag
            .node(at)
            .inputs
            .iter()
            .copied()
            .find(|i| finish.get(i).copied() == Some(want));
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

/// The figures of one run of `roots`: the DAG's size and sharing, work and
/// span, and how close the run came to the best the pool allows.
///
/// Work is the time a single thread would spend (every recorded node's
/// duration, `delay` waits included); CPU work is the part that needs a
/// worker. No run on P workers can beat `max(cpu work / P, span)` (the work
/// law and the span law), so that is the bound speedup and efficiency are
/// measured against.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    /// Distinct nodes reachable from the roots.
    pub nodes: usize,
    /// Nodes the roots would need as separate trees, every shared or
    /// repeated subexpression written out again (saturating).
    pub tree_nodes: u128,
    /// Nodes that sharing (hash-consing and variables) saved:
    /// `tree_nodes - nodes`.
    pub saved: u128,
    /// Input edges among those nodes (an input used twice counts twice).
    pub edges: usize,
    /// Levels of the DAG: nodes on the longest chain from a leaf to a root.
    pub depth: usize,
    /// Number of roots (statements) the figures are about.
    pub roots: usize,
    /// Nodes the run computed (recorded events).
    pub computed: usize,
    /// Total work: the sum of the recorded durations, waits included.
    pub work: Duration,
    /// The part of the work done on pool workers.
    pub cpu_work: Duration,
    /// The part of the work spent waiting on timers (`delay`).
    pub waiting: Duration,
    /// The span: the heaviest chain of recorded durations (critical path).
    pub span: Duration,
    /// The nodes of the critical path, from a leaf up to a root.
    pub critical_path: Vec<NodeId>,
    /// Parallelism: work / span, the speedup infinitely many workers could reach.
    pub parallelism: f64,
    /// Pool workers of the run.
    pub workers: usize,
    /// Whether the run was sequential.
    pub sequential: bool,
    /// Wall time of the run.
    pub wall: Duration,
    /// The least time the run could take on its workers:
    /// `max(cpu work / workers, span)`.
    pub bound: Duration,
    /// Achieved speedup: work / wall time.
    pub speedup: f64,
    /// The best speedup the bound allows: work / bound.
    pub max_speedup: f64,
    /// Efficiency against the bound: bound / wall time (1 = as fast as possible).
    pub efficiency: f64,
}

fn ratio(a: Duration, b: Duration) -> f64 {
    if b.is_zero() {
        if a.is_zero() { 1.0 } else { f64::INFINITY }
    } else {
        a.as_secs_f64() / b.as_secs_f64()
    }
}

impl Stats {
    /// Computes the figures of `trace`, a run of `roots` of `dag` (every
    /// node of the DAG when `roots` is empty).
    ///
    /// ```
    /// use std::time::Duration;
    /// use exprflow::report::{Stats, Trace};
    /// let batch = exprflow::Batch::parse(b"(2+3)*(2+3)", Default::default());
    /// let stats = Stats::compute(&batch.dag, &batch.roots(), &Trace::default());
    /// assert_eq!(stats.nodes, 4); // 2, 3, 2+3 and the product
    /// assert_eq!(stats.tree_nodes, 7);
    /// assert_eq!(stats.saved, 3);
    /// assert_eq!(stats.edges, 4);
    /// assert_eq!(stats.depth, 3);
    /// ```
    pub fn compute(dag: &Dag, roots: &[NodeId], trace: &Trace) -> Stats {
        let nodes = reachable(dag, roots);
        let mut tree: HashMap<NodeId, u128> = HashMap::with_capacity(nodes.len());
        let mut level: HashMap<NodeId, usize> = HashMap::with_capacity(nodes.len());
        let mut edges = 0usize;
        for &id in &nodes {
            let inputs = &dag.node(id).inputs;
            edges += inputs.len();
            let size = inputs
                .iter()
                .filter_map(|i| tree.get(i))
                .fold(1u128, |a, &b| a.saturating_add(b));
            tree.insert(id, size);
            let below = inputs
                .iter()
                .filter_map(|i| level.get(i))
                .max()
                .copied()
                .unwrap_or(0);
            level.insert(id, below + 1);
        }
        let tree_nodes = if roots.is_empty() {
            // Every sink of the DAG is a root.
            let used: std::collections::HashSet<NodeId> = nodes
                .iter()
                .flat_map(|&id| dag.node(id).inputs.iter().copied())
                .collect();
            nodes
                .iter()
                .filter(|id| !used.contains(id))
                .filter_map(|id| tree.get(id))
                .fold(0u128, |a, &b| a.saturating_add(b))
        } else {
            roots
                .iter()
                .filter_map(|id| tree.get(id))
                .fold(0u128, |a, &b| a.saturating_add(b))
        };
        let depth = level.values().max().copied().unwrap_or(0);

        let reachable_set: std::collections::HashSet<NodeId> = nodes.iter().copied().collect();
        let mut cpu_work = Duration::ZERO;
        let mut waiting = Duration::ZERO;
        let mut computed = std::collections::HashSet::new();
        for e in &trace.events {
            if !reachable_set.contains(&e.node) || !computed.insert(e.node) {
                continue;
            }
            match e.lane {
                Lane::Worker(_) => cpu_work = cpu_work.saturating_add(e.duration()),
                Lane::Timer => waiting = waiting.saturating_add(e.duration()),
            }
        }
        let (work, span) = work_span(dag, roots, trace);
        let workers = trace.workers.max(1);
        let per_worker = cpu_work / workers as u32;
        let bound = per_worker.max(span);
        let wall = trace.wall;
        Stats {
            nodes: nodes.len(),
            tree_nodes,
            saved: tree_nodes.saturating_sub(nodes.len() as u128),
            edges,
            depth,
            roots: roots.len(),
            computed: computed.len(),
            work,
            cpu_work,
            waiting,
            span,
            critical_path: critical_path(dag, roots, trace),
            parallelism: ratio(work, span),
            workers,
            sequential: trace.sequential,
            wall,
            bound,
            speedup: ratio(work, wall),
            max_speedup: ratio(work, bound),
            efficiency: if wall.is_zero() {
                1.0
            } else {
                ratio(bound, wall)
            },
        }
    }
}

/// A count that may have saturated.
fn big(n: u128) -> String {
    if n == u128::MAX {
        "more than 10^38".to_string()
    } else {
        n.to_string()
    }
}

/// A ratio with two decimals, or `∞`.
fn times(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}")
    } else {
        "∞".to_string()
    }
}

impl fmt::Display for Stats {
    /// A readable multi-line summary, one figure per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = format_duration;
        writeln!(
            f,
            "nodes        {} distinct; as trees {} (sharing saved {})",
            self.nodes,
            big(self.tree_nodes),
            big(self.saved)
        )?;
        writeln!(f, "edges        {}", self.edges)?;
        writeln!(f, "depth        {} levels", self.depth)?;
        writeln!(f, "computed     {} nodes", self.computed)?;
        writeln!(
            f,
            "work         {} ({} on workers, {} waiting on timers)",
            d(self.work),
            d(self.cpu_work),
            d(self.waiting)
        )?;
        writeln!(
            f,
            "span         {} (critical path of {} nodes)",
            d(self.span),
            self.critical_path.len()
        )?;
        writeln!(f, "parallelism  {} (work / span)", times(self.parallelism))?;
        if self.sequential {
            writeln!(f, "workers      sequential evaluator (1 thread)")?;
        } else {
            writeln!(f, "workers      {}", self.workers)?;
        }
        writeln!(f, "wall time    {}", d(self.wall))?;
        writeln!(
            f,
            "speedup      {}x achieved (work / wall); at most {}x here (work / max(cpu work / {}, span) = work / {})",
            times(self.speedup),
            times(self.max_speedup),
            self.workers,
            d(self.bound)
        )?;
        write!(
            f,
            "efficiency   {:.0}% of the bound (bound / wall)",
            (self.efficiency * 100.0).min(999.0)
        )
    }
}
