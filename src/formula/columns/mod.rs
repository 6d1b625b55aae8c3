//! Formulas over columns: [`Formula::eval_columns`]. The formula's program
//! becomes column code for the kinds of columns given (`column_code.rs`),
//! which runs over blocks of rows spread over the engine's pool
//! (`kernels.rs`); the rows a block marks are evaluated again one by one by
//! the general program, so every row's outcome is exactly what
//! [`Formula::eval_row`] gives for it.

use rayon::prelude::*;

mod code;
mod compare;
mod kernels;
#[cfg(test)]
mod tests;
mod translate;
mod values;

use code::{ColumnCode, InputKind, Ty};
use kernels::{BLOCK, Block, Inputs};
use values::{Extras, Lane, settle};

pub use values::{ColumnOutcome, ColumnValues};

use crate::error::{Error, ErrorKind, Span};
use crate::eval::CancelToken;
use crate::formula::{Formula, Rows};
use crate::value::Value;

/// One input column of [`Formula::eval_columns`]: a value per row, or one
/// value for every row. Columns are borrowed, never copied.
///
/// ```
/// use exprflow::{Column, Value};
/// let x = [1.5, 2.5];
/// let n = [7_i64, -7];
/// let columns = [Column::F64(&x), Column::I64(&n), Column::Scalar(Value::from(2))];
/// assert_eq!(columns[2].rows(), None);
/// assert_eq!(columns[0].rows(), Some(2));
/// ```
#[derive(Clone, Debug)]
pub enum Column<'a> {
    /// A float per row. A NaN or infinite float is an error of its row.
    F64(&'a [f64]),
    /// An exact integer per row.
    I64(&'a [i64]),
    /// One value broadcast to every row (any value of the tower).
    Scalar(Value),
}

impl Column<'_> {
    /// The number of rows of a column; `None` for a scalar.
    pub fn rows(&self) -> Option<usize> {
        match self {
            Column::F64(x) => Some(x.len()),
            Column::I64(n) => Some(n.len()),
            Column::Scalar(_) => None,
        }
    }
}

