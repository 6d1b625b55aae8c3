//! `_Engine`: an exprflow [`Engine`] for Python. `exprflow.Engine` (in
//! `__init__.py`) wraps it with the `concurrent.futures` surface.

use std::sync::{Arc, RwLock};
use std::time::Instant;

use exprflow::{Arity, Engine, SubmitOptions};
use pyo3::exceptions::{PyRuntimeError, PyTimeoutError};
use pyo3::prelude::*;

use crate::closed::Closed;
use crate::errors;
use crate::formula::PyFormula;
use crate::host::{self, HostSpec};
use crate::model::PyModel;
use crate::session::PySession;
use crate::task::{self, PyOutcome, Source, Task};
use crate::values;

/// What the text of `engine.eval` and `submit` is called in reports.
pub const ORIGIN: &str = "<input>";

/// The Rust side of `exprflow.Engine`.
#[pyclass(name = "_Engine", module = "exprflow._exprflow", frozen)]
pub struct PyEngine {
    engine: RwLock<Option<Engine>>,
    pub closed: Closed,
    workers: usize,
    pub max_bits: u64,
}

impl PyEngine {
    /// The engine, unless shut down.
    pub fn engine(&self) -> PyResult<Engine> {
        self.closed.check()?;
        let engine = self.engine.read().unwrap_or_else(|p| p.into_inner());
        engine
            .clone()
            .ok_or_else(|| PyRuntimeError::new_err("cannot schedule new work after shutdown"))
    }
}

