//! The output of [`Formula::eval_columns`](crate::Formula::eval_columns): the column of values, the
//! failed rows, and how the kind of the column is settled.

use std::ops::Range;

use super::kernels::{Block, Inputs};
use crate::error::Error;
use crate::value::Value;

/// The values of [`Formula::eval_columns`](crate::Formula::eval_columns), one per row: `F64` when every
/// row that succeeds is a float (and when none succeeds), `I64` when every
/// row that succeeds is an integer that fits in an `i64`, `Values`
/// otherwise. A failed row holds NaN, `0` or the integer 0 (its error is in
/// [`ColumnOutcome::errors`]).
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnValues {
    /// Floats.
    F64(Vec<f64>),
    /// Exact integers, each within `i64`.
    I64(Vec<i64>),
    /// Values of any kind (a mix, rationals, big integers).
    Values(Vec<Value>),
}

impl ColumnValues {
    /// The number of rows.
    ///
    /// ```
    /// assert_eq!(exprflow::ColumnValues::I64(vec![1, 2]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        match self {
            ColumnValues::F64(v) => v.len(),
            ColumnValues::I64(v) => v.len(),
            ColumnValues::Values(v) => v.len(),
        }
    }

    /// Whether there are no rows.
    ///
    /// ```
    /// assert!(exprflow::ColumnValues::F64(Vec::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `row`'s value as a [`Value`] (whatever the row's outcome).
    fn value(&self, row: usize) -> Option<Value> {
        match self {
            ColumnValues::F64(v) => v.get(row).map(|&x| Value::Float(x)),
            ColumnValues::I64(v) => v.get(row).map(|&n| Value::from_i64(n)),
            ColumnValues::Values(v) => v.get(row).cloned(),
        }
    }
}

/// What [`Formula::eval_columns`](crate::Formula::eval_columns) gives: a value per row, and the rows
/// that failed with their errors, in row order.
///
/// ```
/// use exprflow::{Column, ColumnValues, ErrorKind};
/// let engine = exprflow::Engine::with_workers(2).unwrap();
/// let out = engine.compile("1 / x").unwrap().eval_columns(&[Column::F64(&[2.0, 0.0])]).unwrap();
/// assert_eq!(out.errors.len(), 1);
/// assert_eq!(out.errors[0].0, 1);
/// assert_eq!(out.errors[0].1.kind, ErrorKind::DivisionByZero);
/// assert_eq!(out.get(0).unwrap().unwrap().to_string(), "0.5");
/// assert!(matches!(out.values, ColumnValues::F64(ref v) if v[0] == 0.5 && v[1].is_nan()));
/// ```
#[derive(Clone, Debug)]
pub struct ColumnOutcome {
    /// A value per row (a placeholder where the row failed).
    pub values: ColumnValues,
    /// The failed rows, ascending, each with its error.
    pub errors: Vec<(usize, Error)>,
}

impl ColumnOutcome {
    /// Row `row`'s outcome, as [`Formula::eval_row`](crate::Formula::eval_row) gives it; `None` past
    /// the last row.
    pub fn get(&self, row: usize) -> Option<Result<Value, Error>> {
        if let Ok(k) = self.errors.binary_search_by_key(&row, |(r, _)| *r) {
            return Some(Err(self.errors[k].1.clone()));
        }
        self.values.value(row).map(Ok)
    }
}

/// What a task found besides its lane of values: errors, and values of
/// another kind than the lane's.
#[derive(Default)]
pub(super) struct Extras {
    pub errors: Vec<(usize, Error)>,
    pub odd: Vec<(usize, Value)>,
}

/// The type of a column of results computed by the column code.
pub(super) trait Lane: Copy + Send + Sync {
    const FAILED: Self;
    fn result<'s>(block: &'s Block<'_>, inputs: &'s Inputs<'_>, rows: Range<usize>) -> &'s [Self];
    fn of(value: &Value) -> Option<Self>;
    fn column(values: Vec<Self>) -> ColumnValues;
}

impl Lane for f64 {
    const FAILED: f64 = f64::NAN;
    fn result<'s>(block: &'s Block<'_>, inputs: &'s Inputs<'_>, rows: Range<usize>) -> &'s [f64] {
        block.float_result(inputs, rows)
    }
    fn of(value: &Value) -> Option<f64> {
        match value {
            Value::Float(x) => Some(*x),
            _ => None,
        }
    }
    fn column(values: Vec<f64>) -> ColumnValues {
        ColumnValues::F64(values)
    }
}

impl Lane for i64 {
    const FAILED: i64 = 0;
    fn result<'s>(block: &'s Block<'_>, inputs: &'s Inputs<'_>, rows: Range<usize>) -> &'s [i64] {
        block.int_result(inputs, rows)
    }
    fn of(value: &Value) -> Option<i64> {
        match value {
            Value::Int(n) => n.to_i64(),
            _ => None,
        }
    }
    fn column(values: Vec<i64>) -> ColumnValues {
        ColumnValues::I64(values)
    }
}

/// The final column: values of another kind than the lane's make it a
/// column of `Value`s, and a column of `Value`s that are all floats or all
/// `i64`s becomes that (so the kind never depends on the path taken).
pub(super) fn settle(
    values: ColumnValues,
    errors: &[(usize, Error)],
    odd: Vec<(usize, Value)>,
) -> ColumnValues {
    let rows = values.len();
    if odd.is_empty()
        && errors.len() < rows
        && let ColumnValues::F64(_) | ColumnValues::I64(_) = values
    {
        return values;
    }
    let mut failed = vec![false; rows];
    for (row, _) in errors {
        failed[*row] = true;
    }
    let mut all: Vec<Value> = match values {
        ColumnValues::Values(v) => v,
        other => (0..rows)
            .map(|r| other.value(r).unwrap_or_else(|| Value::from_i64(0)))
            .collect(),
    };
    for (row, v) in odd {
        all[row] = v;
    }
    let ok = || {
        all.iter()
            .zip(&failed)
            .filter(|(_, f)| !**f)
            .map(|(v, _)| v)
    };
    if ok().all(|v| matches!(v, Value::Float(_))) {
        let column = all.iter().zip(&failed);
        return ColumnValues::F64(
            column
                .map(|(v, f)| match v {
                    Value::Float(x) if !*f => *x,
                    _ => f64::NAN,
                })
                .collect(),
        );
    }
    if ok().all(|v| i64::try_from(v).is_ok()) {
        let column = all.iter().zip(&failed);
        return ColumnValues::I64(
            column
                .map(|(v, f)| if *f { 0 } else { i64::try_from(v).unwrap_or(0) })
                .collect(),
        );
    }
    for (v, f) in all.iter_mut().zip(&failed) {
        if *f {
            *v = Value::from_i64(0);
        }
    }
    ColumnValues::Values(all)
}