impl Formula {
    /// Evaluates the formula on columns: `columns[k]` gives input `k` (in
    /// the order of [`inputs`](Formula::inputs)) for every row, as a slice
    /// of `f64`, a slice of `i64` or one scalar. Every row's value or
    /// error is exactly what [`eval_row`](Formula::eval_row) gives for that
    /// row (a NaN or infinite `f64` input is an error of its row: `domain
    /// error` or `result too large` at that input), whatever the number of
    /// workers.
    ///
    /// The work runs by blocks of rows on the engine's pool, each
    /// operation a loop over the block; the rows a block cannot compute on
    /// plain floats or checked `i64`s (an overflow, a rational result, an
    /// error) are evaluated one by one. There is no allocation per row
    /// (but for big values and errors). There is one row per element of
    /// the slices (all of one length), or one row when every column is a
    /// scalar. A wrong number of columns is `wrong number of arguments`,
    /// slices of different lengths a `domain error`.
    ///
    /// ```
    /// use exprflow::{Column, ColumnValues, Value};
    /// let engine = exprflow::Engine::with_workers(2).unwrap();
    /// let f = engine.compile("a*x^2 + b*x + c").unwrap();
    /// let x = [0.0, 0.5, -2.0];
    /// let columns = [
    ///     Column::Scalar(Value::from(1)),
    ///     Column::F64(&x),
    ///     Column::Scalar(Value::from(2)),
    ///     Column::Scalar(Value::try_from(0.25).unwrap()),
    /// ];
    /// let out = f.eval_columns(&columns).unwrap();
    /// assert_eq!(out.values, ColumnValues::F64(vec![0.25, 1.5, 0.25]));
    /// // Exact integers stay exact; a row whose result is no i64 is a Value.
    /// let n = [3_i64, i64::MAX];
    /// let g = engine.compile("n / 3").unwrap();
    /// let out = g.eval_columns(&[Column::I64(&n)]).unwrap();
    /// let ColumnValues::Values(v) = out.values else { panic!() };
    /// assert_eq!(v[0], Value::from(1));
    /// assert_eq!(v[1].to_string(), "9223372036854775807/3");
    /// ```
    pub fn eval_columns(&self, columns: &[Column<'_>]) -> Result<ColumnOutcome, Error> {
        let rows = self.column_rows(columns)?;
        let kinds: Vec<InputKind<'_>> = columns
            .iter()
            .map(|c| match c {
                Column::F64(_) => InputKind::F,
                Column::I64(_) => InputKind::I,
                Column::Scalar(v) => InputKind::Scalar(v),
            })
            .collect();
        let inputs = Inputs {
            floats: columns
                .iter()
                .map(|c| match c {
                    Column::F64(x) => *x,
                    _ => &[],
                })
                .collect(),
            ints: columns
                .iter()
                .map(|c| match c {
                    Column::I64(n) => *n,
                    _ => &[],
                })
                .collect(),
        };
        let code = self
            .compiled
            .ints
            .then(|| translate::translate(&self.compiled.program, &kinds))
            .flatten();
        let run = Run {
            formula: self,
            columns,
            rows,
            memo: self.memo(),
        };
        let (values, extras) = match &code {
            Some(code) if code.result.map(|r| r.0) == Some(Ty::F) => {
                run.by_blocks::<f64>(code, &inputs)
            }
            Some(code) => run.by_blocks::<i64>(code, &inputs),
            None => run.by_rows(),
        };
        let errors: Vec<(usize, Error)> = extras.iter().flat_map(|e| e.errors.clone()).collect();
        let odd: Vec<(usize, Value)> = extras.into_iter().flat_map(|e| e.odd).collect();
        Ok(ColumnOutcome {
            values: settle(values, &errors, odd),
            errors,
        })
    }

    /// The number of rows of `columns`, checked against the inputs.
    fn column_rows(&self, columns: &[Column<'_>]) -> Result<usize, Error> {
        let c = &self.compiled;
        if columns.len() != c.inputs.len() {
            return Err(Error::with_detail(
                ErrorKind::WrongArity,
                Span::new(0, c.text.len()),
                format!(
                    "{} column(s) given, the formula has {} input(s) ({})",
                    columns.len(),
                    c.inputs.len(),
                    c.inputs.join(", ")
                ),
            ));
        }
        let mut rows: Option<(usize, usize)> = None;
        for (k, column) in columns.iter().enumerate() {
            match (column.rows(), rows) {
                (Some(n), None) => rows = Some((n, k)),
                (Some(n), Some((m, first))) if n != m => {
                    return Err(Error::with_detail(
                        ErrorKind::Domain,
                        c.input_spans[k],
                        format!(
                            "the column of `{}` has {n} rows, the column of `{}` has {m}",
                            c.inputs[k], c.inputs[first]
                        ),
                    ));
                }
                _ => {}
            }
        }
        Ok(rows.map_or(1, |(n, _)| n))
    }
}

/// One evaluation of a formula on columns.
struct Run<'a> {
    formula: &'a Formula,
    columns: &'a [Column<'a>],
    rows: usize,
    /// The memo of pure host calls, shared by all rows.
    memo: Option<crate::dag::Dag>,
}

