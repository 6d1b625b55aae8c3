//! Compile once, evaluate many: [`Formula`] (SPEC section 5).
//!
//! [`Engine::compile`] parses a formula, builds its hash-consed DAG with a
//! placeholder node per input, and compiles that into a linear register
//! program (`compile.rs`, `program.rs`) with constant subexpressions
//! folded. A row runs the program (`run.rs`); small integers and floats
//! take allocation-free fast paths (`fast.rs`), everything else goes
//! through the value layer, so exact arithmetic and every error rule hold
//! per row exactly as in [`Engine::eval`].

mod columns;
mod compile;
mod fast;
mod program;
mod run;
#[cfg(test)]
mod tests;
mod typed;

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::dag::{Binding, Dag, Scope};
use crate::error::{Error, ErrorKind, Span};
use crate::eval::{CancelToken, Engine, EvalLimits};
use crate::syntax::{Ast, ExprId, ExprKind};
use crate::value::Value;
use program::Program;
use typed::Typed;

pub use columns::{Column, ColumnOutcome, ColumnValues};

/// A formula compiled once by [`Engine::compile`], to be evaluated on many
/// rows of input values: one at a time with [`eval`](Formula::eval) or
/// [`eval_row`](Formula::eval_row), or many in parallel on the engine's pool
/// with [`eval_many`](Formula::eval_many).
///
/// Its inputs are its free names in order of first appearance (the
/// constants `pi`, `e` and `tau` are not inputs). Every row follows the
/// rules of the language: exact integers and rationals stay exact, a float
/// operand makes a float, and the error reported is the leftmost one.
/// Clones share the compiled program.
///
/// ```
/// use exprflow::{Engine, Value};
/// let engine = Engine::with_workers(2).unwrap();
/// let formula = engine.compile("a*x^2 + b*x + c").unwrap();
/// assert_eq!(formula.inputs(), ["a", "x", "b", "c"]);
/// let v = formula
///     .eval(&[("a", Value::from(1)), ("b", 2.into()), ("c", 3.into()), ("x", 4.into())])
///     .unwrap();
/// assert_eq!(v.to_string(), "27");
/// let rows = vec![
///     vec![Value::from(1), Value::try_from(0.5).unwrap(), Value::from(0), Value::from(0)],
///     vec![Value::from(1), Value::from(1), Value::from(1), Value::from(1)],
/// ];
/// let column = formula.eval_many(&rows);
/// assert_eq!(column[0].as_ref().unwrap().to_string(), "0.25");
/// assert_eq!(column[1].as_ref().unwrap().to_string(), "3");
/// ```
#[derive(Clone)]
pub struct Formula {
    engine: Engine,
    compiled: Arc<Compiled>,
}

struct Compiled {
    text: Box<str>,
    inputs: Vec<String>,
    /// Where each input first appears.
    input_spans: Vec<Span>,
    program: Program,
    /// The program over `f64`s, for rows of floats, if it has that form.
    floats: Option<Typed<f64>>,
    /// The program over `i64`s, for rows of small integers, if it has that
    /// form and any `i64` is within the bit limit.
    integers: Option<Typed<i64>>,
    limits: EvalLimits,
    /// Whether every `i64` is within the bit limit (the integer fast path).
    ints: bool,
}

impl std::fmt::Debug for Formula {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Formula")
            .field("text", &self.compiled.text)
            .field("inputs", &self.compiled.inputs)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Compiles `text`, one expression, into a [`Formula`] whose inputs are
    /// its free names. A syntax error (or an assignment or definition) is
    /// returned at once; errors inside the expression (an unknown function,
    /// a wrong number of arguments, `1/0`) are the outcome of every row
    /// that reaches them, as evaluation would report them.
    ///
    /// ```
    /// let engine = exprflow::Engine::with_workers(1).unwrap();
    /// let formula = engine.compile("2*pi*r + if(r < 0, 1/0, 0)").unwrap();
    /// assert_eq!(formula.inputs(), ["r"]);
    /// let error = formula.eval(&[("r", exprflow::Value::from(-1))]).unwrap_err();
    /// assert_eq!(error.kind, exprflow::ErrorKind::DivisionByZero);
    /// assert!(engine.compile("x = 1").is_err());
    /// ```
    pub fn compile(&self, text: impl AsRef<str>) -> Result<Formula, Error> {
        let text = text.as_ref();
        let mut ast = Ast::new();
        let statement = crate::syntax::parse_statement(&mut ast, text, 0, self.max_depth())?
            .ok_or_else(|| {
                Error::with_detail(
                    ErrorKind::Syntax,
                    Span::new(text.len(), text.len()),
                    "expected an expression",
                )
            })?;
        if let Some((_, span)) = statement.target {
            return Err(Error::with_detail(
                ErrorKind::Syntax,
                span,
                "a formula is one expression, not an assignment or a definition",
            ));
        }
        Formula::from_ast(self, &ast, statement.expr, text)
    }
}

