//! Text → AST: the pest grammar, a nesting pre-scan, an iterative
//! precedence fold, a printer, and line/column positions.
//!
//! ```
//! let (ast, root) = exprflow::testing::syntax::parse_expr("-2^2 + 3!").unwrap();
//! assert_eq!(exprflow::testing::syntax::print(&ast, root), "-2^2 + 3!");
//! ```

mod ast;
mod chunk;
mod depth;
mod errors;
mod fold;
mod grammar;
mod position;
#[cfg(any(test, feature = "test-hooks"))]
mod print;
mod scan;
mod split;

pub use ast::{Ast, Expr, ExprId, ExprKind, Statement};
#[cfg(any(test, feature = "test-hooks"))]
pub use ast::{Children, Literal};
pub use chunk::parse_chunk;
pub use depth::{DEFAULT_MAX_DEPTH, check_depth};
pub use position::{LineIndex, Position};
#[cfg(any(test, feature = "test-hooks"))]
pub use print::print;
pub use split::{Piece, Plan, plan};

use pest::Parser;
use pest::Token;
use scan::Sink;

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
    let first = ExprId(ast.len() as u32);
    let mut folder = fold::Folder::new(ast, text, offset);
    let folded = match scan::scan(text, &mut folder) {
        Some(()) => folder.finish(),
        None => None,
    };
    let folded = match folded {
        Some(folded) => folded,
        None => {
            // Declined by the fast scanner: pest parses it, or says why not.
            ast.truncate(first.0 as usize);
            let pairs = ExprParser::parse(Rule::statement, text)
                .map_err(|e| errors::from_pest(e, offset))?;
            let mut folder = fold::Folder::new(ast, text, offset);
            for token in pairs.tokens() {
                match token {
                    Token::Start { rule, pos } => folder.token(rule, true, pos.pos()),
                    Token::End { rule, pos } => folder.token(rule, false, pos.pos()),
                }
            }
            folder.finish().ok_or_else(|| internal(text, offset))?
        }
    };
    let span = Span::new(offset, offset + text.len());
    let Some(expr) = folded.expr else {
        return Ok(None);
    };
    if let (Some(target), Some(params)) = (&folded.target, &folded.params)
        && let Err(e) = check_params(target, params)
    {
        ast.truncate(first.0 as usize);
        return Err(e);
    }
    Ok(Some(Statement {
        target: folded.target,
        params: folded.params,
        expr,
        first,
        span,
    }))
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
#[cfg(any(test, feature = "test-hooks"))]
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
    (is_identifier(name) && !right.starts_with('=')).then_some(name)
}

/// Whether `name` is an identifier of the language: `[A-Za-z_][A-Za-z0-9_]*`.
///
/// ```
/// assert!(exprflow::testing::syntax::is_identifier("price_2"));
/// assert!(!exprflow::testing::syntax::is_identifier("2x"));
/// ```
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
