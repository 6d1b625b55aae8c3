//! `record=True`: a finished run's pictures and figures for Python (the
//! library's [`Report`]): DOT text, Chrome trace JSON, the SVG timeline
//! and the stats as a dict.

use exprflow::Report;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The report of one recorded evaluation.
#[pyclass(name = "_Report", module = "exprflow._exprflow", frozen)]
pub struct PyReport {
    pub report: Report,
}

#[pymethods]
impl PyReport {
    /// The DAG as Graphviz DOT.
    fn dot(&self, py: Python<'_>) -> String {
        py.detach(|| self.report.dot())
    }

    /// The run as Chrome trace-event JSON (Perfetto).
    fn trace_json(&self, py: Python<'_>) -> String {
        py.detach(|| self.report.trace_json())
    }

    /// The run as a self-contained SVG Gantt chart.
    fn timeline_svg(&self, py: Python<'_>) -> String {
        py.detach(|| self.report.timeline_svg())
    }

    /// The figures: durations in seconds, counts as ints.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let stats = py.detach(|| self.report.stats());
        let dict = PyDict::new(py);
        dict.set_item("nodes", stats.nodes)?;
        dict.set_item("tree_nodes", stats.tree_nodes)?;
        dict.set_item("saved", stats.saved)?;
        dict.set_item("edges", stats.edges)?;
        dict.set_item("depth", stats.depth)?;
        dict.set_item("computed", stats.computed)?;
        dict.set_item("work", stats.work.as_secs_f64())?;
        dict.set_item("cpu_work", stats.cpu_work.as_secs_f64())?;
        dict.set_item("waiting", stats.waiting.as_secs_f64())?;
        dict.set_item("span", stats.span.as_secs_f64())?;
        dict.set_item("wall", stats.wall.as_secs_f64())?;
        dict.set_item("bound", stats.bound.as_secs_f64())?;
        dict.set_item("parallelism", stats.parallelism)?;
        dict.set_item("speedup", stats.speedup)?;
        dict.set_item("max_speedup", stats.max_speedup)?;
        dict.set_item("efficiency", stats.efficiency)?;
        dict.set_item("workers", stats.workers)?;
        dict.set_item("calls", stats.calls)?;
        dict.set_item("memo_hits", stats.memo_hits)?;
        dict.set_item("text", stats.to_string())?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        format!("<exprflow._Report {:?}>", self.report)
    }
}