impl Formula {
    /// Compiles expression `root` of `ast` (parsed from `text`, which the
    /// spans index) on `engine`. Crate-internal: what [`Engine::compile`]
    /// does after parsing, for callers that parse statements themselves.
    pub(crate) fn from_ast(
        engine: &Engine,
        ast: &Ast,
        root: ExprId,
        text: &str,
    ) -> Result<Formula, Error> {
        let (inputs, input_spans) = free_names(ast, root);
        let mut dag = engine.new_dag();
        let mut scope = Scope::new();
        let mut slots = FxHashMap::default();
        for (k, (name, span)) in inputs.iter().zip(&input_spans).enumerate() {
            let node = dag.constant(placeholder(k), *span)?;
            scope.bind(name, Binding::Node(node));
            slots.insert(node, k);
        }
        let node = dag.add_expr(ast, root, &scope)?;
        let limits = *engine.limits();
        let program = compile::compile(&dag, node, &slots, &limits.value)?;
        let ints = limits.value.max_bits >= 64;
        Ok(Formula {
            engine: engine.clone(),
            compiled: Arc::new(Compiled {
                text: text.into(),
                inputs,
                input_spans,
                floats: Typed::floats(&program),
                integers: Typed::ints(&program).filter(|_| ints),
                program,
                limits,
                ints,
            }),
        })
    }

    /// The formula's inputs: its free names, in order of first appearance.
    ///
    /// ```
    /// let engine = exprflow::Engine::with_workers(1).unwrap();
    /// assert_eq!(engine.compile("y*x + x").unwrap().inputs(), ["y", "x"]);
    /// assert!(engine.compile("sqrt(2) * pi").unwrap().inputs().is_empty());
    /// ```
    pub fn inputs(&self) -> &[String] {
        &self.compiled.inputs
    }

    /// The text the formula was compiled from (error spans index it).
    pub fn text(&self) -> &str {
        &self.compiled.text
    }

    /// Evaluates the formula with named inputs. Every input must be given
    /// exactly once: a missing input is `unknown variable` naming it (at its
    /// first appearance in the text), a name that is not an input is
    /// `unknown variable` naming it too, and a name given twice is a
    /// `domain error`.
    ///
    /// ```
    /// use exprflow::{ErrorKind, Value};
    /// let engine = exprflow::Engine::with_workers(1).unwrap();
    /// let f = engine.compile("x / y").unwrap();
    /// let v = f.eval(&[("y", Value::from(3)), ("x", Value::from(1))]).unwrap();
    /// assert_eq!(v.to_string(), "1/3");
    /// let missing = f.eval(&[("x", Value::from(1))]).unwrap_err();
    /// assert_eq!(missing.kind, ErrorKind::UnknownVariable);
    /// assert!(missing.to_string().contains("`y`"));
    /// let extra = f.eval(&[("x", Value::from(1)), ("y", 1.into()), ("z", 1.into())]);
    /// assert!(extra.unwrap_err().to_string().contains("`z`"));
    /// ```
    pub fn eval<N: AsRef<str>>(&self, inputs: &[(N, Value)]) -> Result<Value, Error> {
        let c = &self.compiled;
        let mut row: Vec<Option<Value>> = vec![None; c.inputs.len()];
        for (name, value) in inputs {
            let name = name.as_ref();
            let Some(k) = c.inputs.iter().position(|n| n == name) else {
                return Err(Error::with_detail(
                    ErrorKind::UnknownVariable,
                    Span::default(),
                    format!(
                        "`{name}` is not an input of the formula (its inputs: {})",
                        self.input_list()
                    ),
                ));
            };
            if row[k].replace(value.clone()).is_some() {
                return Err(Error::with_detail(
                    ErrorKind::Domain,
                    Span::default(),
                    format!("the input `{name}` is given twice"),
                ));
            }
        }
        let mut values = Vec::with_capacity(row.len());
        for (k, value) in row.into_iter().enumerate() {
            match value {
                Some(v) => values.push(v),
                None => {
                    return Err(Error::with_detail(
                        ErrorKind::UnknownVariable,
                        c.input_spans[k],
                        format!("`{}` has no value (an input of the formula)", c.inputs[k]),
                    ));
                }
            }
        }
        self.eval_row(&values)
    }

