//! One formula cell's definition, parsed once: its expression, the names it
//! reads (its dependencies) and how to evaluate it given their outcomes.

use std::sync::Arc;

use rustc_hash::FxHashMap;

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
    /// How far this cell's text is from the text the formula was compiled
    /// from (a formula shared with an earlier cell of the same shape):
    /// added to the spans of the formula's errors.
    shift: isize,
}

/// The formulas compiled by one [`Model::define`](super::Model::define),
/// by shape: cells whose expressions are the same text but for the names
/// they read (each name replaced by its place among the cell's names, and
/// of the same length, so every span is the same up to a shift) compile
/// to the same program, so they share one [`Formula`].
#[derive(Default)]
pub(crate) struct Shapes {
    formulas: FxHashMap<Shape, Compiled>,
}

/// A cell's expression with its names masked, and the index (among the
/// cell's names) of each name read, left to right.
#[derive(PartialEq, Eq, Hash)]
struct Shape {
    masked: Box<str>,
    names: Box<[u32]>,
}

/// A compiled formula, its input slots and where its expression starts.
type Compiled = Option<(Formula, Vec<usize>, usize)>;

impl Code {
    /// Parses one line of a model (at `offset` in the model's source).
    /// `Ok(None)` for a blank or comment-only line.
    /// Names resolve to `engine`'s host functions; with `compile`, the
    /// expression is also compiled into a [`Formula`] where it can be.
    pub(crate) fn parse(
        line: &str,
        offset: usize,
        engine: &Engine,
        (compile, shapes): (Compile, &mut Shapes),
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
        let wanted = compile == Compile::Formula
            && !heavy
            && names.iter().all(|n| crate::value::constant(n).is_none());
        let (formula, shift) = if wanted {
            shapes.formula(engine, (&ast, expr), (line, offset), &names)
        } else {
            (None, 0)
        };
        Ok(Some(Code {
            ast,
            expr,
            target,
            names,
            heavy,
            formula,
            shift,
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
                return formula.eval_row_until(&row, cancel).map_err(|mut e| {
                    e.span = Span::new(
                        e.span.start.saturating_add_signed(self.shift),
                        e.span.end.saturating_add_signed(self.shift),
                    );
                    e
                });
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

impl Code {
    /// Whether both cells run one compiled formula (for the tests).
    #[cfg(test)]
    pub(crate) fn shares_formula_with(&self, other: &Code) -> bool {
        match (&self.formula, &other.formula) {
            (Some((a, _)), Some((b, _))) => a.shares_program_with(b),
            _ => false,
        }
    }
}

impl Shapes {
    /// The formula of the expression `root` of `ast` (parsed from `line`,
    /// which starts at `offset` in the model's source) reading `names`,
    /// compiled or shared with an earlier cell of the same shape, and the
    /// shift of this cell's spans from the formula's.
    fn formula(
        &mut self,
        engine: &Engine,
        (ast, root): (&Ast, ExprId),
        (line, offset): (&str, usize),
        names: &[Box<str>],
    ) -> (Option<(Formula, Vec<usize>)>, isize) {
        let span = ast.get(root).span;
        let Some(shape) = shape(ast, root, (line, offset), names) else {
            return (compile(engine, ast, root, line, names), 0);
        };
        let shared = self.formulas.entry(shape).or_insert_with(|| {
            compile(engine, ast, root, line, names).map(|(f, slots)| (f, slots, span.start))
        });
        match shared {
            Some((formula, slots, start)) => (
                Some((formula.clone(), slots.clone())),
                span.start as isize - *start as isize,
            ),
            None => (None, 0),
        }
    }
}

/// Compiles a cell's expression into a [`Formula`] with the position in
/// `names` of each of its inputs.
fn compile(
    engine: &Engine,
    ast: &Ast,
    root: ExprId,
    line: &str,
    names: &[Box<str>],
) -> Option<(Formula, Vec<usize>)> {
    let formula = Formula::from_ast(engine, ast, root, line).ok()?;
    let slots: Option<Vec<usize>> = formula
        .inputs()
        .iter()
        .map(|input| names.iter().position(|n| **n == **input))
        .collect();
    Some((formula, slots?))
}

/// The shape of expression `root`: its text with every name masked, and
/// which of `names` each one is. `None` when the text is not at hand.
fn shape(
    ast: &Ast,
    root: ExprId,
    (line, offset): (&str, usize),
    names: &[Box<str>],
) -> Option<Shape> {
    let span = ast.get(root).span;
    let text = line.get(span.start.checked_sub(offset)?..span.end.checked_sub(offset)?)?;
    let mut masked = text.as_bytes().to_vec();
    let mut reads = Vec::new();
    let mut work = vec![root];
    while let Some(id) = work.pop() {
        let expr = ast.get(id);
        if let ExprKind::Var(name) = &expr.kind {
            let k = names.iter().position(|n| **n == **name)?;
            reads.push(u32::try_from(k).ok()?);
            let at = expr.span.start.checked_sub(span.start)?;
            masked.get_mut(at..at + name.len())?.fill(0);
        }
        work.extend(ast.children(id).iter().rev().copied());
    }
    Some(Shape {
        masked: String::from_utf8(masked).ok()?.into_boxed_str(),
        names: reads.into_boxed_slice(),
    })
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
