//! [`Report`]: the pictures and figures of a finished run, as the library
//! gives them ([`ExprFuture::report`](crate::ExprFuture::report)) and the
//! command line and REPL draw them ([`Pictures`]).

use std::sync::Arc;

use super::{Stats, Trace, chrome_json, timeline_svg, to_dot_with_source};
use crate::dag::{Dag, NodeId};

/// What a run's pictures are drawn from, borrowed. The one place that
/// turns a run into DOT, trace JSON, a timeline and figures: [`Report`]
/// owns one's worth, and the command line and REPL build one for each
/// run they draw.
#[derive(Clone, Copy)]
pub(crate) struct Pictures<'a> {
    /// The DAG of the run (its values, once computed, show on the DOT).
    pub(crate) dag: &'a Dag,
    /// The roots the pictures are about.
    pub(crate) roots: &'a [NodeId],
    /// The recorded events.
    pub(crate) trace: &'a Trace,
    /// The text the DAG's spans index (empty when unknown).
    pub(crate) source: &'a str,
}

impl Pictures<'_> {
    /// The DAG in Graphviz DOT.
    pub(crate) fn dot(&self) -> String {
        to_dot_with_source(self.dag, self.roots, self.source)
    }

    /// The trace as Chrome trace-event JSON.
    pub(crate) fn trace_json(&self) -> String {
        chrome_json(self.dag, self.trace, self.source)
    }

    /// The run as an SVG Gantt chart.
    pub(crate) fn timeline_svg(&self) -> String {
        timeline_svg(self.dag, self.roots, self.trace, self.source)
    }

    /// The run's figures.
    pub(crate) fn stats(&self) -> Stats {
        Stats::compute(self.dag, self.roots, self.trace)
    }
}

/// The pictures and figures of a finished evaluation: the same ones the
/// command line draws with `--dot`, `--trace`, `--timeline` and `--stats`.
/// Given by [`ExprFuture::report`](crate::ExprFuture::report) for a future
/// submitted with [`SubmitOptions::events`](crate::SubmitOptions::events)
/// (feature `report`, on by default).
///
/// ```
/// use exprflow::{Engine, SubmitOptions};
/// let engine = Engine::builder().workers(2).build().unwrap();
/// let options = SubmitOptions { events: true, ..Default::default() };
/// let future = engine.submit_with("(2+3)*(2+3) + busy(4, 1)", options).unwrap();
/// assert_eq!(future.wait().unwrap().to_string(), "29");
/// let report = future.report().unwrap();
///
/// let dot = report.dot(); // Graphviz: render with `dot -Tsvg`
/// assert!(dot.starts_with("digraph") && dot.contains("= 25"));
/// let json = report.trace_json(); // open in Perfetto or chrome://tracing
/// assert!(json.starts_with("{\"traceEvents\":["));
/// let svg = report.timeline_svg(); // a Gantt chart, one lane per worker
/// assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
///
/// let stats = report.stats();
/// assert_eq!(stats.workers, 2);
/// assert!(stats.span <= stats.work);
/// assert!(stats.work >= std::time::Duration::from_millis(1)); // busy(4, 1) burns 1 ms
/// ```
#[derive(Clone)]
pub struct Report {
    dag: Arc<Dag>,
    roots: Vec<NodeId>,
    trace: Trace,
    source: Arc<str>,
}

impl Report {
    /// The report of `roots` of `dag`, run as `trace` records, with
    /// `source` the text the DAG's spans index.
    pub(crate) fn new(dag: Arc<Dag>, roots: Vec<NodeId>, trace: Trace, source: Arc<str>) -> Report {
        Report {
            dag,
            roots,
            trace,
            source,
        }
    }

    fn pictures(&self) -> Pictures<'_> {
        Pictures {
            dag: &self.dag,
            roots: &self.roots,
            trace: &self.trace,
            source: &self.source,
        }
    }

    /// The DAG as a Graphviz `digraph`: one box per distinct subexpression
    /// (a shared one drawn once, with several out-edges), its operation and
    /// value; failed nodes red, roots with a double border. Render with
    /// `dot -Tsvg`.
    ///
    /// ```
    /// use exprflow::{Engine, SubmitOptions};
    /// let engine = Engine::with_workers(2).unwrap();
    /// let options = SubmitOptions { events: true, ..Default::default() };
    /// let future = engine.submit_with("(2+3)*(2+3)", options).unwrap();
    /// future.wait().unwrap();
    /// let dot = future.report().unwrap().dot();
    /// assert_eq!(dot.matches(" -> ").count(), 4); // 2+3 feeds the product twice
    /// ```
    pub fn dot(&self) -> String {
        self.pictures().dot()
    }

    /// The run as Chrome trace-event JSON (Perfetto, `chrome://tracing`):
    /// one complete event per computed node on its worker's track, with the
    /// node's text and value; `delay` waits on a `timer` track.
    ///
    /// ```
    /// use exprflow::{Engine, SubmitOptions};
    /// let engine = Engine::with_workers(2).unwrap();
    /// let options = SubmitOptions { events: true, ..Default::default() };
    /// let future = engine.submit_with("sqrt(16) + 1", options).unwrap();
    /// future.wait().unwrap();
    /// let json = future.report().unwrap().trace_json();
    /// assert!(json.contains("\"ph\":\"X\"") && json.contains("sqrt(16)"));
    /// ```
    pub fn trace_json(&self) -> String {
        self.pictures().trace_json()
    }

    /// The run as a self-contained SVG Gantt chart: a lane per worker (and
    /// one for timers when `delay`s waited), a bar per computed node, the
    /// critical path outlined, a time axis and a summary line.
    ///
    /// ```
    /// use exprflow::{Engine, SubmitOptions};
    /// let engine = Engine::with_workers(2).unwrap();
    /// let options = SubmitOptions { events: true, ..Default::default() };
    /// let future = engine.submit_with("delay(1, 5) + busy(2, 5)", options).unwrap();
    /// future.wait().unwrap();
    /// let svg = future.report().unwrap().timeline_svg();
    /// assert!(svg.contains("<svg") && svg.contains("timer"));
    /// ```
    pub fn timeline_svg(&self) -> String {
        self.pictures().timeline_svg()
    }

    /// The run's figures: work, span, parallelism, wall time, the bound
    /// the workers allow and more (its `Display` is the command line's
    /// `--stats`).
    ///
    /// ```
    /// use exprflow::{Engine, SubmitOptions};
    /// let engine = Engine::with_workers(2).unwrap();
    /// let options = SubmitOptions { events: true, ..Default::default() };
    /// let future = engine.submit_with("busy(1, 2) + busy(2, 2)", options).unwrap();
    /// future.wait().unwrap();
    /// let stats = future.report().unwrap().stats();
    /// assert!(stats.parallelism >= 1.0);
    /// assert!(stats.to_string().contains("parallelism"));
    /// ```
    pub fn stats(&self) -> Stats {
        self.pictures().stats()
    }
}

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Report")
            .field("roots", &self.roots)
            .field("events", &self.trace.len())
            .field("workers", &self.trace.workers)
            .field("wall", &self.trace.wall)
            .finish_non_exhaustive()
    }
}
