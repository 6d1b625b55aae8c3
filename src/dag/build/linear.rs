//! The fast way to build a parsed expression: its arena nodes in index
//! order, one pass, no work stack.
//!
//! The fold creates a tree's nodes in post-order (shunting-yard output is
//! reverse Polish), and post-order is exactly the order in which the
//! depth-first builder creates DAG nodes, so walking the arena range
//! `first..=root` front to back makes the same nodes in the same order
//! while reading the syntax tree sequentially (the depth-first walk jumps
//! around a tree far larger than the cache). [`Layout::of`] checks that
//! the range really is the root's subtree in post-order and notes what the
//! linear pass must skip; anything else (an arena built another way, an
//! unknown function, whose arguments the depth-first builder never builds)
//! gets `None` and the depth-first builder.

use super::super::Dag;
use super::super::scope::Scope;
use crate::syntax::{Ast, ExprId, ExprKind};
use crate::value::BinOp;

/// What a linear build of one arena range needs to know.
pub(super) struct Layout {
    /// The first node of the range (the root is the last).
    pub(super) first: ExprId,
    /// Per node of the range: an inner node of a `+`/`*` chain (its parent
    /// is the same operator), built by the chain's head, not on its own.
    pub(super) inner: Vec<bool>,
}

impl Layout {
    /// The layout of `root`'s subtree, or `None` if the linear pass would
    /// not build what the depth-first builder builds.
    pub(super) fn of(dag: &Dag, ast: &Ast, root: ExprId, scope: &Scope) -> Option<Layout> {
        if root.0 as usize >= ast.len() {
            return None;
        }
        let first = leftmost(ast, root);
        let n = (root.0 - first.0) as usize + 1;
        let rebalance = dag.limits.rebalance;
        // Per node, the first node of its subtree (the checks below make
        // each subtree the contiguous range ending at its root).
        let mut starts: Vec<u32> = Vec::with_capacity(n);
        let mut inner = vec![false; n];
        let local = |id: ExprId| id.0.checked_sub(first.0).map(|k| k as usize);
        for id in first.0..=root.0 {
            let start = match &ast.get(ExprId(id)).kind {
                ExprKind::Number(_) | ExprKind::Var(_) => id,
                ExprKind::Unary(_, child) => {
                    (child.0.wrapping_add(1) == id).then_some(())?;
                    *starts.get(local(*child)?)?
                }
                ExprKind::Binary(op, left, right) => {
                    (right.0.wrapping_add(1) == id).then_some(())?;
                    let right_start = *starts.get(local(*right)?)?;
                    (left.0.wrapping_add(1) == right_start).then_some(())?;
                    let start = *starts.get(local(*left)?)?;
                    if rebalance && matches!(op, BinOp::Add | BinOp::Mul) {
                        for child in [*left, *right] {
                            if super::same_op(ast, child, *op) {
                                *inner.get_mut(local(child)?)? = true;
                            }
                        }
                    }
                    start
                }
                ExprKind::Call { name, args, .. } => {
                    if dag.unknown_function(name, scope) {
                        return None;
                    }
                    let mut next = id;
                    for arg in args.iter().rev() {
                        (arg.0.wrapping_add(1) == next).then_some(())?;
                        next = *starts.get(local(*arg)?)?;
                    }
                    next
                }
            };
            starts.push(start);
        }
        (starts.last() == Some(&first.0)).then_some(Layout { first, inner })
    }

    /// Whether `id` is built by its chain's head.
    pub(super) fn is_inner(&self, id: ExprId) -> bool {
        id.0.checked_sub(self.first.0)
            .and_then(|k| self.inner.get(k as usize))
            .copied()
            .unwrap_or(false)
    }
}

/// The first node of `root`'s subtree in a post-order arena: down the
/// first children (a loop: any depth).
fn leftmost(ast: &Ast, root: ExprId) -> ExprId {
    let mut id = root;
    loop {
        let next = match &ast.get(id).kind {
            ExprKind::Unary(_, child) | ExprKind::Binary(_, child, _) => *child,
            ExprKind::Call { args, .. } => match args.first() {
                Some(arg) => *arg,
                None => return id,
            },
            ExprKind::Number(_) | ExprKind::Var(_) => return id,
        };
        // A child after its parent: not post-order (the caller checks).
        if next >= id {
            return id;
        }
        id = next;
    }
}

#[cfg(test)]
mod tests {
    use super::Layout;
    use crate::dag::{Dag, DagLimits, Scope};
    use crate::syntax::{Ast, DEFAULT_MAX_DEPTH, parse_statement};
    use proptest::prelude::*;

