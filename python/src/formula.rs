//! `exprflow.Formula`: compiled once, evaluated on keyword inputs
//! (`fm(a=1, x=4, b=2, c=3)`) or on columns (`fm.eval_many(x=array, ...)`).

use exprflow::{Formula, Value};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::closed::Closed;
use crate::columns::{self, Column, OnError};
use crate::errors;
use crate::values;

/// What a formula's text is called in reports.
const ORIGIN: &str = "<formula>";

/// Rows evaluated per `Formula::eval_many` call: bounds the memory the
/// rows of values take.
const CHUNK: usize = 1 << 16;

/// A compiled formula.
#[pyclass(name = "Formula", module = "exprflow", frozen)]
pub struct PyFormula {
    formula: Formula,
    closed: Closed,
    max_bits: u64,
}

impl PyFormula {
    pub fn new(formula: Formula, closed: Closed, max_bits: u64) -> PyFormula {
        PyFormula {
            formula,
            closed,
            max_bits,
        }
    }

    fn error(&self, py: Python<'_>, error: &exprflow::Error) -> PyErr {
        errors::to_pyerr(py, error, self.formula.text(), ORIGIN)
    }

    /// The names given, checked against the inputs the way `Formula::eval`
    /// checks them (a missing or unknown name is `UnknownName`).
    fn check_names(&self, py: Python<'_>, names: &[String]) -> PyResult<()> {
        let probe: Vec<(&str, Value)> =
            names.iter().map(|n| (n.as_str(), Value::from(0))).collect();
        let inputs = self.formula.inputs();
        let complete = names.len() == inputs.len() && names.iter().all(|n| inputs.contains(n));
        if complete {
            return Ok(());
        }
        match py.detach(|| self.formula.eval(&probe)) {
            Err(error) => Err(self.error(py, &error)),
            Ok(_) => Ok(()),
        }
    }
}

#[pymethods]
impl PyFormula {
    /// The formula's inputs: its free names, in order of first appearance.
    #[getter]
    fn inputs(&self) -> Vec<String> {
        self.formula.inputs().to_vec()
    }

    /// The text it was compiled from.
    #[getter]
    fn text(&self) -> &str {
        self.formula.text()
    }

    /// The formula's value for one set of inputs, each given by keyword.
    #[pyo3(signature = (**inputs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        inputs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.closed.check()?;
        let mut given: Vec<(String, Value)> = Vec::new();
        if let Some(inputs) = inputs {
            for (name, value) in inputs.iter() {
                given.push((name.extract()?, values::from_python(&value, self.max_bits)?));
            }
        }
        match py.detach(|| self.formula.eval(&given)) {
            Ok(value) => values::to_python(py, &value),
            Err(error) => Err(self.error(py, &error)),
        }
    }

    /// The formula on many rows, in parallel on the pool: one keyword per
    /// input, each a scalar (the same on every row), a sequence or a numpy
    /// array (all of one length). See the package documentation for the
    /// result's type and `errors`.
    #[pyo3(signature = (*, errors="raise", **inputs))]
    fn eval_many<'py>(
        &self,
        py: Python<'py>,
        errors: &str,
        inputs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.closed.check()?;
        let on_error = OnError::parse(errors)?;
        let mut names = Vec::new();
        let mut given = Vec::new();
        if let Some(inputs) = inputs {
            for (name, value) in inputs.iter() {
                names.push(name.extract::<String>()?);
                given.push(value);
            }
        }
        self.check_names(py, &names)?;
        let mut columns = Vec::with_capacity(names.len());
        for input in self.formula.inputs() {
            let at = names.iter().position(|n| n == input).unwrap_or_default();
            columns.push(Column::read(&given[at], self.max_bits)?);
        }
        let mut length = None;
        for (input, column) in self.formula.inputs().iter().zip(&columns) {
            match (length, column.len()) {
                (_, None) => {}
                (None, Some(n)) => length = Some(n),
                (Some(m), Some(n)) if m != n => {
                    return Err(PyValueError::new_err(format!(
                        "inputs of different lengths: {m} rows, and {n} for `{input}`"
                    )));
                }
                _ => {}
            }
        }
        let length = length.unwrap_or(1);
        let mut results = Vec::with_capacity(length);
        let mut start = 0;
        while start < length {
            let end = (start + CHUNK).min(length);
            let mut failed: Vec<Option<exprflow::Error>> = vec![None; end - start];
            let rows: Vec<Vec<Value>> = (start..end)
                .map(|row| {
                    self.formula
                        .inputs()
                        .iter()
                        .zip(&columns)
                        .map(|(name, column)| match column {
                            Column::Scalar(value) => value.clone(),
                            Column::Rows(rows) => match &rows[row] {
                                Ok(value) => value.clone(),
                                Err(detail) => {
                                    failed[row - start] = Some(columns::bad_input(name, detail));
                                    Value::from(0)
                                }
                            },
                        })
                        .collect()
                })
                .collect();
            let chunk = py.detach(|| self.formula.eval_many(&rows));
            for (outcome, bad) in chunk.into_iter().zip(failed) {
                results.push(match bad {
                    Some(error) => Err(error),
                    None => outcome,
                });
            }
            start = end;
        }
        if on_error == OnError::Raise
            && let Some((row, error)) = results
                .iter()
                .enumerate()
                .find_map(|(row, r)| r.as_ref().err().map(|e| (row, e)))
        {
            let exception = errors::exception(py, error, self.formula.text(), ORIGIN)?;
            exception.setattr("row", row)?;
            return Err(PyErr::from_value(exception));
        }
        columns::output(py, &results, on_error)
    }

    fn __repr__(&self) -> String {
        let inputs: Vec<String> = self
            .formula
            .inputs()
            .iter()
            .map(|n| format!("'{n}'"))
            .collect();
        format!(
            "<exprflow.Formula {:?} inputs=[{}]>",
            self.formula.text(),
            inputs.join(", ")
        )
    }
}
