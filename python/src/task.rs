//! `_Task`: the Rust side of an `exprflow.Future`, and the completion pump
//! that settles Python futures when their evaluation ends.
//!
//! The pump is one channel per process: a finished evaluation sends its
//! Python future (from whatever thread resolved it, without the GIL), and
//! a Python daemon thread (`exprflow._pump`) receives them and completes
//! them under the GIL. So a pool worker never waits for the GIL to finish
//! a future, and `add_done_callback`, `as_completed` and `wait` see the
//! stdlib's own state changes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use exprflow::{ErrorKind, ExprFuture, Value};
use pyo3::prelude::*;

use crate::errors;
use crate::report::PyReport;
use crate::values;

/// How long a blocking wait sleeps between checks for signals (Ctrl-C).
pub const SLICE: Duration = Duration::from_millis(50);

type Pump = (Sender<Option<Py<PyAny>>>, Receiver<Option<Py<PyAny>>>);

fn pump() -> &'static Pump {
    static PUMP: OnceLock<Pump> = OnceLock::new();
    PUMP.get_or_init(crossbeam_channel::unbounded)
}

/// The futures finished since the last call, waiting (without the GIL)
/// until there is one; `None` once [`stop_pump`] was called.
#[pyfunction]
pub fn _next_completions(py: Python<'_>) -> Option<Vec<Py<PyAny>>> {
    let receiver = &pump().1;
    let first = py.detach(|| receiver.recv().ok().flatten())?;
    let mut batch = vec![first];
    while let Ok(Some(next)) = receiver.try_recv() {
        batch.push(next);
    }
    Some(batch)
}

/// Ends the pump thread's loop (at interpreter exit).
#[pyfunction]
pub fn _stop_pump() {
    let _ = pump().0.send(None);
}

/// Where an error's text came from: the text its span indexes and the
/// name the report gives it.
#[derive(Clone, Debug)]
pub struct Source {
    pub text: Arc<str>,
    pub origin: &'static str,
}

/// One submitted evaluation.
#[pyclass(name = "_Task", module = "exprflow._exprflow", frozen)]
pub struct Task {
    pub future: ExprFuture,
    pub source: Source,
    /// Whether the Python future must be completed by the pump when the
    /// evaluation ends: someone waits on it through the stdlib (a done
    /// callback, `as_completed`, `wait`). Until then nothing does.
    pub wanted: Arc<AtomicBool>,
}

impl Task {
    pub fn new(future: ExprFuture, source: Source) -> Task {
        Task {
            future,
            source,
            wanted: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// Waits for `future` in slices, without the GIL, checking for signals in
/// between (a `KeyboardInterrupt` comes back as the error). Whether it is
/// done.
pub fn wait_interruptibly(
    py: Python<'_>,
    future: &ExprFuture,
    timeout: Option<Duration>,
) -> PyResult<bool> {
    let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
    loop {
        let slice = match deadline {
            Some(deadline) => deadline
                .saturating_duration_since(Instant::now())
                .min(SLICE),
            None => SLICE,
        };
        if py.detach(|| future.wait_timeout(slice).is_ok() || future.is_done()) {
            return Ok(true);
        }
        py.check_signals()?;
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            return Ok(future.is_done());
        }
    }
}

/// A timeout in seconds from Python as a `Duration`; `None` waits forever.
pub fn seconds(timeout: Option<f64>) -> PyResult<Option<Duration>> {
    match timeout {
        None => Ok(None),
        Some(t) if t.is_nan() => Err(pyo3::exceptions::PyValueError::new_err("timeout is NaN")),
        Some(t) => Ok(Some(
            Duration::try_from_secs_f64(t.max(0.0)).unwrap_or(Duration::MAX),
        )),
    }
}

/// A finished evaluation as Python sees it: `(cancelled, value,
/// exception)`, `None` for the two that do not apply.
pub type PyOutcome = (bool, Py<PyAny>, Py<PyAny>);

/// The Python outcome of a finished evaluation.
pub fn outcome_of(
    py: Python<'_>,
    outcome: &Result<Value, exprflow::Error>,
    source: &Source,
) -> PyResult<PyOutcome> {
    Ok(match outcome {
        Ok(value) => (false, values::to_python(py, value)?.unbind(), py.None()),
        Err(error) if error.kind == ErrorKind::Cancelled => (true, py.None(), py.None()),
        Err(error) => (
            false,
            py.None(),
            errors::exception(py, error, &source.text, source.origin)?.unbind(),
        ),
    })
}

#[pymethods]
impl Task {
    /// Whether the evaluation has finished.
    fn done(&self) -> bool {
        self.future.is_done()
    }

    /// Waits at most `timeout` seconds (forever when `None`), releasing
    /// the GIL; whether it finished. Ctrl-C raises `KeyboardInterrupt`.
    #[pyo3(signature = (timeout=None))]
    fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        wait_interruptibly(py, &self.future, seconds(timeout)?)
    }

    /// Waits like [`wait`](Self::wait), then gives the outcome like
    /// [`outcome`](Self::outcome): `None` when `timeout` passed first.
    #[pyo3(signature = (timeout=None))]
    fn wait_outcome(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<PyOutcome>> {
        if !wait_interruptibly(py, &self.future, seconds(timeout)?)? {
            return Ok(None);
        }
        self.outcome(py)
    }

    /// Cancels the evaluation (also while it runs); whether this call did.
    fn cancel(&self, py: Python<'_>) -> bool {
        py.detach(|| self.future.cancel())
    }

    /// `(cancelled, value, exception)` once finished, else `None`.
    fn outcome(&self, py: Python<'_>) -> PyResult<Option<PyOutcome>> {
        match self.future.try_get() {
            Some(outcome) => outcome_of(py, outcome, &self.source).map(Some),
            None => Ok(None),
        }
    }

    /// The run's report once finished, when submitted with `record=True`.
    fn report(&self) -> Option<PyReport> {
        self.future.report().map(|report| PyReport { report })
    }

    /// Holds `future` (the Python one) until the evaluation finishes, so
    /// that a submitted evaluation runs to its end whoever keeps its
    /// future; then sends it to the pump if [`want`](Self::want) was
    /// called by then.
    fn hold(&self, future: Py<PyAny>) {
        let sender = pump().0.clone();
        let wanted = Arc::clone(&self.wanted);
        self.future.on_complete(move |_| {
            if wanted.load(Ordering::SeqCst) {
                let _ = sender.send(Some(future));
            }
        });
    }

    /// From now on the pump completes the Python future when the
    /// evaluation ends. Whether it has ended already (then the caller
    /// completes it: the pump may not have been told).
    fn want(&self) -> bool {
        self.wanted.store(true, Ordering::SeqCst);
        self.future.is_done()
    }

    fn __repr__(&self) -> String {
        let state = if self.future.is_done() {
            "done"
        } else {
            "running"
        };
        format!("<exprflow._Task {state}>")
    }
}
