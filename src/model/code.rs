//! One formula cell's definition, parsed once: its expression, the names it
//! reads (its dependencies) and how to evaluate it given their outcomes.

use std::sync::Arc;

use crate::dag::{Binding, Outcome, Scope};
use crate::error::{Error, ErrorKind, Span};
use crate::eval::{CancelToken, Engine, evaluate_sequential};
use crate::formula::Formula;
use crate::host::HostFunctions;
use crate::syntax::{Ast, ExprId, ExprKind, Statement, parse_statement};
use crate::value::{Builtin, Value};

/// How a model evaluates its cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compile {
    /// A cell whose inputs are all values runs its compiled [`Formula`].
    Formula,
    /// Every cell builds its DAG (the reference for the property tests).
    #[cfg_attr(not(feature = "test-hooks"), allow(dead_code))]
    Never,
}

/// A parsed `name = expr` line of a model.
#[derive(Debug)]
pub(crate) struct Code {
    ast: Ast,
    expr: ExprId,
    /// The cell's name and its span in the model's source.
    pub(crate) target: (Box<str>, Span),
    /// The variable names the expression reads, distinct, in order of
    /// first appearance (left to right).
    pub(crate) names: Vec<Box<str>>,
    /// Whether evaluating it may take long (`busy`, `delay`, a host
    /// function): such cells are worth a pool task of their own.
    pub(crate) heavy: bool,
    /// The expression compiled to a [`Formula`] (the fast path when every
    /// input is a value), with the position in `names` of each of its
    /// inputs. `None` for a cell that waits or calls out (`busy`, `delay`,
    /// host functions: the DAG evaluator runs them and lets a cancelled
    /// recompute stop them), reads a name that
    /// is also a constant (a formula would take it for the constant), or
    /// did not compile.
    formula: Option<(Formula, Vec<usize>)>,
}

impl Code {
    /// Parses one line of a model (at `offset` in the model's source).
    /// `Ok(None)` for a blank or comment-only line.
    /// Names resolve to `engine`'s host functions; with `compile`, the
    /// expression is also compiled into a [`Formula`] where it can be.
    pub(crate) fn parse(
        line: &str,
        offset: usize,
        engine: &Engine,
        compile: Compile,
    ) -> Result<Option<Code>, Error> {
        let mut ast = Ast::new();
        let Some(statement) = parse_statement(&mut ast, line, offset, engine.max_depth())? else {
            return Ok(None);
        };
        let Statement {
            target,
            params,
            expr,
            span,
            ..
        } = statement;
        let target = match (target, params) {
            (Some(target), None) => target,
            (Some((name, span)), Some(_)) => {
                return Err(Error::with_detail(
                    ErrorKind::Syntax,
                    span,
                    format!("a model defines cells, not functions: `{name}(...) = ...`"),
                ));
            }
            (None, _) => {
                return Err(Error::with_detail(
                    ErrorKind::Syntax,
                    span,
                    "expected a cell definition `name = expression`",
                ));
            }
        };
        let (names, heavy) = reads(&ast, expr, engine.host_functions());
        let formula = (compile == Compile::Formula
            && !heavy
            && names.iter().all(|n| crate::value::constant(n).is_none()))
        .then(|| Formula::from_ast(engine, &ast, expr, line).ok())
        .flatten()
        .and_then(|formula| {
            let slots: Option<Vec<usize>> = formula
                .inputs()
                .iter()
                .map(|input| names.iter().position(|n| **n == **input))
                .collect();
            Some((formula, slots?))
        });
        Ok(Some(Code {
            ast,
            expr,
            target,
            names,
            heavy,
            formula,
        }))
    }

    /// Evaluates the expression with each of its names bound to `inputs`
    /// (in the order of [`Code::names`]): a value, an error (reading the
    /// name gives that error, as reading a variable whose statement failed),
    /// or `None` for a name that is no cell (then it is a constant such as
    /// `pi`, or `unknown variable`). Exactly what a session evaluating the
    /// cells in order would give.
    pub(crate) fn eval(
        &self,
        inputs: &[Option<&Outcome>],
        engine: &Engine,
        cancel: &CancelToken,
    ) -> Outcome {
        if let Some((formula, slots)) = &self.formula {
            let row: Option<Vec<Value>> = slots
                .iter()
                .map(|&k| match inputs.get(k) {
                    Some(Some(Ok(value))) => Some(value.clone()),
                    _ => None,
                })
                .collect();
            if let Some(row) = row {
                return formula.eval_row_until(&row, cancel);
            }
        }
        self.eval_dag(inputs, engine, cancel)
    }

    /// [`Code::eval`] by the DAG builder and the sequential evaluator: any
    /// inputs, and cancellable.
    fn eval_dag(
        &self,
        inputs: &[Option<&Outcome>],
        engine: &Engine,
        cancel: &CancelToken,
    ) -> Outcome {
        let mut dag = engine.new_dag();
        let mut scope = Scope::new();
        for (name, input) in self.names.iter().zip(inputs) {
            let binding = match input {
                Some(Ok(value)) => Binding::Node(dag.constant(value.clone(), self.target.1)?),
                Some(Err(error)) => Binding::Failed(error.clone()),
                None => continue,
            };
            scope.bind(name, binding);
        }
        let root = dag.add_expr(&self.ast, self.expr, &scope)?;
        evaluate_sequential(&dag, root, engine.limits(), cancel, &mut |_| {})
    }
}

/// The variable names under `root`, distinct, left to right, and whether
/// it calls `busy`, `delay` or a host function. Iterative (any depth).
fn reads(ast: &Ast, root: ExprId, host: &HostFunctions) -> (Vec<Box<str>>, bool) {
    let mut names: Vec<Box<str>> = Vec::new();
    let mut seen = rustc_hash::FxHashSet::default();
    let mut heavy = false;
    let mut work = vec![root];
    while let Some(id) = work.pop() {
        match &ast.get(id).kind {
            ExprKind::Var(name) if seen.insert(name.clone()) => names.push(name.clone()),
            ExprKind::Call { name, .. } => {
                heavy |= host.get(name).is_some()
                    || matches!(
                        Builtin::from_name(name),
                        Some(Builtin::Busy | Builtin::Delay)
                    );
            }
            _ => {}
        }
        work.extend(ast.children(id).iter().rev().copied());
    }
    (names, heavy)
}

/// Whether `name` is an identifier of the language.
pub(crate) fn is_name(name: &str) -> bool {
    crate::syntax::is_identifier(name)
}

/// A shared, immutable outcome (cheap to snapshot).
pub(crate) type Shared = Arc<Outcome>;

/// Whether two outcomes are the same for every reader: equal values of the
/// same kind (floats bit for bit, so `-0.0` is not `0.0`), or equal errors.
pub(crate) fn same(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Ok(crate::value::Value::Float(x)), Ok(crate::value::Value::Float(y))) => {
            x.to_bits() == y.to_bits()
        }
        _ => a == b,
    }
}
