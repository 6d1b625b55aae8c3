//! One chunk of a split expression (`split::plan`), parsed on its own into
//! its own arena, with the spans of the whole statement.

use std::ops::Range;

use super::ast::{Ast, ExprId};
use crate::error::{Error, ErrorKind, Span};

/// Parses the chunk `range` of `text` (a statement at `offset`) into its
/// own arena: the arena and the chunk's root.
pub fn parse_chunk(
    text: &str,
    range: Range<usize>,
    offset: usize,
    max_depth: usize,
) -> Result<(Ast, ExprId), Error> {
    let start = range.start;
    let chunk = text.get(range).unwrap_or("");
    let mut ast = Ast::new();
    match super::parse_statement(&mut ast, chunk, offset + start, max_depth)? {
        Some(statement) if statement.target.is_none() => Ok((ast, statement.expr)),
        _ => Err(Error::with_detail(
            ErrorKind::Internal,
            Span::new(offset + start, offset + start + chunk.len()),
            "a chunk of a split expression is not an expression",
        )),
    }
}