impl Run<'_> {
    /// Rows per pool task: a few tasks per worker, whole blocks.
    fn span(&self) -> usize {
        let workers = self.formula.engine.workers().max(1);
        let blocks = self.rows.div_ceil(BLOCK).max(1);
        blocks.div_ceil(workers * 4) * BLOCK
    }

    fn by_blocks<T: Lane>(
        &self,
        code: &ColumnCode,
        inputs: &Inputs<'_>,
    ) -> (ColumnValues, Vec<Extras>) {
        let mut out = vec![T::FAILED; self.rows];
        let span = self.span();
        let cancel = CancelToken::new();
        let extras = self.formula.engine.pool().install(|| {
            out.par_chunks_mut(span)
                .enumerate()
                .map(|(t, chunk)| self.blocks(code, inputs, t * span, chunk, &cancel))
                .collect()
        });
        (T::column(out), extras)
    }

    /// The rows from `start` (as many as `out` holds), block by block.
    fn blocks<T: Lane>(
        &self,
        code: &ColumnCode,
        inputs: &Inputs<'_>,
        start: usize,
        out: &mut [T],
        cancel: &CancelToken,
    ) -> Extras {
        let mut block = Block::new(code);
        let mut rows = RowPath::new(self, cancel);
        let mut extras = Extras::default();
        for (b, chunk) in out.chunks_mut(BLOCK).enumerate() {
            let first = start + b * BLOCK;
            let range = first..first + chunk.len();
            block.run(inputs, range.clone());
            chunk.copy_from_slice(T::result(&block, inputs, range));
            let bad = block.bad(chunk.len());
            if bad.iter().fold(0, |acc, &m| acc | m) == 0 {
                continue;
            }
            for (k, _) in bad.iter().enumerate().filter(|(_, m)| **m != 0) {
                let row = first + k;
                chunk[k] = T::FAILED;
                match rows.eval(row) {
                    Ok(v) => match T::of(&v) {
                        Some(x) => chunk[k] = x,
                        None => extras.odd.push((row, v)),
                    },
                    Err(e) => extras.errors.push((row, e)),
                }
            }
        }
        extras
    }

    /// Every row by the general program (a formula without column code).
    fn by_rows(&self) -> (ColumnValues, Vec<Extras>) {
        let mut out = vec![Value::from_i64(0); self.rows];
        let span = self.span();
        let cancel = CancelToken::new();
        let extras = self.formula.engine.pool().install(|| {
            out.par_chunks_mut(span)
                .enumerate()
                .map(|(t, chunk)| {
                    let mut rows = RowPath::new(self, &cancel);
                    let mut extras = Extras::default();
                    for (k, slot) in chunk.iter_mut().enumerate() {
                        match rows.eval(t * span + k) {
                            Ok(v) => *slot = v,
                            Err(e) => extras.errors.push((t * span + k, e)),
                        }
                    }
                    extras
                })
                .collect()
        });
        (ColumnValues::Values(out), extras)
    }
}

/// Evaluates single rows of the columns by the general program.
struct RowPath<'a> {
    run: &'a Run<'a>,
    rows: Rows<'a>,
    /// The row's values (scalars written once).
    row: Vec<Value>,
}

impl<'a> RowPath<'a> {
    fn new(run: &'a Run<'a>, cancel: &'a CancelToken) -> RowPath<'a> {
        let compiled = &*run.formula.compiled;
        RowPath {
            run,
            rows: Rows::new(compiled, run.memo.as_ref(), cancel),
            row: run
                .columns
                .iter()
                .map(|c| match c {
                    Column::Scalar(v) => v.clone(),
                    _ => Value::from_i64(0),
                })
                .collect(),
        }
    }

    fn eval(&mut self, row: usize) -> Result<Value, Error> {
        let compiled = &*self.run.formula.compiled;
        for (k, column) in self.run.columns.iter().enumerate() {
            self.row[k] = match column {
                Column::F64(x) => {
                    let x = x[row];
                    if !x.is_finite() {
                        let (kind, what) = if x.is_nan() {
                            (ErrorKind::Domain, "NaN, not a number")
                        } else {
                            (ErrorKind::TooLarge, "an infinite float")
                        };
                        let detail = format!("the input `{}` is {what}", compiled.inputs[k]);
                        return Err(Error::with_detail(kind, compiled.input_spans[k], detail));
                    }
                    Value::Float(x)
                }
                Column::I64(n) => Value::from_i64(n[row]),
                Column::Scalar(_) => continue,
            };
        }
        self.rows.eval(&self.row)
    }
}
