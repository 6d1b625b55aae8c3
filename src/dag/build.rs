//! Building DAG nodes from AST expressions, iteratively, with hash-consing
//! and the rebalancing of exact `+`/`*` chains into balanced trees.

mod call;
mod linear;

use std::sync::Arc;

use call::{arity_error, plural};
use linear::Layout;

use super::func::FuncDef;
use super::node::{NodeId, Op};
use super::scope::{Binding, Scope};
use super::{Dag, Inputs};
use crate::error::{Error, ErrorKind, Span};
use crate::syntax::{Ast, Expr, ExprId, ExprKind, Statement};
use crate::value::{self, BinOp, Builtin, Limits, UnOp};

/// Limits that apply while building.
#[derive(Clone, Copy, Debug)]
pub struct DagLimits {
    /// Most nodes the DAG may hold.
    pub max_nodes: usize,
    /// Most bits of a literal (the same bit limit as results).
    pub value: value::ValueLimits,
    /// Whether exact `+`/`*` chains are rebalanced into balanced trees.
    pub rebalance: bool,
    /// Most bits of values the DAG may hold at once (results are kept for
    /// reuse): a result that would go over is `result too large` instead,
    /// so no input can exhaust memory with many large intermediate values.
    pub max_held_bits: u64,
}

impl Default for DagLimits {
    fn default() -> Self {
        DagLimits {
            max_nodes: 20_000_000,
            value: Limits::default(),
            rebalance: true,
            max_held_bits: 1 << 33,
        }
    }
}

enum Work {
    Enter(ExprId),
    Exit(ExprId),
    /// A flattened `+`/`*` chain: the head and its operands left to right.
    ExitChain(ExprId, BinOp, Vec<ExprId>),
}

impl Dag {
    /// Adds a statement: builds its expression and, for an assignment,
    /// binds the name in `scope`. Returns the statement's node.
    pub fn add_statement(
        &mut self,
        ast: &Ast,
        statement: &Statement,
        scope: &mut Scope,
    ) -> Result<NodeId, Error> {
        if let (Some((name, _)), Some(params)) = (&statement.target, &statement.params) {
            // A definition: the function is known to the statements after
            // it; the statement itself has no value (a zero stands in).
            let def = FuncDef::compile(
                name,
                params,
                ast,
                statement.expr,
                statement.span,
                &self.limits.value,
            );
            scope.define(Arc::new(def));
            return self.constant(value::Value::from_i64(0), statement.span);
        }
        let result = self.add_expr_from(ast, statement.first, statement.expr, scope);
        if let Some((name, _)) = &statement.target {
            let binding = match &result {
                Ok(id) => Binding::Node(*id),
                Err(e) => Binding::Failed(e.clone()),
            };
            scope.bind(name, binding);
        }
        result
    }

    /// Adds the expression `root` of `ast`, resolving names in `scope`, and
    /// returns its node. Only a resource limit fails the whole call; errors
    /// in the expression (unknown names, bad literals, wrong arity) become
    /// failing nodes, so they are reported in left-to-right order with any
    /// evaluation error.
    pub fn add_expr(&mut self, ast: &Ast, root: ExprId, scope: &Scope) -> Result<NodeId, Error> {
        self.add_expr_from(ast, ExprId(0), root, scope)
    }

    /// [`add_expr`](Self::add_expr) for an expression whose arena nodes all
    /// lie in `first..=root` (true of every parsed statement and of every
    /// subexpression: the fold creates a subtree's nodes contiguously).
    pub(super) fn add_expr_from(
        &mut self,
        ast: &Ast,
        first: ExprId,
        root: ExprId,
        scope: &Scope,
    ) -> Result<NodeId, Error> {
        match Layout::of(self, ast, root, scope) {
            Some(layout) if layout.first >= first => self.add_linear(ast, root, scope, &layout),
            _ => self.add_depth_first(ast, first, root, scope),
        }
    }