    /// Evaluates the formula on one row: its values in the order of
    /// [`inputs`](Formula::inputs). A row of the wrong length is `wrong
    /// number of arguments`.
    ///
    /// ```
    /// use exprflow::Value;
    /// let engine = exprflow::Engine::with_workers(1).unwrap();
    /// let f = engine.compile("a - b").unwrap();
    /// assert_eq!(f.eval_row(&[Value::from(5), Value::from(7)]).unwrap().to_string(), "-2");
    /// assert!(f.eval_row(&[Value::from(5)]).is_err());
    /// ```
    pub fn eval_row(&self, row: &[Value]) -> Result<Value, Error> {
        crate::eval::refuse_to_stall(self.engine.host_functions(), Span::default())?;
        self.eval_row_until(row, &CancelToken::new())
    }

    /// [`eval_row`](Formula::eval_row), stopped by `cancel` (a model's
    /// stale recompute): a `busy`, `delay` or host call in the row gives
    /// `cancelled` once it fires.
    pub(crate) fn eval_row_until(
        &self,
        row: &[Value],
        cancel: &CancelToken,
    ) -> Result<Value, Error> {
        let memo = self.memo();
        Rows::new(&self.compiled, memo.as_ref(), cancel).eval(row)
    }

    /// The memo of pure host calls for one evaluation (`eval_row`, or all
    /// the rows of one `eval_many`), if the formula calls host functions.
    fn memo(&self) -> Option<Dag> {
        (!self.compiled.program.hosts.is_empty()).then(|| self.engine.new_dag())
    }

    /// Evaluates the formula on every row, in parallel on the engine's
    /// pool, and returns the outcomes in the order of the rows. Each row is
    /// its values in the order of [`inputs`](Formula::inputs); a row of the
    /// wrong length is `wrong number of arguments` for that row only. The
    /// outcome of each row is what [`eval_row`](Formula::eval_row) gives,
    /// whatever the number of workers.
    ///
    /// ```
    /// use exprflow::Value;
    /// let engine = exprflow::Engine::with_workers(2).unwrap();
    /// let f = engine.compile("1 / (x - 2)").unwrap();
    /// let rows: Vec<Vec<Value>> = (0..5).map(|x| vec![Value::from(x)]).collect();
    /// let out = f.eval_many(&rows);
    /// assert_eq!(out[0].as_ref().unwrap().to_string(), "-0.5");
    /// assert_eq!(out[2].as_ref().unwrap_err().kind, exprflow::ErrorKind::DivisionByZero);
    /// assert_eq!(out[4].as_ref().unwrap().to_string(), "0.5");
    /// ```
    pub fn eval_many<R: AsRef<[Value]> + Sync>(&self, rows: &[R]) -> Vec<Result<Value, Error>> {
        if let Err(e) = crate::eval::refuse_to_stall(self.engine.host_functions(), Span::default())
        {
            return vec![Err(e); rows.len()];
        }
        let compiled = &*self.compiled;
        let workers = self.engine.workers().max(1);
        // Chunks of rows share a register file; a few per worker balance
        // the load without making per-chunk costs show.
        let chunk = (rows.len() / (workers * 8)).clamp(64, 16_384);
        let mut out = Vec::with_capacity(rows.len());
        let memo = self.memo();
        let memo = memo.as_ref();
        let cancel = CancelToken::new();
        let cancel = &cancel;
        self.engine.pool().install(|| {
            rows.par_iter()
                .with_min_len(chunk)
                .map_init(
                    || Rows::new(compiled, memo, cancel),
                    |state, row| state.eval(row.as_ref()),
                )
                .collect_into_vec(&mut out);
        });
        out
    }

    /// Whether both formulas are one compiled program (for the tests).
    #[cfg(test)]
    pub(crate) fn shares_program_with(&self, other: &Formula) -> bool {
        Arc::ptr_eq(&self.compiled, &other.compiled)
    }

    fn input_list(&self) -> String {
        self.compiled.inputs.join(", ")
    }
}

