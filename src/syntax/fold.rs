//! Folding a statement's flat token stream (pest's `Start`/`End` tokens, or
//! the same tokens from the fast scanner) into an [`Ast`] with an iterative
//! operator-precedence parser (shunting-yard), so no pass recurses on the
//! depth of the input: a million prefix minuses or a 100,000-long `^` chain
//! fold with a few heap vectors.

use super::ast::{Ast, ExprId, ExprKind};
use super::grammar::Rule;
use super::scan::Sink;
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

#[derive(Default)]
struct ExprFrame {
    /// Where the parentheses around this expression start, if any.
    paren: Option<usize>,
    operands: Vec<ExprId>,
    ops: Vec<StackedOp>,
}

struct CallFrame {
    name: Box<str>,
    name_span: Span,
    start: usize,
    args: Vec<ExprId>,
}

enum Frame {
    Expr(ExprFrame),
    Call(CallFrame),
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

impl ExprFrame {
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

/// What a statement's tokens fold into: its target, parameters and the
/// root of its expression (spans offset by the statement's position).
#[derive(Default)]
pub(super) struct Folded {
    pub(super) target: Option<(Box<str>, Span)>,
    pub(super) params: Option<Vec<(Box<str>, Span)>>,
    pub(super) expr: Option<ExprId>,
}

/// Folds tokens into `ast` as they arrive (a [`Sink`]).
pub(super) struct Folder<'a, 't> {
    ast: &'a mut Ast,
    text: &'t str,
    offset: usize,
    stack: Vec<Frame>,
    /// Where the current atomic token (number, name, operator) started.
    token_start: usize,
    /// Where a `(` just opened, for the expression inside it.
    paren: Option<usize>,
    /// A parenthesised expression that ended, waiting for its `)`.
    closed: Option<(ExprId, usize)>,
    folded: Folded,
    /// The tokens were not what the grammar produces.
    broken: bool,
}

impl<'a, 't> Folder<'a, 't> {
    pub(super) fn new(ast: &'a mut Ast, text: &'t str, offset: usize) -> Self {
        Folder {
            ast,
            text,
            offset,
            stack: Vec::new(),
            token_start: 0,
            paren: None,
            closed: None,
            folded: Folded::default(),
            broken: false,
        }
    }

    /// The statement, or `None` if the tokens were malformed.
    pub(super) fn finish(self) -> Option<Folded> {
        (!self.broken && self.stack.is_empty()).then_some(self.folded)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.offset + start, self.offset + end)
    }

    fn token_text(&self, end: usize) -> &'t str {
        self.text.get(self.token_start..end).unwrap_or("")
    }

    fn top_expr(&mut self) -> Option<&mut ExprFrame> {
        match self.stack.last_mut() {
            Some(Frame::Expr(frame)) => Some(frame),
            _ => None,
        }
    }

    /// Gives a finished expression or call to the level around it.
    fn deliver(&mut self, id: ExprId) {
        match self.stack.last_mut() {
            None => self.folded.expr = Some(id),
            Some(Frame::Expr(parent)) => parent.operands.push(id),
            Some(Frame::Call(parent)) => parent.args.push(id),
        }
    }

    fn end(&mut self, rule: Rule, pos: usize) -> Option<()> {
        let span = self.span(self.token_start, pos);
        match rule {
            Rule::number => {
                let kind = ExprKind::Number(self.token_text(pos).into());
                let id = self.ast.push(kind, span);
                self.top_expr()?.operands.push(id);
            }
            Rule::ident => {
                let kind = ExprKind::Var(self.token_text(pos).into());
                let id = self.ast.push(kind, span);
                self.top_expr()?.operands.push(id);
            }
            Rule::sign => {
                let op = if self.token_text(pos) == "-" {
                    UnOp::Neg
                } else {
                    UnOp::Plus
                };
                self.top_expr()?.ops.push(StackedOp {
                    op: Pending::Prefix(op),
                    prec: PREFIX_PREC,
                    start: span.start,
                });
            }
            Rule::factorial => {
                let ast = &mut *self.ast;
                let Some(Frame::Expr(frame)) = self.stack.last_mut() else {
                    return None;
                };
                let operand = frame.operands.pop()?;
                let span = ast.get(operand).span.to(span);
                frame
                    .operands
                    .push(ast.push(ExprKind::Unary(UnOp::Fact, operand), span));
            }
            Rule::infix | Rule::compare => {
                let (op, prec, right) = infix(self.token_text(pos))?;
                let ast = &mut *self.ast;
                let Some(Frame::Expr(frame)) = self.stack.last_mut() else {
                    return None;
                };
                frame.push_infix(ast, op, prec, right, span.start);
            }
            Rule::name => {
                let name = self.token_text(pos).into();
                let Some(Frame::Call(call)) = self.stack.last_mut() else {
                    return None;
                };
                call.name = name;
                call.name_span = span;
            }
            Rule::target => self.folded.target = Some((self.token_text(pos).into(), span)),
            Rule::param => {
                let param = (self.token_text(pos).into(), span);
                self.folded.params.get_or_insert_with(Vec::new).push(param);
            }
            Rule::definition => {
                self.folded.params.get_or_insert_with(Vec::new);
            }
            Rule::expr => {
                let Some(Frame::Expr(frame)) = self.stack.pop() else {
                    return None;
                };
                let paren = frame.paren;
                let id = frame.finish(self.ast)?;
                match paren {
                    Some(start) => self.closed = Some((id, start)),
                    None => self.deliver(id),
                }
            }
            Rule::paren => {
                let (id, start) = self.closed.take()?;
                let span = self.span(start, pos);
                self.ast.set_span(id, span);
                self.top_expr()?.operands.push(id);
            }
            Rule::call => {
                let Some(Frame::Call(call)) = self.stack.pop() else {
                    return None;
                };
                let span = self.span(call.start, pos);
                let id = self.ast.push(
                    ExprKind::Call {
                        name: call.name,
                        name_span: call.name_span,
                        args: call.args,
                    },
                    span,
                );
                self.top_expr()?.operands.push(id);
            }
            _ => {}
        }
        Some(())
    }
}

impl Sink for Folder<'_, '_> {
    #[inline]
    fn token(&mut self, rule: Rule, start: bool, pos: usize) {
        if self.broken {
            return;
        }
        if !start {
            self.broken = self.end(rule, pos).is_none();
            return;
        }
        match rule {
            Rule::expr => {
                let paren = self.paren.take();
                self.stack.push(Frame::Expr(ExprFrame {
                    paren,
                    ..ExprFrame::default()
                }));
            }
            Rule::paren => self.paren = Some(pos),
            Rule::call => self.stack.push(Frame::Call(CallFrame {
                name: Box::from(""),
                name_span: Span::new(0, 0),
                start: pos,
                args: Vec::new(),
            })),
            _ => self.token_start = pos,
        }
    }
}