    /// Builds `root`'s subtree by walking its arena range front to back
    /// (see [`linear`]): the same nodes, in the same order, as
    /// [`add_depth_first`](Self::add_depth_first).
    fn add_linear(
        &mut self,
        ast: &Ast,
        root: ExprId,
        scope: &Scope,
        layout: &Layout,
    ) -> Result<NodeId, Error> {
        let mut memo = Memo::new(layout.first, root);
        // A binary tree of n syntax nodes has at most n/2 operators.
        self.reserve_operations(memo.slots.len() / 2 + 1);
        for index in layout.first.0..=root.0 {
            let id = ExprId(index);
            if layout.is_inner(id) {
                continue;
            }
            let expr = ast.get(id);
            let node = match &expr.kind {
                ExprKind::Number(_) | ExprKind::Var(_) => match self.leaf(expr, scope)? {
                    Some(node) => node,
                    None => continue,
                },
                ExprKind::Binary(op @ (BinOp::Add | BinOp::Mul), left, right)
                    if layout.is_inner(*left) || layout.is_inner(*right) =>
                {
                    let operands = flatten_chain(ast, id, *op);
                    self.exit_chain(ast, id, *op, &operands, scope, &mut memo)?
                }
                _ => self.exit(ast, id, scope, &memo)?,
            };
            memo.insert(id, node);
        }
        memo.get(&root).copied().ok_or_else(|| {
            Error::with_detail(
                ErrorKind::Internal,
                ast.get(root).span,
                "expression was not built",
            )
        })
    }

    /// The reference builder: a depth-first walk from `root` with an
    /// explicit work stack, for any arena layout.
    fn add_depth_first(
        &mut self,
        ast: &Ast,
        first: ExprId,
        root: ExprId,
        scope: &Scope,
    ) -> Result<NodeId, Error> {
        let mut memo = Memo::new(first, root);
        // A binary tree of n syntax nodes has at most n/2 operators.
        self.reserve_operations(memo.slots.len() / 2 + 1);
        let mut work = vec![Work::Enter(root)];
        while let Some(item) = work.pop() {
            match item {
                Work::Enter(id) => self.enter(ast, id, scope, &mut work, &mut memo)?,
                Work::Exit(id) => {
                    let node = self.exit(ast, id, scope, &memo)?;
                    memo.insert(id, node);
                }
                Work::ExitChain(head, op, operands) => {
                    let node = self.exit_chain(ast, head, op, &operands, scope, &mut memo)?;
                    memo.insert(head, node);
                }
            }
        }
        memo.get(&root).copied().ok_or_else(|| {
            Error::with_detail(
                ErrorKind::Internal,
                ast.get(root).span,
                "expression was not built",
            )
        })
    }

    /// The node of a leaf: a number literal or a name (resolved in
    /// `scope`); `None` for any other expression.
    pub(super) fn leaf(&mut self, expr: &Expr, scope: &Scope) -> Result<Option<NodeId>, Error> {
        let span = expr.span;
        let node = match &expr.kind {
            ExprKind::Number(text) => self.literal(text, span)?,
            ExprKind::Var(name) => match scope.get(name) {
                Some(Binding::Node(node)) => *node,
                Some(Binding::Failed(e)) => self.failure(e.clone(), Inputs::None)?,
                None => match value::constant(name) {
                    Some(v) => self.constant(v, span)?,
                    None => self.failure(
                        Error::with_detail(ErrorKind::UnknownVariable, span, format!("`{name}`")),
                        Inputs::None,
                    )?,
                },
            },
            _ => return Ok(None),
        };
        Ok(Some(node))
    }

    /// The node of a number literal. A small integer whose node exists
    /// (and within the bit limit) is found without building its value.
    fn literal(&mut self, text: &str, span: Span) -> Result<NodeId, Error> {
        if let Some(n) = value::small_int(text)
            && u64::from(u64::BITS - n.unsigned_abs().leading_zeros()) <= self.limits.value.max_bits
            && let Some(id) = self.index().int(n)
        {
            return Ok(id);
        }
        match value::parse_literal(text, &self.limits.value) {
            Ok(v) => self.constant(v, span),
            Err(fault) => self.failure(Error::from_fault(fault, span), Inputs::None),
        }
    }

