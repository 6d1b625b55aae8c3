//! Errors to exceptions: an [`Error`] becomes an instance of the classes in
//! `exprflow/_errors.py` (each also the built-in Python would raise), with
//! its kind, message, 1-based line and column, its span as `str` indices
//! into the text and the caret report. A host function's exception is kept
//! here for a while, so that the `DomainError` it became carries it as
//! `__cause__`.

use std::collections::VecDeque;
use std::sync::Mutex;

use exprflow::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static FACTORY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// How many host exceptions are kept for `__cause__`.
const KEPT_CAUSES: usize = 256;

/// The latest exceptions raised by host functions, keyed by the detail of
/// the `domain error` each became. The library carries a host function's
/// failure as text; this is how the exception object travels beside it.
static CAUSES: Mutex<VecDeque<(Box<str>, Py<PyAny>)>> = Mutex::new(VecDeque::new());

/// Remembers `exception` as the cause of a `domain error: detail`.
pub fn remember_cause(detail: &str, exception: Py<PyAny>) {
    let mut causes = CAUSES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if causes.len() == KEPT_CAUSES {
        causes.pop_front();
    }
    causes.push_back((detail.into(), exception));
}

fn cause_of(py: Python<'_>, error: &Error) -> Option<Py<PyAny>> {
    if error.kind != ErrorKind::Domain {
        return None;
    }
    let detail = error.detail.as_deref()?;
    let causes = CAUSES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    causes
        .iter()
        .rev()
        .find(|(kept, _)| &**kept == detail)
        .map(|(_, exception)| exception.clone_ref(py))
}

/// The name of an error kind as Python sees it (`"DivisionByZero"`).
pub fn kind_name(kind: ErrorKind) -> String {
    format!("{kind:?}")
}

/// The character offset of byte `offset` in `text` (clamped).
fn char_offset(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    text[..offset].chars().count()
}

/// The exception for `error`, whose span indexes `text` (named `origin` in
/// the report).
pub fn to_pyerr(py: Python<'_>, error: &Error, text: &str, origin: &str) -> PyErr {
    match exception(py, error, text, origin) {
        Ok(exception) => PyErr::from_value(exception),
        Err(failed) => failed,
    }
}

/// The exception object for `error`, not raised.
pub fn exception<'py>(
    py: Python<'py>,
    error: &Error,
    text: &str,
    origin: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let factory = FACTORY.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .import("exprflow._errors")?
            .getattr("_from_rust")?
            .unbind())
    })?;
    let (line, column) = error.position(text);
    let start = char_offset(text, error.span.start);
    let end = char_offset(text, error.span.end).max(start);
    let arguments = (
        kind_name(error.kind),
        error.to_string(),
        line,
        column,
        (start, end),
        error.report(text, origin),
        cause_of(py, error),
    );
    factory.bind(py).call1(arguments)
}
