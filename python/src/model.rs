//! `exprflow.Model`: cells like a spreadsheet, as a mapping
//! (`m["price"] = 3`, `m["total"]`), recomputing only what changed.

use exprflow::Model;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::closed::Closed;
use crate::errors;
use crate::values;

/// What a model's text is called in reports.
const ORIGIN: &str = "<model>";

static RECOMPUTE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A model on an engine.
#[pyclass(name = "Model", module = "exprflow", frozen)]
pub struct PyModel {
    model: Model,
    closed: Closed,
    max_bits: u64,
}

impl PyModel {
    pub fn new(model: Model, closed: Closed, max_bits: u64) -> PyModel {
        PyModel {
            model,
            closed,
            max_bits,
        }
    }

    fn error(&self, py: Python<'_>, error: &exprflow::Error) -> PyErr {
        let source = py.detach(|| self.model.source());
        errors::to_pyerr(py, error, &source, ORIGIN)
    }
}

#[pymethods]
impl PyModel {
    /// Defines cells: one `name = expression` per line, in any order; each
    /// replaces any earlier cell of its name. All or nothing.
    fn define(&self, py: Python<'_>, text: String) -> PyResult<()> {
        self.closed.check()?;
        py.detach(|| self.model.define(&text))
            .map_err(|e| self.error(py, &e))
    }

    /// The value of cell `name`, recomputing only what changed since it
    /// was last computed, in parallel on the pool (the GIL released).
    fn __getitem__<'py>(&self, py: Python<'py>, name: String) -> PyResult<Bound<'py, PyAny>> {
        self.closed.check()?;
        match py.detach(|| self.model.get(&name)) {
            Ok(value) => values::to_python(py, &value),
            Err(error) => Err(self.error(py, &error)),
        }
    }

    /// Gives cell `name` a value (replacing any formula of that name).
    fn __setitem__(&self, py: Python<'_>, name: String, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.closed.check()?;
        let value = values::from_python(value, self.max_bits)?;
        py.detach(|| self.model.set(&name, value))
            .map_err(|error| errors::to_pyerr(py, &error, &name, ORIGIN))
    }

    /// What the last read recomputed: `Recompute(recomputed, reused)`,
    /// formula cells evaluated and cells reused as they were.
    #[getter]
    fn last_recompute<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let recompute = self.model.last_recompute();
        let class = RECOMPUTE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("exprflow._model")?.getattr("Recompute")?.unbind())
        })?;
        class
            .bind(py)
            .call1((recompute.recomputed, recompute.reused))
    }

    /// The model's cells as text (error spans index it).
    #[getter]
    fn source(&self, py: Python<'_>) -> String {
        py.detach(|| self.model.source())
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let source = self.source(py);
        let cells = source.lines().filter(|l| !l.trim().is_empty()).count();
        format!("<exprflow.Model cells={cells}>")
    }
}