    fn enter(
        &mut self,
        ast: &Ast,
        id: ExprId,
        scope: &Scope,
        work: &mut Vec<Work>,
        memo: &mut Memo,
    ) -> Result<(), Error> {
        let expr = ast.get(id);
        match &expr.kind {
            ExprKind::Number(_) | ExprKind::Var(_) => {
                if let Some(node) = self.leaf(expr, scope)? {
                    memo.insert(id, node);
                }
            }
            ExprKind::Call {
                name, name_span, ..
            } if self.unknown_function(name, scope) => {
                let error =
                    Error::with_detail(ErrorKind::UnknownFunction, *name_span, format!("`{name}`"));
                let node = self.failure(error, Inputs::None)?;
                memo.insert(id, node);
            }
            ExprKind::Binary(op @ (BinOp::Add | BinOp::Mul), left, right)
                if self.limits.rebalance
                    && (same_op(ast, *left, *op) || same_op(ast, *right, *op)) =>
            {
                // A chain of three operands or more (checked without
                // allocating: most `+`/`*` nodes are not chains).
                let operands = flatten_chain(ast, id, *op);
                if operands.len() > 2 {
                    work.push(Work::ExitChain(id, *op, operands.clone()));
                    work.extend(operands.into_iter().rev().map(Work::Enter));
                } else {
                    work.push(Work::Exit(id));
                    work.extend(ast.children(id).iter().rev().copied().map(Work::Enter));
                }
            }
            _ => {
                work.push(Work::Exit(id));
                work.extend(ast.children(id).iter().rev().copied().map(Work::Enter));
            }
        }
        Ok(())
    }

    /// Whether a call of `name` names no function: not a user function,
    /// `if`, a host function or a built-in.
    fn unknown_function(&self, name: &str, scope: &Scope) -> bool {
        Builtin::from_name(name).is_none()
            && name != "if"
            && scope.function(name).is_none()
            && self.host_functions().get(name).is_none()
    }

    fn exit(&mut self, ast: &Ast, id: ExprId, scope: &Scope, memo: &Memo) -> Result<NodeId, Error> {
        let expr = ast.get(id);
        let children = ast.children(id);
        let built = |child: &ExprId| {
            memo.get(child).copied().ok_or_else(|| {
                Error::with_detail(ErrorKind::Internal, expr.span, "child was not built")
            })
        };
        // No allocation for the common one or two inputs.
        let inputs = match *children {
            [a] => Inputs::from([built(&a)?]),
            [a, b] => Inputs::from([built(&a)?, built(&b)?]),
            _ => Inputs::from(children.iter().map(built).collect::<Result<Vec<_>, _>>()?),
        };
        match &expr.kind {
            ExprKind::Unary(UnOp::Plus, _) => Ok(inputs[0]),
            ExprKind::Unary(op, _) => self.operation(Op::Unary(*op), inputs, expr.span),
            ExprKind::Binary(op, ..) => self.operation(Op::Binary(*op), inputs, expr.span),
            ExprKind::Call { name, .. } if let Some(def) = scope.function(name) => {
                self.user_call(def, inputs.to_vec(), scope, expr.span)
            }
            ExprKind::Call { name, .. } if &**name == "if" => {
                if inputs.len() == 3 {
                    self.operation(Op::If, inputs, expr.span)
                } else {
                    let error = Error::with_detail(
                        ErrorKind::WrongArity,
                        expr.span,
                        format!("if takes 3 arguments, got {}", inputs.len()),
                    );
                    self.failure(error, inputs)
                }
            }
            ExprKind::Call { name, .. }
                if let Some(f) = self.host_functions().get(name).cloned() =>
            {
                if f.arity().accepts(inputs.len()) {
                    self.operation(Op::Host(f), inputs, expr.span)
                } else {
                    let error = arity_error(name, &f.arity(), inputs.len(), expr.span);
                    self.failure(error, inputs)
                }
            }
            ExprKind::Call { name, .. } => {
                let Some(f) = Builtin::from_name(name) else {
                    return Err(Error::with_detail(
                        ErrorKind::Internal,
                        expr.span,
                        "unknown function reached exit",
                    ));
                };
                if f.arity().accepts(inputs.len()) {
                    self.operation(Op::Call(f), inputs, expr.span)
                } else {
                    let error = Error::with_detail(
                        ErrorKind::WrongArity,
                        expr.span,
                        format!(
                            "{name} takes {} argument{}, got {}",
                            f.arity(),
                            plural(&f.arity()),
                            inputs.len()
                        ),
                    );
                    self.failure(error, inputs)
                }
            }
            ExprKind::Number(_) | ExprKind::Var(_) => memo.get(&id).copied().ok_or_else(|| {
                Error::with_detail(ErrorKind::Internal, expr.span, "leaf was not built")
            }),
        }
    }

