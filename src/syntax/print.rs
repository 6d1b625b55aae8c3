//! Writing an AST back as text with as few parentheses as the grammar needs,
//! so that parsing the printed text gives the same tree. Iterative.

use super::ast::{Ast, ExprId, ExprKind};
use crate::value::{BinOp, UnOp};

/// How tightly a node binds; a child that binds less tightly than its
/// position allows is parenthesised.
fn binding(kind: &ExprKind) -> u8 {
    match kind {
        ExprKind::Binary(op, ..) if op.is_comparison() => 0,
        ExprKind::Binary(BinOp::Add | BinOp::Sub, ..) => 1,
        ExprKind::Binary(BinOp::Pow, ..) => 4,
        ExprKind::Binary(..) => 2,
        ExprKind::Unary(UnOp::Fact, _) => 5,
        ExprKind::Unary(..) => 3,
        ExprKind::Number(_) | ExprKind::Var(_) | ExprKind::Call { .. } => 6,
    }
}

enum Task<'a> {
    Visit(ExprId, bool),
    Text(&'a str),
}

/// Prints the expression at `root` in a form that parses back to the same tree.
///
/// ```
/// let (ast, root) = exprflow::testing::syntax::parse_expr("(1 + 2) * -(3 ^ 2)").unwrap();
/// assert_eq!(exprflow::testing::syntax::print(&ast, root), "(1 + 2) * -3^2");
/// ```
pub fn print(ast: &Ast, root: ExprId) -> String {
    let mut out = String::new();
    let mut work = vec![Task::Visit(root, false)];
    while let Some(task) = work.pop() {
        let (id, parens) = match task {
            Task::Text(text) => {
                out.push_str(text);
                continue;
            }
            Task::Visit(id, parens) => (id, parens),
        };
        if parens {
            out.push('(');
            work.push(Task::Text(")"));
        }
        let kind = &ast.get(id).kind;
        match kind {
            ExprKind::Number(text) => out.push_str(text),
            ExprKind::Var(text) => out.push_str(text),
            ExprKind::Call { name, args, .. } => {
                out.push_str(name);
                out.push('(');
                work.push(Task::Text(")"));
                for (i, arg) in args.iter().enumerate().rev() {
                    work.push(Task::Visit(*arg, false));
                    if i > 0 {
                        work.push(Task::Text(", "));
                    }
                }
            }
            ExprKind::Unary(UnOp::Fact, child) => {
                work.push(Task::Text("!"));
                work.push(Task::Visit(*child, binding(&ast.get(*child).kind) < 5));
            }
            ExprKind::Unary(op, child) => {
                out.push_str(if *op == UnOp::Neg { "-" } else { "+" });
                work.push(Task::Visit(*child, binding(&ast.get(*child).kind) < 3));
            }
            ExprKind::Binary(BinOp::Pow, base, exponent) => {
                work.push(Task::Visit(
                    *exponent,
                    binding(&ast.get(*exponent).kind) < 3,
                ));
                work.push(Task::Text("^"));
                work.push(Task::Visit(*base, binding(&ast.get(*base).kind) <= 4));
            }
            ExprKind::Binary(op, left, right) => {
                let own = binding(kind);
                work.push(Task::Visit(*right, binding(&ast.get(*right).kind) <= own));
                work.push(Task::Text(match op {
                    BinOp::Add => " + ",
                    BinOp::Sub => " - ",
                    BinOp::Mul => " * ",
                    BinOp::Div => " / ",
                    BinOp::FloorDiv => " // ",
                    BinOp::Mod => " % ",
                    BinOp::Pow => "^",
                    BinOp::Lt => " < ",
                    BinOp::Le => " <= ",
                    BinOp::Gt => " > ",
                    BinOp::Ge => " >= ",
                    BinOp::Eq => " == ",
                    BinOp::Ne => " != ",
                }));
                // Comparisons do not chain: a comparison on the left needs
                // parentheses too.
                let left_binding = binding(&ast.get(*left).kind);
                let parens = left_binding < own || (own == 0 && left_binding == 0);
                work.push(Task::Visit(*left, parens));
            }
        }
    }
    out
}
