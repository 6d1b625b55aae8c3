//! `eval_many`'s inputs and output: each input a scalar, a sequence or a
//! numpy array (float64 and int64 read in place through the numpy crate,
//! other dtypes through `tolist()`), and the output a numpy array
//! (`float64`, `int64` or `object`) or, without numpy, a list.

use exprflow::{Error, ErrorKind, Span, Value};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyString};

use crate::values;

static NUMPY: PyOnceLock<Option<Py<PyModule>>> = PyOnceLock::new();

/// The numpy module, if it can be imported.
pub fn numpy(py: Python<'_>) -> Option<&Bound<'_, PyModule>> {
    NUMPY
        .get_or_init(py, || py.import("numpy").ok().map(Bound::unbind))
        .as_ref()
        .map(|module| module.bind(py))
}

/// One input of `eval_many`: the same value on every row, or one value
/// per row (a row whose input is not a number the tower holds, a NaN say,
/// fails with the error kept here).
pub enum Column {
    Scalar(Value),
    Rows(Vec<Result<Value, String>>),
}

impl Column {
    /// How many rows, for a column of rows.
    pub fn len(&self) -> Option<usize> {
        match self {
            Column::Scalar(_) => None,
            Column::Rows(rows) => Some(rows.len()),
        }
    }

    /// Reads `object` (a scalar, a sequence or a numpy array).
    pub fn read(object: &Bound<'_, PyAny>, max_bits: u64) -> PyResult<Column> {
        let py = object.py();
        if object.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "expected a number, a sequence or an array, got str",
            ));
        }
        if let Some(numpy) = numpy(py)
            && object.is_instance(&numpy.getattr("ndarray")?)?
        {
            return read_array(object, max_bits);
        }
        if let Ok(value) = values::from_python(object, max_bits) {
            return Ok(Column::Scalar(value));
        }
        let Ok(items) = object.try_iter() else {
            return Err(PyTypeError::new_err(format!(
                "expected a number, a sequence or an array, got {}",
                values::type_name(object)
            )));
        };
        let mut rows = Vec::new();
        for item in items {
            rows.push(Ok(values::from_python(&item?, max_bits)?));
        }
        Ok(Column::Rows(rows))
    }
}

fn float_row(x: f64) -> Result<Value, String> {
    Value::try_from(x).map_err(|_| format!("{x} is not a number exprflow can hold"))
}

fn read_array(object: &Bound<'_, PyAny>, max_bits: u64) -> PyResult<Column> {
    if object.getattr("ndim")?.extract::<usize>()? == 0 {
        return Ok(Column::Scalar(values::from_python(
            &object.call_method0("item")?,
            max_bits,
        )?));
    }
    if let Ok(floats) = object.cast::<PyArray1<f64>>() {
        let floats = floats.readonly();
        let rows = match floats.as_slice() {
            Ok(slice) => slice.iter().map(|&x| float_row(x)).collect(),
            Err(_) => floats.as_array().iter().map(|&x| float_row(x)).collect(),
        };
        return Ok(Column::Rows(rows));
    }
    if let Ok(ints) = object.cast::<PyArray1<i64>>() {
        let ints = ints.readonly();
        let rows = match ints.as_slice() {
            Ok(slice) => slice.iter().map(|&n| Ok(Value::from(n))).collect(),
            Err(_) => ints
                .as_array()
                .iter()
                .map(|&n| Ok(Value::from(n)))
                .collect(),
        };
        return Ok(Column::Rows(rows));
    }
    let ndim: usize = object.getattr("ndim")?.extract()?;
    if ndim != 1 {
        return Err(PyValueError::new_err(format!(
            "an input array must have one dimension, got {ndim}"
        )));
    }
    let mut rows = Vec::new();
    for item in object.call_method0("tolist")?.try_iter()? {
        let item = item?;
        rows.push(match item.extract::<f64>() {
            Ok(x) if item.is_instance_of::<pyo3::types::PyFloat>() => float_row(x),
            _ => Ok(values::from_python(&item, max_bits)?),
        });
    }
    Ok(Column::Rows(rows))
}

/// What `errors=` asks for a row that fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    /// Raise the first failing row's error, with its `row`.
    Raise,
    /// A NaN in a float64 result.
    Nan,
}

impl OnError {
    pub fn parse(text: &str) -> PyResult<OnError> {
        match text {
            "raise" => Ok(OnError::Raise),
            "nan" => Ok(OnError::Nan),
            other => Err(PyValueError::new_err(format!(
                "errors must be \"raise\" or \"nan\", got {other:?}"
            ))),
        }
    }
}

/// The output of `eval_many`: a numpy array when numpy is there (float64
/// if every row is a float, int64 if every row is an integer that fits,
/// else object), otherwise a list. With [`OnError::Nan`], float64 with NaN
/// for failed rows and exact values rounded to floats.
pub fn output<'py>(
    py: Python<'py>,
    results: &[Result<Value, Error>],
    on_error: OnError,
) -> PyResult<Bound<'py, PyAny>> {
    if on_error == OnError::Nan {
        let floats: Vec<f64> = results
            .iter()
            .map(|r| {
                r.as_ref()
                    .ok()
                    .and_then(|v| v.to_f64().ok())
                    .unwrap_or(f64::NAN)
            })
            .collect();
        return match numpy(py) {
            Some(_) => Ok(PyArray1::from_vec(py, floats).into_any()),
            None => Ok(PyList::new(py, floats)?.into_any()),
        };
    }
    let values: Vec<&Value> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    if let Some(numpy) = numpy(py) {
        if values.iter().all(|v| matches!(v, Value::Float(_))) {
            let floats: Vec<f64> = values
                .iter()
                .map(|v| match v {
                    Value::Float(x) => *x,
                    _ => f64::NAN,
                })
                .collect();
            return Ok(PyArray1::from_vec(py, floats).into_any());
        }
        let ints: Option<Vec<i64>> = values
            .iter()
            .map(|v| match v {
                Value::Int(n) => n.to_i64(),
                _ => None,
            })
            .collect();
        if let Some(ints) = ints {
            return Ok(PyArray1::from_vec(py, ints).into_any());
        }
        let objects = PyList::new(
            py,
            values
                .iter()
                .map(|v| values::to_python(py, v))
                .collect::<PyResult<Vec<_>>>()?,
        )?;
        return numpy.call_method1("array", (objects, "object"));
    }
    let objects: Vec<Bound<'py, PyAny>> = values
        .iter()
        .map(|v| values::to_python(py, v))
        .collect::<PyResult<_>>()?;
    Ok(PyList::new(py, objects)?.into_any())
}

/// The error of a row whose input is not a number the tower holds.
pub fn bad_input(name: &str, detail: &str) -> Error {
    Error::with_detail(
        ErrorKind::Domain,
        Span::default(),
        format!("input `{name}`: {detail}"),
    )
}
