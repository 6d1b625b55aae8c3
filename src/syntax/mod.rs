//! Text → AST: the pest grammar, a nesting pre-scan, an iterative
//! precedence fold, a printer, and line/column positions.
//!
//! ```
//! let (ast, root) = exprflow::syntax::parse_expr("-2^2 + 3!").unwrap();
//! assert_eq!(exprflow::syntax::print(&ast, root), "-2^2 + 3!");
//! ```

mod ast;
mod depth;
mod errors;
mod fold;
mod grammar;
mod position;
mod print;

pub use ast::{Ast, Children, Expr, ExprId, ExprKind, Statement};
pub use depth::{DEFAULT_MAX_DEPTH, check_depth};
pub use position::{LineIndex, Position};
pub use print::print;

use pest::Parser;

use crate::error::{Error, ErrorKind, Span};
use grammar::{ExprParser, Rule};

/// Parses one statement of `text` into `ast`. Spans are offset by `offset`
/// (the position of `text` in a larger source). Returns `Ok(None)` for a
/// blank or comment-only statement.
pub fn parse_statement(
    ast: &mut Ast,
    text: &str,
    offset: usize,
    max_depth: usize,
) -> Result<Option<Statement>, Error> {
    if let Some(i) = text.find('\0') {
        return Err(Error::with_detail(
            ErrorKind::Syntax,
            Span::new(offset + i, offset + i + 1),
            "NUL byte in input",
        ));
    }
    check_depth(text, offset, max_depth)?;
    let mut pairs =
        ExprParser::parse(Rule::statement, text).map_err(|e| errors::from_pest(e, offset))?;
    let statement = pairs.next().ok_or_else(|| internal(text, offset))?;
    let span = Span::new(offset, offset + text.len());
    let first = ExprId(ast.len() as u32);
    let Some(body) = statement.into_inner().next() else {
        return Ok(None);
    };
    match body.as_rule() {
        Rule::EOI => Ok(None),
        Rule::expr => {
            let expr = fold::fold_expr(ast, body, offset).ok_or_else(|| internal(text, offset))?;
            Ok(Some(Statement {
                target: None,
                params: None,
                expr,
                first,
                span,
            }))
        }
        Rule::assignment => {
            let mut inner = body.into_inner();
            let (Some(target), Some(value)) = (inner.next(), inner.next()) else {
                return Err(internal(text, offset));
            };
            let target_span = target.as_span();
            let target_span = Span::new(offset + target_span.start(), offset + target_span.end());
            let expr = fold::fold_expr(ast, value, offset).ok_or_else(|| internal(text, offset))?;
            Ok(Some(Statement {
                target: Some((target.as_str().into(), target_span)),
                params: None,
                expr,
                first,
                span,
            }))
        }
        Rule::definition => {
            let to_span = |s: pest::Span<'_>| Span::new(offset + s.start(), offset + s.end());
            let mut target = None;
            let mut params = Vec::new();
            let mut expr = None;
            for pair in body.into_inner() {
                match pair.as_rule() {
                    Rule::target => target = Some((pair.as_str().into(), to_span(pair.as_span()))),
                    Rule::param => params.push((pair.as_str().into(), to_span(pair.as_span()))),
                    Rule::expr => expr = Some(pair),
                    _ => return Err(internal(text, offset)),
                }
            }
            let (Some(target), Some(body)) = (target, expr) else {
                return Err(internal(text, offset));
            };
            check_params(&target, &params)?;
            let expr = fold::fold_expr(ast, body, offset).ok_or_else(|| internal(text, offset))?;
            Ok(Some(Statement {
                target: Some(target),
                params: Some(params),
                expr,
                first,
                span,
            }))
        }
        _ => Err(internal(text, offset)),
    }
}

/// Runs only pest's generated parser over `text` (no fold into an AST), for
/// measuring what the grammar itself costs (feature `test-hooks`).
#[cfg(feature = "test-hooks")]
pub fn pest_only(text: &str) -> Result<(), Error> {
    ExprParser::parse(Rule::statement, text)
        .map(|_| ())
        .map_err(|e| errors::from_pest(e, 0))
}

/// A definition's name and parameters: `if` cannot be redefined, and a
/// parameter name appears once.
fn check_params(target: &(Box<str>, Span), params: &[(Box<str>, Span)]) -> Result<(), Error> {
    if &*target.0 == "if" {
        return Err(Error::with_detail(
            ErrorKind::Syntax,
            target.1,
            "`if` cannot be redefined",
        ));
    }
    for (k, (name, span)) in params.iter().enumerate() {
        if params[..k].iter().any(|(other, _)| other == name) {
            return Err(Error::with_detail(
                ErrorKind::Syntax,
                *span,
                format!("parameter `{name}` appears twice"),
            ));
        }
    }
    Ok(())
}

fn internal(text: &str, offset: usize) -> Error {
    Error::with_detail(
        ErrorKind::Internal,
        Span::new(offset, offset + text.len()),
        "the parser produced an unexpected tree",
    )
}

/// Parses a single expression (no assignment) into a fresh arena.
pub fn parse_expr(text: &str) -> Result<(Ast, ExprId), Error> {
    let mut ast = Ast::new();
    match parse_statement(&mut ast, text, 0, DEFAULT_MAX_DEPTH)? {
        Some(Statement {
            target: None, expr, ..
        }) => Ok((ast, expr)),
        Some(Statement {
            target: Some((_, span)),
            ..
        }) => Err(Error::with_detail(
            ErrorKind::Syntax,
            span,
            "expected an expression, found an assignment",
        )),
        None => Err(Error::with_detail(
            ErrorKind::Syntax,
            Span::new(text.len(), text.len()),
            "expected an expression",
        )),
    }
}

/// The name a statement that failed to parse meant to assign, if it looks
/// like `name = ...`, so that later uses of the name report the failure.
pub fn assignment_target(text: &str) -> Option<&str> {
    let (left, right) = text.split_once('=')?;
    let name = left.trim();
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (valid && !right.starts_with('=')).then_some(name)
}
