//! Folding pest's flat pair stream into an [`Ast`] with an iterative
//! operator-precedence parser (shunting-yard), so no pass recurses on the
//! depth of the input: a million prefix minuses or a 100,000-long `^` chain
//! fold with a few heap vectors.

use pest::iterators::{Pair, Pairs};

use super::ast::{Ast, ExprId, ExprKind};
use super::grammar::Rule;
use crate::error::Span;
use crate::value::{BinOp, UnOp};

/// Binding power of prefix `-`/`+`: above `*`, below `^` (so `-2^2` is -4).
const PREFIX_PREC: u8 = 3;

#[derive(Clone, Copy)]
enum Pending {
    Prefix(UnOp),
    Infix(BinOp),
}

#[derive(Clone, Copy)]
struct StackedOp {
    op: Pending,
    prec: u8,
    start: usize,
}

struct ExprFrame<'i> {
    pairs: Pairs<'i, Rule>,
    /// The span including parentheses, for a parenthesised expression.
    parens: Option<Span>,
    operands: Vec<ExprId>,
    ops: Vec<StackedOp>,
}

struct CallFrame<'i> {
    pairs: Pairs<'i, Rule>,
    name: Box<str>,
    name_span: Span,
    span: Span,
    args: Vec<ExprId>,
}

enum Frame<'i> {
    Expr(ExprFrame<'i>),
    Call(CallFrame<'i>),
}

fn span_of(pair: &Pair<'_, Rule>, offset: usize) -> Span {
    let s = pair.as_span();
    Span::new(offset + s.start(), offset + s.end())
}

fn infix(text: &str) -> Option<(BinOp, u8, bool)> {
    Some(match text {
        "+" => (BinOp::Add, 1, false),
        "-" => (BinOp::Sub, 1, false),
        "*" => (BinOp::Mul, 2, false),
        "/" => (BinOp::Div, 2, false),
        "//" => (BinOp::FloorDiv, 2, false),
        "%" => (BinOp::Mod, 2, false),
        "^" | "**" => (BinOp::Pow, 4, true),
        "<" => (BinOp::Lt, 0, false),
        "<=" => (BinOp::Le, 0, false),
        ">" => (BinOp::Gt, 0, false),
        ">=" => (BinOp::Ge, 0, false),
        "==" => (BinOp::Eq, 0, false),
        "!=" => (BinOp::Ne, 0, false),
        _ => return None,
    })
}

impl ExprFrame<'_> {
    fn reduce_top(&mut self, ast: &mut Ast) {
        let Some(top) = self.ops.pop() else { return };
        match top.op {
            Pending::Prefix(op) => {
                if let Some(operand) = self.operands.pop() {
                    let span = Span::new(top.start, ast.get(operand).span.end);
                    self.operands
                        .push(ast.push(ExprKind::Unary(op, operand), span));
                }
            }
            Pending::Infix(op) => {
                if let (Some(right), Some(left)) = (self.operands.pop(), self.operands.pop()) {
                    let span = ast.get(left).span.to(ast.get(right).span);
                    self.operands
                        .push(ast.push(ExprKind::Binary(op, left, right), span));
                }
            }
        }
    }

    fn push_infix(&mut self, ast: &mut Ast, op: BinOp, prec: u8, right_assoc: bool, start: usize) {
        while let Some(top) = self.ops.last() {
            let binds_tighter = top.prec > prec || (top.prec == prec && !right_assoc);
            if !binds_tighter {
                break;
            }
            self.reduce_top(ast);
        }
        self.ops.push(StackedOp {
            op: Pending::Infix(op),
            prec,
            start,
        });
    }

    fn finish(mut self, ast: &mut Ast) -> Option<ExprId> {
        while !self.ops.is_empty() {
            self.reduce_top(ast);
        }
        self.operands.pop()
    }
}

/// Folds one `expr` pair (grammar-checked) into `ast`; `offset` is added to spans.
/// Returns `None` only if the pair stream is not what the grammar produces.
pub fn fold_expr(ast: &mut Ast, expr: Pair<'_, Rule>, offset: usize) -> Option<ExprId> {
    let mut stack = vec![Frame::Expr(ExprFrame {
        pairs: expr.into_inner(),
        parens: None,
        operands: Vec::new(),
        ops: Vec::new(),
    })];
    let mut finished: Option<ExprId> = None;
    loop {
        // Deliver the value of a frame that just finished to its parent.
        if let Some(id) = finished.take() {
            match stack.last_mut() {
                None => return Some(id),
                Some(Frame::Expr(parent)) => parent.operands.push(id),
                Some(Frame::Call(parent)) => parent.args.push(id),
            }
        }
        let top = stack.last_mut()?;
        match top {
            Frame::Expr(frame) => {
                let Some(pair) = frame.pairs.next() else {
                    let Some(Frame::Expr(frame)) = stack.pop() else {
                        return None;
                    };
                    let parens = frame.parens;
                    let id = frame.finish(ast)?;
                    if let Some(span) = parens {
                        ast.set_span(id, span);
                    }
                    finished = Some(id);
                    continue;
                };
                let span = span_of(&pair, offset);
                match pair.as_rule() {
                    Rule::sign => frame.ops.push(StackedOp {
                        op: Pending::Prefix(if pair.as_str() == "-" {
                            UnOp::Neg
                        } else {
                            UnOp::Plus
                        }),
                        prec: PREFIX_PREC,
                        start: span.start,
                    }),
                    Rule::number => frame
                        .operands
                        .push(ast.push(ExprKind::Number(pair.as_str().into()), span)),
                    Rule::ident => frame
                        .operands
                        .push(ast.push(ExprKind::Var(pair.as_str().into()), span)),
                    Rule::factorial => {
                        let operand = frame.operands.pop()?;
                        let span = ast.get(operand).span.to(span);
                        frame
                            .operands
                            .push(ast.push(ExprKind::Unary(UnOp::Fact, operand), span));
                    }
                    Rule::paren => {
                        let inner = pair.into_inner().next()?;
                        stack.push(Frame::Expr(ExprFrame {
                            pairs: inner.into_inner(),
                            parens: Some(span),
                            operands: Vec::new(),
                            ops: Vec::new(),
                        }));
                    }
                    Rule::call => {
                        let mut pairs = pair.into_inner();
                        let name = pairs.next()?;
                        stack.push(Frame::Call(CallFrame {
                            name: name.as_str().into(),
                            name_span: span_of(&name, offset),
                            span,
                            pairs,
                            args: Vec::new(),
                        }));
                    }
                    Rule::infix | Rule::compare => {
                        let (op, prec, right) = infix(pair.as_str())?;
                        frame.push_infix(ast, op, prec, right, span.start);
                    }
                    _ => return None,
                }
            }
            Frame::Call(frame) => match frame.pairs.next() {
                Some(pair) => stack.push(Frame::Expr(ExprFrame {
                    pairs: pair.into_inner(),
                    parens: None,
                    operands: Vec::new(),
                    ops: Vec::new(),
                })),
                None => {
                    let Some(Frame::Call(call)) = stack.pop() else {
                        return None;
                    };
                    finished = Some(ast.push(
                        ExprKind::Call {
                            name: call.name,
                            name_span: call.name_span,
                            args: call.args,
                        },
                        call.span,
                    ));
                }
            },
        }
    }
}
