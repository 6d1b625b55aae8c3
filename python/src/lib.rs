//! `exprflow._exprflow`: the Rust half of the `exprflow` Python package
//! (the Python half is `python/exprflow/__init__.py`). A client of the
//! exprflow crate's public API only.

mod calls;
mod closed;
mod columns;
mod engine;
mod errors;
mod formula;
mod host;
mod model;
mod report;
mod session;
mod task;
mod values;

use pyo3::prelude::*;

#[pymodule]
fn _exprflow(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<engine::PyEngine>()?;
    module.add_class::<task::Task>()?;
    module.add_class::<session::PySession>()?;
    module.add_class::<formula::PyFormula>()?;
    module.add_class::<model::PyModel>()?;
    module.add_class::<report::PyReport>()?;
    module.add_function(wrap_pyfunction!(task::_next_completions, module)?)?;
    module.add_function(wrap_pyfunction!(task::_stop_pump, module)?)?;
    module.add_function(wrap_pyfunction!(closed::_after_fork_in_child, module)?)?;
    module.add_function(wrap_pyfunction!(calls::_call_sites, module)?)?;
    Ok(())
}