/// One host function from Python: name, callable, least and most
/// arguments (`None`: any number), volatile, and the engine's event loop
/// for an `async def`.
type FunctionArgument = (
    String,
    Py<PyAny>,
    usize,
    Option<usize>,
    bool,
    Option<Py<PyAny>>,
);

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(signature = (workers=None, functions=Vec::new()))]
    fn new(
        py: Python<'_>,
        workers: Option<usize>,
        functions: Vec<FunctionArgument>,
    ) -> PyResult<Self> {
        let mut builder = Engine::builder();
        if let Some(workers) = workers {
            if workers == 0 {
                return Err(pyo3::exceptions::PyValueError::new_err(
                    "workers must be at least 1",
                ));
            }
            builder = builder.workers(workers);
        }
        let max_bits = exprflow::ValueLimits::DEFAULT_MAX_BITS;
        for (name, callable, least, most, volatile, event_loop) in functions {
            let arity = match most {
                None => Arity::AtLeast(least),
                Some(most) if most <= least => Arity::Exactly(least),
                Some(most) => Arity::Between(least, most),
            };
            let spec = HostSpec {
                name,
                callable,
                arity,
                volatile,
                event_loop,
            };
            builder = host::register(builder, spec, max_bits);
        }
        let engine = py
            .detach(|| builder.build())
            .map_err(|e| errors::to_pyerr(py, &e, "", ORIGIN))?;
        Ok(PyEngine {
            workers: engine.workers(),
            max_bits: engine.limits().value.max_bits,
            engine: RwLock::new(Some(engine)),
            closed: Closed::default(),
        })
    }

    /// The number of pool workers.
    #[getter]
    fn workers(&self) -> usize {
        self.workers
    }

    /// Starts evaluating `text`; its `_Task` at once. A syntax error
    /// raises here.
    #[pyo3(signature = (text, record=false, timeout=None))]
    fn submit(
        &self,
        py: Python<'_>,
        text: String,
        record: bool,
        timeout: Option<f64>,
    ) -> PyResult<Task> {
        let engine = self.engine()?;
        let options = SubmitOptions {
            events: record,
            timeout: task::seconds(timeout)?,
            ..SubmitOptions::default()
        };
        let text: Arc<str> = text.into();
        let submitted = py.detach(|| engine.submit_with(&*text, options));
        match submitted {
            Ok(future) => Ok(Task::new(
                future,
                Source {
                    text,
                    origin: ORIGIN,
                },
            )),
            Err(error) => Err(errors::to_pyerr(py, &error, &text, ORIGIN)),
        }
    }

    /// Evaluates `text` and waits for its value, releasing the GIL;
    /// Ctrl-C cancels the evaluation and raises `KeyboardInterrupt`.
    fn eval<'py>(&self, py: Python<'py>, text: String) -> PyResult<Bound<'py, PyAny>> {
        let engine = self.engine()?;
        let submitted = py.detach(|| engine.submit(&text));
        let future = submitted.map_err(|error| errors::to_pyerr(py, &error, &text, ORIGIN))?;
        if let Err(interrupted) = task::wait_interruptibly(py, &future, None) {
            future.cancel();
            return Err(interrupted);
        }
        match future.wait() {
            Ok(value) => values::to_python(py, &value),
            Err(error) => Err(errors::to_pyerr(py, &error, &text, ORIGIN)),
        }
    }

    /// Evaluates `texts` as one DAG; `(cancelled, value, exception)` per
    /// text, in input order. `TimeoutError` when `timeout` seconds pass
    /// first; Ctrl-C raises `KeyboardInterrupt` (the evaluation finishes
    /// on its own).
    #[pyo3(signature = (texts, timeout=None))]
    fn map(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        timeout: Option<f64>,
    ) -> PyResult<Vec<PyOutcome>> {
        let engine = self.engine()?;
        let deadline = task::seconds(timeout)?.and_then(|t| Instant::now().checked_add(t));
        let texts: Arc<[String]> = texts.into();
        let (sender, receiver) = crossbeam_channel::bounded(1);
        let mapped = Arc::clone(&texts);
        std::thread::Builder::new()
            .name("exprflow-map".into())
            .spawn(move || {
                let _ = sender.send(engine.map(mapped.iter()));
            })
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start a thread: {e}")))?;
        let outcomes = loop {
            let slice = match deadline {
                Some(d) => d.saturating_duration_since(Instant::now()).min(task::SLICE),
                None => task::SLICE,
            };
            match py.detach(|| receiver.recv_timeout(slice)) {
                Ok(outcomes) => break outcomes,
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                    return Err(PyRuntimeError::new_err(
                        "the evaluation ended without outcomes",
                    ));
                }
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            }
            py.check_signals()?;
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(PyTimeoutError::new_err("map timed out"));
            }
        };
        // Each error's span indexes its own item's text.
        texts
            .iter()
            .zip(&outcomes)
            .map(|(text, outcome)| {
                let source = Source {
                    text: text.as_str().into(),
                    origin: ORIGIN,
                };
                task::outcome_of(py, outcome, &source)
            })
            .collect()
    }

    /// A session on this engine.
    fn session(&self) -> PyResult<PySession> {
        Ok(PySession::new(
            self.engine()?,
            self.closed.clone(),
            self.max_bits,
        ))
    }

    /// Compiles `text` once into a formula of its free names.
    fn compile(&self, py: Python<'_>, text: String) -> PyResult<PyFormula> {
        let engine = self.engine()?;
        match py.detach(|| engine.compile(&text)) {
            Ok(formula) => Ok(PyFormula::new(formula, self.closed.clone(), self.max_bits)),
            Err(error) => Err(errors::to_pyerr(py, &error, &text, ORIGIN)),
        }
    }

    /// A model (cells like a spreadsheet) on this engine.
    fn model(&self) -> PyResult<PyModel> {
        Ok(PyModel::new(
            self.engine()?.model(),
            self.closed.clone(),
            self.max_bits,
        ))
    }

    /// Refuses new work from now on and lets the pool go once nothing
    /// else holds it.
    fn shutdown(&self) {
        self.closed.close();
        let mut engine = self.engine.write().unwrap_or_else(|p| p.into_inner());
        engine.take();
    }

    fn __repr__(&self) -> String {
        let state = if self.engine.read().map(|e| e.is_some()).unwrap_or(false) {
            "running"
        } else {
            "shut down"
        };
        format!("<exprflow._Engine workers={} {state}>", self.workers)
    }
}