    /// Statements every build starts with: a user function and a variable.
    const PRELUDE: &[&str] = &["f(x, y) = x + y * 2", "v = 3 + 4 * 5"];

    /// Every node of `dag`: operation, inputs and span.
    fn nodes(dag: &Dag) -> Vec<String> {
        dag.ids()
            .map(|id| {
                let node = dag.node(id);
                let op = format!("{:?}", node.op);
                format!(
                    "{} {:?} {:?}",
                    without_def_ids(&op),
                    &*node.inputs,
                    node.span()
                )
            })
            .collect()
    }

    /// `text` without the digits after each `id: ` (a definition's id is
    /// a global counter, different in each build).
    fn without_def_ids(text: &str) -> String {
        let mut out = String::new();
        for (k, part) in text.split("id: ").enumerate() {
            if k > 0 {
                out.push_str("id: _");
            }
            out.push_str(part.trim_start_matches(|c: char| c.is_ascii_digit()));
        }
        out
    }

    /// Builds the prelude and `text` with the linear builder (where it
    /// applies) or the depth-first one; the DAG and the root's outcome.
    fn build(text: &str, limits: DagLimits, linear: bool) -> Option<(Vec<String>, String, bool)> {
        let mut dag = Dag::with_limits(limits);
        let mut scope = Scope::new();
        let mut ast = Ast::new();
        let mut used = false;
        let mut root = String::new();
        for (k, line) in PRELUDE.iter().chain([&text]).enumerate() {
            let statement = parse_statement(&mut ast, line, 0, DEFAULT_MAX_DEPTH).ok()??;
            if statement.params.is_some() {
                dag.add_statement(&ast, &statement, &mut scope).ok()?;
                continue;
            }
            let built = if linear {
                used |=
                    k == PRELUDE.len() && Layout::of(&dag, &ast, statement.expr, &scope).is_some();
                dag.add_expr_from(&ast, statement.first, statement.expr, &scope)
            } else {
                dag.add_depth_first(&ast, statement.first, statement.expr, &scope)
            };
            root = format!("{built:?}");
            if let (Some((name, _)), Ok(node)) = (&statement.target, &built) {
                scope.bind(name, crate::dag::Binding::Node(*node));
            }
        }
        Some((nodes(&dag), root, used))
    }

    fn expr() -> impl Strategy<Value = String> {
        let leaf = prop::sample::select(vec![
            "1", "2", "23", "0", "1.5", "1e400", "x", "v", "pi", "1_000",
        ])
        .prop_map(String::from);
        leaf.prop_recursive(6, 48, 3, |inner| {
            let op = prop::sample::select(vec!["+", "-", "*", "/", "^", "+", "*", "<"]);
            let call = prop::sample::select(vec!["f", "max", "if", "g", "abs", "sqrt"]);
            prop_oneof![
                (inner.clone(), op.clone(), inner.clone())
                    .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
                (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
                inner.clone().prop_map(|a| format!("-{a}")),
                inner.clone().prop_map(|a| format!("({a})!")),
                (call, prop::collection::vec(inner, 0..4))
                    .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            ]
        })
    }

    fn agrees(text: &str, limits: DagLimits) -> Result<bool, TestCaseError> {
        let linear = build(text, limits, true);
        let depth_first = build(text, limits, false);
        prop_assert_eq!(
            linear.as_ref().map(|(n, r, _)| (n, r)),
            depth_first.as_ref().map(|(n, r, _)| (n, r)),
            "text {:?}",
            text
        );
        Ok(linear.is_some_and(|(.., used)| used))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Same nodes, order, spans and outcome as the depth-first builder,
        /// also when the DAG fills up midway or chains are not rebalanced.
        #[test]
        fn linear_build_matches_depth_first(text in expr(), max_nodes in 0usize..40) {
            agrees(&text, DagLimits::default())?;
            agrees(&text, DagLimits { max_nodes, ..DagLimits::default() })?;
            agrees(&text, DagLimits { rebalance: false, ..DagLimits::default() })?;
        }
    }

    #[test]
    fn parsed_expressions_take_the_linear_path() {
        for text in [
            "1 + 2 * 3 + (4 + 5)",
            "-(2^3)! * max(1, v, 2) * f(1, 2)",
            "7",
        ] {
            assert!(
                agrees(text, DagLimits::default()).is_ok_and(|used| used),
                "{text}"
            );
        }
        // An unknown function's arguments are not built: the depth-first
        // builder does it.
        assert!(agrees("1 + g(2 + 3)", DagLimits::default()).is_ok_and(|used| !used));
    }
}
