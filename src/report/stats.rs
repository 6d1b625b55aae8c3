//! The figures of a run (`--stats`): the DAG's size and sharing, work and
//! span, how much parallelism the DAG has and how much of it the run turned
//! into speed.

use std::fmt;
use std::time::Duration;

use super::analysis::{Analysis, reachable_mask};
use super::text::format_duration;
use super::{Lane, Trace};
use crate::dag::{Dag, NodeId, Op};
use crate::value::Builtin;

/// The figures of one run of `roots`: the DAG's size and sharing, work and
/// span, and how close the run came to the best the pool allows (from
/// [`Report::stats`](crate::Report::stats); its `Display` is the command
/// line's `--stats`).
///
/// Work is the time a single thread would spend (every recorded node's
/// duration, `delay` waits included); CPU work is the part that needs a
/// worker. No run on P workers can beat `max(cpu work / P, span)` (the work
/// law and the span law), so that is the bound speedup and efficiency are
/// measured against.
///
/// ```
/// use exprflow::{Engine, SubmitOptions};
/// let engine = Engine::with_workers(2).unwrap();
/// let options = SubmitOptions { events: true, ..Default::default() };
/// let future = engine.submit_with("busy(1, 3) + busy(2, 3)", options).unwrap();
/// future.wait().unwrap();
/// let stats = future.report().unwrap().stats();
/// // Two independent 3 ms bursts: 6 ms of work, a span of one burst.
/// assert!(stats.work >= std::time::Duration::from_millis(6));
/// assert!(stats.span < stats.work && stats.parallelism > 1.0);
/// assert_eq!(stats.workers, 2);
/// println!("{stats}");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
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
    /// Distinct user-function calls the DAG's memo holds.
    pub calls: usize,
    /// Calls computed to the end: `calls`, plus those two branches of a
    /// parallel run computed at the same time (a race the memo resolves).
    pub call_computations: u64,
    /// Calls answered from the memo instead of being computed again.
    pub memo_hits: u64,
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
    /// use exprflow::testing::report::{Stats, Trace};
    /// let batch = exprflow::testing::Batch::parse(b"(2+3)*(2+3)", Default::default());
    /// let stats = Stats::compute(&batch.dag, &batch.roots(), &Trace::default());
    /// assert_eq!(stats.nodes, 4); // 2, 3, 2+3 and the product
    /// assert_eq!(stats.tree_nodes, 7);
    /// assert_eq!(stats.saved, 3);
    /// assert_eq!(stats.edges, 4);
    /// assert_eq!(stats.depth, 3);
    /// ```
    #[doc(hidden)]
    pub fn compute(dag: &Dag, roots: &[NodeId], trace: &Trace) -> Stats {
        let analysis = Analysis::new(dag, roots, trace);
        let nodes = &analysis.nodes;
        let mut tree = vec![0u128; dag.len()];
        let mut level = vec![0usize; dag.len()];
        let mut used = vec![false; dag.len()];
        let mut edges = 0usize;
        for &id in nodes {
            let inputs = &dag.node(id).inputs;
            edges += inputs.len();
            let mut size = 1u128;
            let mut below = 0usize;
            for input in inputs.iter() {
                let i = input.index();
                size = size.saturating_add(tree[i]);
                below = below.max(level[i]);
                used[i] = true;
            }
            tree[id.index()] = size;
            level[id.index()] = below + 1;
        }
        let tops: Vec<NodeId> = if roots.is_empty() {
            // Every node nothing uses is a root.
            nodes
                .iter()
                .copied()
                .filter(|id| !used[id.index()])
                .collect()
        } else {
            roots
                .iter()
                .copied()
                .filter(|r| r.index() < dag.len())
                .collect()
        };
        let tree_nodes = tops
            .iter()
            .fold(0u128, |a, id| a.saturating_add(tree[id.index()]));
        let depth = nodes.iter().map(|id| level[id.index()]).max().unwrap_or(0);

        let in_set = reachable_mask(dag, roots);
        let mut counted = vec![false; dag.len()];
        let mut cpu_work = Duration::ZERO;
        let mut waiting = Duration::ZERO;
        let mut computed = 0usize;
        for e in &trace.events {
            let i = e.node.index();
            if !in_set.get(i).copied().unwrap_or(false) || counted[i] {
                continue;
            }
            counted[i] = true;
            computed += 1;
            // A `delay` waits, whether on the timer thread or (in the
            // sequential evaluator) on the evaluating thread.
            let waits =
                e.lane == Lane::Timer || matches!(dag.node(e.node).op, Op::Call(Builtin::Delay));
            if waits {
                waiting = waiting.saturating_add(e.duration());
            } else {
                cpu_work = cpu_work.saturating_add(e.duration());
            }
        }
        let (work, span) = (analysis.work(), analysis.span());
        let workers = trace.workers.max(1);
        let per_worker = cpu_work / u32::try_from(workers).unwrap_or(u32::MAX);
        // Sequentially, a delay holds the only thread: the bound counts it.
        let bound = if trace.sequential {
            work
        } else {
            per_worker.max(span)
        };
        let wall = trace.wall;
        Stats {
            calls: dag.calls().len(),
            call_computations: dag.calls().computed(),
            memo_hits: dag.calls().hits(),
            nodes: nodes.len(),
            tree_nodes,
            saved: tree_nodes.saturating_sub(nodes.len() as u128),
            edges,
            depth,
            roots: roots.len(),
            computed,
            work,
            cpu_work,
            waiting,
            span,
            critical_path: analysis.critical_path(dag),
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

/// `1 node`, `2 nodes`.
fn nodes(n: usize) -> String {
    format!("{n} node{}", if n == 1 { "" } else { "s" })
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
        let raced = self.call_computations.saturating_sub(self.calls as u64);
        if self.calls > 0 && raced == 0 {
            writeln!(
                f,
                "calls        {} distinct, computed once each ({} answered from the memo)",
                self.calls, self.memo_hits
            )?;
        } else if self.calls > 0 {
            writeln!(
                f,
                "calls        {} distinct, {raced} computed again in a race ({} answered from the memo)",
                self.calls, self.memo_hits
            )?;
        }
        writeln!(f, "depth        {} levels", self.depth)?;
        writeln!(f, "computed     {}", nodes(self.computed))?;
        writeln!(
            f,
            "work         {} ({} on workers, {} waiting on timers)",
            d(self.work),
            d(self.cpu_work),
            d(self.waiting)
        )?;
        writeln!(
            f,
            "span         {} (critical path of {})",
            d(self.span),
            nodes(self.critical_path.len())
        )?;
        writeln!(f, "parallelism  {} (work / span)", times(self.parallelism))?;
        if self.sequential {
            writeln!(f, "workers      sequential evaluator (1 thread)")?;
        } else {
            writeln!(f, "workers      {}", self.workers)?;
        }
        writeln!(f, "wall time    {}", d(self.wall))?;
        let per = if self.workers == 1 {
            "worker"
        } else {
            "workers"
        };
        if self.sequential {
            writeln!(
                f,
                "bound        {} = work (one thread computes and waits in turn)",
                d(self.bound)
            )?;
        } else {
            writeln!(
                f,
                "bound        {} = max(cpu work / {} {per}, span), the least time possible",
                d(self.bound),
                self.workers
            )?;
        }
        writeln!(
            f,
            "speedup      {}x (work / wall); the bound allows {}x (work / bound)",
            times(self.speedup),
            times(self.max_speedup)
        )?;
        write!(
            f,
            "efficiency   {:.0}% (bound / wall)",
            (self.efficiency * 100.0).min(999.0)
        )?;
        if let Some(overhead) = self.overhead_dominates() {
            write!(
                f,
                "\nnote         run too small to gain from workers: {} of work, {} of \
                 scheduling (handing tasks to threads and back); workers pay off when \
                 tasks take much longer than that",
                d(self.work),
                d(overhead)
            )?;
        }
        Ok(())
    }
}

impl Stats {
    /// The time the run spent beyond its bound, when that overhead (handing
    /// tasks to threads and collecting results) is more than the work
    /// itself and at least half the wall time: a run too small to gain from
    /// workers.
    ///
    /// ```
    /// use exprflow::testing::report::{Stats, Trace};
    /// let batch = exprflow::testing::Batch::parse(b"1+2", Default::default());
    /// let mut stats = Stats::compute(&batch.dag, &batch.roots(), &Trace::default());
    /// stats.work = std::time::Duration::from_micros(3);
    /// stats.bound = stats.work;
    /// stats.wall = std::time::Duration::from_micros(50);
    /// assert_eq!(stats.overhead_dominates(), Some(std::time::Duration::from_micros(47)));
    /// assert!(stats.to_string().contains("run too small to gain from workers"));
    /// ```
    pub fn overhead_dominates(&self) -> Option<Duration> {
        let overhead = self.wall.saturating_sub(self.bound);
        (overhead > self.work && overhead >= self.wall / 2).then_some(overhead)
    }
}
