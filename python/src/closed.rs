//! Whether an engine may still take work: not after `shutdown()`, and not
//! in a child process forked after it was made (its pool's threads are
//! not there: the work would wait forever). Shared by the engine with its
//! sessions, formulas and models.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// How many times this process is a forked child of a Python process
/// that had loaded exprflow (`os.register_at_fork` in `__init__.py`).
static FORKS: AtomicU64 = AtomicU64::new(0);

/// Counts a fork, in the child (called by `os.register_at_fork`).
#[pyfunction]
pub fn _after_fork_in_child() {
    FORKS.fetch_add(1, Ordering::SeqCst);
}

/// An engine's state as its sessions, formulas and models see it.
#[derive(Clone, Debug)]
pub struct Closed {
    shut_down: Arc<AtomicBool>,
    /// [`FORKS`] when the engine was made.
    forks: u64,
}

impl Default for Closed {
    fn default() -> Self {
        Closed {
            shut_down: Arc::new(AtomicBool::new(false)),
            forks: FORKS.load(Ordering::SeqCst),
        }
    }
}

impl Closed {
    /// `RuntimeError` once shut down (as `Executor.submit` raises), or in
    /// a process forked after the engine was made.
    pub fn check(&self) -> PyResult<()> {
        if self.shut_down.load(Ordering::Acquire) {
            return Err(PyRuntimeError::new_err(
                "cannot schedule new work after shutdown",
            ));
        }
        if FORKS.load(Ordering::SeqCst) != self.forks {
            return Err(PyRuntimeError::new_err(
                "this exprflow engine was made before the process forked: its worker \
                 threads are not in this process; make an Engine in the child",
            ));
        }
        Ok(())
    }

    /// Refuses work from now on.
    pub fn close(&self) {
        self.shut_down.store(true, Ordering::Release);
    }
}
