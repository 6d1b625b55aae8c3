//! Values both ways: Python `int`, `fractions.Fraction` and `float` to and
//! from the tower's [`Value`]. `bool` and the other `numbers.Integral`,
//! `numbers.Rational` and `numbers.Real` types (numpy's scalars) are
//! accepted as input; anything else is a `TypeError` naming its type.

use dashu::integer::IBig;
use dashu::rational::RBig;
use exprflow::{Int, Value};
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyType};

static FRACTION: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INTEGRAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static RATIONAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static REAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `fractions.Fraction`.
pub fn fraction_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    FRACTION.import(py, "fractions", "Fraction")
}

/// The Python object for `value`: an `int`, a `Fraction` or a `float`.
pub fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::Int(n) => int_to_python(py, n),
        Value::Rat(q) => {
            let numerator = ibig_to_python(py, q.numerator())?;
            let denominator = ibig_to_python(py, &IBig::from(q.denominator().clone()))?;
            fraction_type(py)?.call1((numerator, denominator))
        }
        Value::Float(x) => Ok(PyFloat::new(py, *x).into_any()),
    }
}

fn int_to_python<'py>(py: Python<'py>, n: &Int) -> PyResult<Bound<'py, PyAny>> {
    match n.to_i64() {
        Some(small) => Ok(small.into_pyobject(py)?.into_any()),
        None => ibig_to_python(py, &n.to_ibig()),
    }
}

/// A big integer through its two's complement bytes (`int.from_bytes`):
/// linear time, where a decimal string would be quadratic and refused by
/// Python's limit on integer string conversion.
fn ibig_to_python<'py>(py: Python<'py>, n: &IBig) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(small) = i64::try_from(n) {
        return Ok(small.into_pyobject(py)?.into_any());
    }
    let bytes = PyBytes::new(py, &n.to_le_bytes());
    py.get_type::<PyInt>()
        .call_method("from_bytes", (bytes, "little"), Some(&signed(py)?))
}

/// The keywords `signed=True`.
fn signed(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let keywords = PyDict::new(py);
    keywords.set_item("signed", true)?;
    Ok(keywords)
}

/// The tower value of a Python number; `max_bits` bounds an exact value's
/// numerator and denominator (the engine's bit limit).
pub fn from_python(object: &Bound<'_, PyAny>, max_bits: u64) -> PyResult<Value> {
    let py = object.py();
    if object.is_instance_of::<PyBool>() {
        return Ok(Value::from(i64::from(object.is_truthy()?)));
    }
    if object.is_instance_of::<PyInt>() {
        return int_from_python(object, max_bits).map(Value::from_ibig);
    }
    if object.is_instance_of::<PyFloat>() {
        return float_value(object.extract::<f64>()?);
    }
    if object.is_instance(fraction_type(py)?)?
        || object.is_instance(RATIONAL.import(py, "numbers", "Rational")?)?
    {
        if object.is_instance(INTEGRAL.import(py, "numbers", "Integral")?)? {
            let index = object.call_method0("__index__")?;
            return int_from_python(&index, max_bits).map(Value::from_ibig);
        }
        let numerator = int_from_python(
            &object.getattr("numerator")?.call_method0("__index__")?,
            max_bits,
        )?;
        let denominator = int_from_python(
            &object.getattr("denominator")?.call_method0("__index__")?,
            max_bits,
        )?;
        if denominator == IBig::ZERO {
            return Err(PyValueError::new_err("a Fraction with denominator 0"));
        }
        return Ok(Value::from_rbig(RBig::from_parts_signed(
            numerator,
            denominator,
        )));
    }
    if let Some(numpy) = crate::columns::numpy(py)
        && object.is_instance(&numpy.getattr("bool_")?)?
    {
        return Ok(Value::from(i64::from(object.is_truthy()?)));
    }
    if object.is_instance(REAL.import(py, "numbers", "Real")?)? {
        return float_value(object.call_method0("__float__")?.extract::<f64>()?);
    }
    Err(PyTypeError::new_err(format!(
        "expected an int, Fraction or float, got {}",
        type_name(object)
    )))
}

/// The name of an object's type, for messages: `str`, or
/// `numpy.str_` for a type outside the builtins.
pub fn type_name(object: &Bound<'_, PyAny>) -> String {
    let kind = object.get_type();
    let name = kind
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "an unknown type".to_string());
    match kind.module().map(|module| module.to_string()) {
        Ok(module) if module != "builtins" => format!("{module}.{name}"),
        _ => name,
    }
}

fn float_value(x: f64) -> PyResult<Value> {
    Value::try_from(x).map_err(|_| {
        PyValueError::new_err(format!(
            "{x} is not a number exprflow can hold (NaN or infinite)"
        ))
    })
}

fn int_from_python(object: &Bound<'_, PyAny>, max_bits: u64) -> PyResult<IBig> {
    if let Ok(small) = object.extract::<i64>() {
        return Ok(IBig::from(small));
    }
    let bits: u64 = object.call_method0("bit_length")?.extract()?;
    if bits > max_bits {
        return Err(PyOverflowError::new_err(format!(
            "result too large: an integer of {bits} bits is over the limit of {max_bits} bits"
        )));
    }
    let length = bits / 8 + 1;
    let bytes = object.call_method("to_bytes", (length, "little"), Some(&signed(object.py())?))?;
    Ok(IBig::from_le_bytes(bytes.cast::<PyBytes>()?.as_bytes()))
}
