//! Python callables as host functions. A plain callable runs on the pool
//! worker that reaches the call, holding the GIL only while Python runs;
//! an `async def` is scheduled on the engine's event-loop thread
//! (`asyncio.run_coroutine_threadsafe`) and holds no worker while it
//! awaits. A raised exception is the call's `domain error` (and the
//! `DomainError`'s `__cause__`, see [`errors::remember_cause`]); a result
//! that is not a number is a `domain error` naming its type.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use exprflow::{Arity, EngineBuilder, Value};
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyTuple};

use crate::errors;
use crate::values;

/// One host function as `exprflow.Engine` hands it over.
pub struct HostSpec {
    pub name: String,
    pub callable: Py<PyAny>,
    pub arity: Arity,
    pub volatile: bool,
    /// The engine's event loop, for an `async def`.
    pub event_loop: Option<Py<PyAny>>,
}

/// Registers `spec` with `builder`.
pub fn register(builder: EngineBuilder, spec: HostSpec, max_bits: u64) -> EngineBuilder {
    let HostSpec {
        name,
        callable,
        arity,
        volatile,
        event_loop,
    } = spec;
    let label: Arc<str> = name.as_str().into();
    match event_loop {
        None => {
            let body = move |args: &[Value]| call_sync(&label, &callable, args, max_bits);
            if volatile {
                builder.volatile_function(&name, arity, body)
            } else {
                builder.function(&name, arity, body)
            }
        }
        Some(event_loop) => {
            let shared = Arc::new((callable, event_loop));
            let body = move |args: Vec<Value>| {
                start_async(Arc::clone(&label), Arc::clone(&shared), args, max_bits)
            };
            if volatile {
                builder.volatile_async_function(&name, arity, body)
            } else {
                builder.async_function(&name, arity, body)
            }
        }
    }
}

const SHUTTING_DOWN: &str = "Python is shutting down";

fn arguments<'py>(py: Python<'py>, args: &[Value]) -> PyResult<Bound<'py, PyTuple>> {
    let objects = args
        .iter()
        .map(|value| values::to_python(py, value))
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, objects)
}

fn call_sync(
    name: &str,
    callable: &Py<PyAny>,
    args: &[Value],
    max_bits: u64,
) -> Result<Value, String> {
    Python::try_attach(|py| {
        let result = arguments(py, args).and_then(|args| callable.bind(py).call1(args));
        match result {
            Ok(result) => result_value(name, &result, max_bits),
            Err(raised) => Err(failure(py, name, raised)),
        }
    })
    .unwrap_or_else(|| Err(SHUTTING_DOWN.to_string()))
}

/// The detail of the `domain error` that `raised` becomes, remembered with
/// the exception so that it becomes the `__cause__`.
fn failure(py: Python<'_>, name: &str, raised: PyErr) -> String {
    let kind = raised
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an exception".to_string());
    let text = raised
        .value(py)
        .str()
        .map(|s| s.to_string())
        .unwrap_or_default();
    let detail = if text.is_empty() {
        format!("{name} raised {kind}")
    } else {
        format!("{name} raised {kind}: {text}")
    };
    errors::remember_cause(&detail, raised.into_value(py).into_any());
    detail
}

fn result_value(name: &str, result: &Bound<'_, PyAny>, max_bits: u64) -> Result<Value, String> {
    values::from_python(result, max_bits).map_err(|_| {
        format!(
            "{name} returned {}, not a number",
            values::type_name(result)
        )
    })
}

/// The outcome of an `async def` call, filled by the done callback on the
/// event loop's thread.
#[derive(Default)]
struct Slot {
    outcome: Option<Result<Value, String>>,
    waker: Option<Waker>,
}

/// A pending `async def` call: the `concurrent.futures.Future` of the
/// coroutine on the engine's loop, cancelled when this is dropped early.
struct Pending {
    slot: Arc<Mutex<Slot>>,
    handle: Option<Py<PyAny>>,
}

impl Future for Pending {
    type Output = Result<Value, String>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        match slot.outcome.take() {
            Some(outcome) => Poll::Ready(outcome),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let finished = self
            .slot
            .lock()
            .map(|s| s.outcome.is_some())
            .unwrap_or(true);
        if let Some(handle) = self.handle.take()
            && !finished
        {
            Python::try_attach(|py| {
                let _ = handle.bind(py).call_method0("cancel");
            });
        }
    }
}

fn fill(slot: &Mutex<Slot>, outcome: Result<Value, String>) {
    let waker = {
        let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
        slot.outcome = Some(outcome);
        slot.waker.take()
    };
    if let Some(waker) = waker {
        waker.wake();
    }
}

fn start_async(
    name: Arc<str>,
    shared: Arc<(Py<PyAny>, Py<PyAny>)>,
    args: Vec<Value>,
    max_bits: u64,
) -> Pending {
    let slot = Arc::new(Mutex::new(Slot::default()));
    let started = Python::try_attach(|py| -> PyResult<Py<PyAny>> {
        let (callable, event_loop) = &*shared;
        let coroutine = callable.bind(py).call1(arguments(py, &args)?)?;
        let asyncio = py.import("asyncio")?;
        let handle =
            asyncio.call_method1("run_coroutine_threadsafe", (coroutine, event_loop.bind(py)))?;
        let filled = Arc::clone(&slot);
        let label = Arc::clone(&name);
        let on_done = PyCFunction::new_closure(
            py,
            None,
            None,
            move |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<()> {
                let py = args.py();
                let done = args.get_item(0)?;
                let outcome = if done.call_method0("cancelled")?.is_truthy()? {
                    Err(format!("{label} was cancelled"))
                } else {
                    match done.call_method0("result") {
                        Ok(result) => result_value(&label, &result, max_bits),
                        Err(raised) => Err(failure(py, &label, raised)),
                    }
                };
                fill(&filled, outcome);
                Ok(())
            },
        )?;
        handle.call_method1("add_done_callback", (on_done,))?;
        Ok(handle.unbind())
    });
    let handle = match started {
        Some(Ok(handle)) => Some(handle),
        Some(Err(raised)) => {
            let detail = Python::try_attach(|py| failure(py, &name, raised))
                .unwrap_or_else(|| SHUTTING_DOWN.to_string());
            fill(&slot, Err(detail));
            None
        }
        None => {
            fill(&slot, Err(SHUTTING_DOWN.to_string()));
            None
        }
    };
    Pending { slot, handle }
}