/// A register file and scratch space for evaluating rows one after another.
struct Rows<'a> {
    compiled: &'a Compiled,
    /// The memo of pure host calls, when the formula makes any.
    memo: Option<&'a Dag>,
    cancel: &'a CancelToken,
    regs: Vec<Value>,
    floats: Vec<f64>,
    integers: Vec<i64>,
    scratch: Vec<Value>,
}

impl<'a> Rows<'a> {
    fn new(compiled: &'a Compiled, memo: Option<&'a Dag>, cancel: &'a CancelToken) -> Rows<'a> {
        Rows {
            compiled,
            memo,
            cancel,
            regs: compiled.program.fresh_registers(),
            floats: compiled
                .floats
                .as_ref()
                .map_or(Vec::new(), Typed::registers),
            integers: compiled
                .integers
                .as_ref()
                .map_or(Vec::new(), Typed::registers),
            scratch: Vec::new(),
        }
    }

    fn eval(&mut self, row: &[Value]) -> Result<Value, Error> {
        let c = self.compiled;
        if row.len() != c.inputs.len() {
            return Err(Error::with_detail(
                ErrorKind::WrongArity,
                Span::new(0, c.text.len()),
                format!(
                    "the row has {} value{}, the formula has {} input{} ({})",
                    row.len(),
                    if row.len() == 1 { "" } else { "s" },
                    c.inputs.len(),
                    if c.inputs.len() == 1 { "" } else { "s" },
                    c.inputs.join(", ")
                ),
            ));
        }
        let base = c.program.input_base();
        if let Some(v) = self.typed(row, base) {
            return Ok(v);
        }
        for (slot, value) in self.regs[base..base + row.len()].iter_mut().zip(row) {
            slot.clone_from(value);
        }
        let (program, limits, ints) = (&c.program, &c.limits, c.ints);
        let (regs, scratch, memo) = (&mut self.regs, &mut self.scratch, (self.memo, self.cancel));
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run::run(program, regs, scratch, limits, ints, memo)
        }))
        .unwrap_or_else(|_| {
            Err(Error::with_detail(
                ErrorKind::Internal,
                Span::new(0, c.text.len()),
                "evaluation panicked",
            ))
        })
    }
}

impl Rows<'_> {
    /// The row's value by a typed program, when the row's inputs are all
    /// floats or all small integers and the program gets to the end.
    #[inline]
    fn typed(&mut self, row: &[Value], base: usize) -> Option<Value> {
        let c = self.compiled;
        match row.first() {
            Some(Value::Float(_)) => {
                let program = c.floats.as_ref()?;
                load(&mut self.floats[base..], row, |v| match v {
                    Value::Float(x) => Some(*x),
                    _ => None,
                })?;
                program.run(&mut self.floats).map(Value::Float)
            }
            Some(Value::Int(_)) => {
                let program = c.integers.as_ref()?;
                load(&mut self.integers[base..], row, |v| match v {
                    Value::Int(n) => n.to_i64(),
                    _ => None,
                })?;
                program.run(&mut self.integers).map(Value::from_i64)
            }
            _ => None,
        }
    }
}

/// Writes the row's values into `slots` as `T`s; `None` when one is not.
#[inline(always)]
fn load<T>(slots: &mut [T], row: &[Value], get: impl Fn(&Value) -> Option<T>) -> Option<()> {
    for (slot, value) in slots.iter_mut().zip(row) {
        *slot = get(value)?;
    }
    Some(())
}

/// A float no expression can produce (literals are exact; `pi`, `e`, `tau`
/// are not subnormal), standing for input `k` while the DAG is built: each
/// input is a node of its own, never shared with a real constant.
fn placeholder(k: usize) -> Value {
    Value::Float(f64::from_bits(k as u64 + 1))
}

/// The free names of `root` (variables that are not the constants `pi`,
/// `e`, `tau`), in order of first appearance, with that appearance's span.
fn free_names(ast: &Ast, root: ExprId) -> (Vec<String>, Vec<Span>) {
    let (mut names, mut spans) = (Vec::<String>::new(), Vec::new());
    let mut seen = rustc_hash::FxHashSet::default();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        let expr = ast.get(id);
        if let ExprKind::Var(name) = &expr.kind {
            if crate::value::constant(name).is_none() && seen.insert(&**name) {
                names.push(name.to_string());
                spans.push(expr.span);
            }
        } else {
            stack.extend(ast.children(id).iter().rev());
        }
    }
    (names, spans)
}
