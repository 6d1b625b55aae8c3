//! Showing errors with `file:line:column` and a caret under the span.

use std::fmt::Write;

use exprflow::Error;
use exprflow::syntax::LineIndex;

/// Renders `error` against `source` (named `origin`), e.g.
///
/// ```text
/// error: division by zero
///  --> <stdin>:3:5
///   |
/// 3 | 1 + 1/0
///   |     ^^^
/// ```
pub fn render_error(error: &Error, source: &str, index: &LineIndex, origin: &str) -> String {
    let at = index.position(source, error.span.start);
    let line = index.line_of(error.span.start.min(source.len()));
    let range = index.line_range(source, line);
    let text = &source[range.clone()];
    let gutter = at.line.to_string().len();
    let caret_start = at.column - 1;
    let end = error
        .span
        .end
        .clamp(error.span.start + 1, range.end.max(error.span.start + 1));
    let caret_len = source
        .get(error.span.start.min(source.len())..end.min(source.len()))
        .map_or(1, |s| s.chars().count())
        .max(1);
    let mut out = String::new();
    let _ = writeln!(out, "error: {error}");
    let _ = writeln!(out, "{:gutter$}--> {origin}:{at}", "");
    let _ = writeln!(out, "{:gutter$} |", "");
    let _ = writeln!(out, "{} | {}", at.line, shorten(text));
    let _ = writeln!(
        out,
        "{:gutter$} | {:caret_start$}{}",
        "",
        "",
        "^".repeat(caret_len.min(200))
    );
    out
}

/// Keeps a long line readable (the caret may then point past it).
fn shorten(text: &str) -> String {
    const MAX: usize = 400;
    if text.chars().count() <= MAX {
        return text.replace('\t', " ");
    }
    let mut s: String = text.chars().take(MAX).collect();
    s.push('…');
    s.replace('\t', " ")
}