    /// Builds a flattened chain: balanced when every operand is certainly
    /// exact (exact `+` and `*` are associative), else in its written shape.
    fn exit_chain(
        &mut self,
        ast: &Ast,
        head: ExprId,
        op: BinOp,
        operands: &[ExprId],
        scope: &Scope,
        memo: &mut Memo,
    ) -> Result<NodeId, Error> {
        let mut level = Vec::with_capacity(operands.len());
        for operand in operands {
            let node = memo.get(operand).copied().ok_or_else(|| {
                Error::with_detail(
                    ErrorKind::Internal,
                    ast.get(head).span,
                    "operand was not built",
                )
            })?;
            level.push((node, ast.get(*operand).span));
        }
        if level.iter().all(|(node, _)| self.node(*node).exact()) {
            return self.balanced(op, level)?.ok_or_else(|| {
                Error::with_detail(ErrorKind::Internal, ast.get(head).span, "empty chain")
            });
        }
        // Not certainly exact: rebuild the written shape bottom-up.
        let mut order = Vec::new();
        let mut stack = vec![head];
        while let Some(id) = stack.pop() {
            if let ExprKind::Binary(o, l, r) = &ast.get(id).kind
                && *o == op
                && !memo.contains_key(&id)
            {
                order.push(id);
                stack.push(*l);
                stack.push(*r);
            }
        }
        for id in order.into_iter().rev() {
            let node = self.exit(ast, id, scope, memo)?;
            memo.insert(id, node);
        }
        memo.get(&head).copied().ok_or_else(|| {
            Error::with_detail(
                ErrorKind::Internal,
                ast.get(head).span,
                "chain was not built",
            )
        })
    }
}

/// Whether `id` is an `op` node (so the `op` above it heads a chain).
fn same_op(ast: &Ast, id: ExprId, op: BinOp) -> bool {
    matches!(ast.get(id).kind, ExprKind::Binary(o, ..) if o == op)
}

/// The operands of the maximal `op` chain under `head`, left to right.
fn flatten_chain(ast: &Ast, head: ExprId, op: BinOp) -> Vec<ExprId> {
    let mut operands = Vec::new();
    let mut stack = vec![head];
    while let Some(id) = stack.pop() {
        match &ast.get(id).kind {
            ExprKind::Binary(o, l, r) if *o == op => {
                stack.push(*r);
                stack.push(*l);
            }
            _ => operands.push(id),
        }
    }
    operands
}

/// AST node → DAG node, for the arena range of one expression.
struct Memo {
    first: u32,
    slots: Vec<Option<NodeId>>,
}

impl Memo {
    fn new(first: ExprId, last: ExprId) -> Memo {
        let len = last.0.saturating_sub(first.0) as usize + 1;
        Memo {
            first: first.0,
            slots: vec![None; len],
        }
    }

    fn slot(&self, id: &ExprId) -> Option<usize> {
        id.0.checked_sub(self.first)
            .map(|i| i as usize)
            .filter(|&i| i < self.slots.len())
    }

    fn get(&self, id: &ExprId) -> Option<&NodeId> {
        self.slot(id).and_then(|s| self.slots[s].as_ref())
    }

    fn contains_key(&self, id: &ExprId) -> bool {
        self.get(id).is_some()
    }

    fn insert(&mut self, id: ExprId, node: NodeId) {
        if let Some(slot) = self.slot(&id) {
            self.slots[slot] = Some(node);
        }
    }
}
