//! `exprflow.Session`: statements with variables and functions, evaluated
//! on the engine's pool, and the session's names as a mapping
//! (`s["y"] = Fraction(1, 3)`, `s["y"]`, `del s["y"]`, `"y" in s`).

use std::sync::Mutex;

use exprflow::{Engine, Session};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;

use crate::closed::Closed;
use crate::errors;
use crate::task;
use crate::values;

/// What a session's text is called in reports.
const ORIGIN: &str = "<session>";

/// A session on an engine.
#[pyclass(name = "Session", module = "exprflow", frozen)]
pub struct PySession {
    session: Mutex<Session>,
    engine: Engine,
    closed: Closed,
    max_bits: u64,
}

impl PySession {
    pub fn new(engine: Engine, closed: Closed, max_bits: u64) -> PySession {
        PySession {
            session: Mutex::new(engine.session()),
            engine,
            closed,
            max_bits,
        }
    }

    /// Runs `f` on the session, taking its lock without the GIL.
    fn with<R: Send>(&self, py: Python<'_>, f: impl FnOnce(&mut Session) -> R + Send) -> R {
        py.detach(|| {
            let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut session)
        })
    }

    fn error(&self, py: Python<'_>, error: &exprflow::Error) -> PyErr {
        let source = self.with(py, |session| session.source().to_string());
        errors::to_pyerr(py, error, &source, ORIGIN)
    }
}

#[pymethods]
impl PySession {
    /// Adds a statement and evaluates it: its value (an assignment gives
    /// the value assigned), or `None` for a definition, a blank line or a
    /// comment. A statement that fails binds nothing. The GIL is released
    /// meanwhile; Ctrl-C cancels it and raises `KeyboardInterrupt`.
    fn eval<'py>(&self, py: Python<'py>, text: String) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.closed.check()?;
        let engine = &self.engine;
        let submitted = self.with(py, |session| session.submit(engine, &text));
        let future = match submitted {
            Ok(Some(future)) => future,
            Ok(None) => return Ok(None),
            Err(error) => return Err(self.error(py, &error)),
        };
        let waited = task::wait_interruptibly(py, &future, None);
        if waited.is_err() {
            future.cancel();
        }
        let outcome = py.detach(|| future.wait());
        self.with(py, |session| session.settle(future.node(), &outcome));
        waited?;
        match outcome {
            Ok(value) => values::to_python(py, &value).map(Some),
            Err(error) => Err(self.error(py, &error)),
        }
    }

    /// The value `name` is bound to; `KeyError` when unbound.
    fn __getitem__<'py>(&self, py: Python<'py>, name: String) -> PyResult<Bound<'py, PyAny>> {
        match self.with(py, |session| session.get(&name)) {
            Some(value) => values::to_python(py, &value),
            None => Err(PyKeyError::new_err(name)),
        }
    }

    /// Binds `name` to a value, as `name = value` would (a float stays a
    /// float).
    fn __setitem__(&self, py: Python<'_>, name: String, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.closed.check()?;
        let value = values::from_python(value, self.max_bits)?;
        self.with(py, |session| session.set(&name, value))
            .map_err(|error| errors::to_pyerr(py, &error, &name, ORIGIN))
    }

    /// Unbinds `name` (variable and function); `KeyError` when unbound.
    fn __delitem__(&self, py: Python<'_>, name: String) -> PyResult<()> {
        if self.with(py, |session| session.forget(&name)) {
            Ok(())
        } else {
            Err(PyKeyError::new_err(name))
        }
    }

    fn __contains__(&self, py: Python<'_>, name: String) -> bool {
        self.with(py, |session| session.get(&name).is_some())
    }

    /// Forgets every variable and function.
    fn clear(&self, py: Python<'_>) {
        self.with(py, Session::clear);
    }

    /// The names bound to a value now, sorted.
    fn variables(&self, py: Python<'_>) -> Vec<String> {
        self.with(py, |session| {
            session
                .variables()
                .into_iter()
                .filter(|(_, value)| matches!(value, Some(Ok(_))))
                .map(|(name, _)| name)
                .collect()
        })
    }

    /// The user functions defined so far, as `(name, "f(x) = x^2")` pairs.
    fn functions(&self, py: Python<'_>) -> Vec<(String, String)> {
        self.with(py, |session| session.functions())
    }

    /// All text entered so far (error spans index it).
    #[getter]
    fn source(&self, py: Python<'_>) -> String {
        self.with(py, |session| session.source().to_string())
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let names = self.variables(py);
        let shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
        let more = if names.len() > 8 { ", ..." } else { "" };
        format!("<exprflow.Session variables=[{}{more}]>", shown.join(", "))
    }
}
