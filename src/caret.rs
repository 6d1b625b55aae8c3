//! An error shown against its source: `line:column` and a caret under the
//! span, the report the command line prints and the Python package's
//! `Error.report()` gives ([`Error::report`], [`Error::position`]).

use std::fmt::Write;

use crate::Error;
use crate::syntax::LineIndex;

impl Error {
    /// The 1-based `(line, column)` where the error's span starts in
    /// `source` (the text its span indexes); columns count characters.
    ///
    /// ```
    /// let error = exprflow::eval("1 +\n 2/0").unwrap_err();
    /// assert_eq!(error.position("1 +\n 2/0"), (2, 2));
    /// ```
    pub fn position(&self, source: &str) -> (usize, usize) {
        let at = LineIndex::new(source).position(source, self.span.start);
        (at.line, at.column)
    }

    /// The caret report of the error against `source` (the text its span
    /// indexes), naming the text `origin`: the message, `origin:line:column`,
    /// the line (cut to a window around the span when long, control
    /// characters shown as `�`), a caret under the span, and a note per
    /// call the error came through.
    ///
    /// ```
    /// let error = exprflow::eval("1 + sqrt(-1)").unwrap_err();
    /// assert_eq!(
    ///     error.report("1 + sqrt(-1)", "<input>"),
    ///     "error: domain error: sqrt of a negative number\n \
    ///      --> <input>:1:5\n  |\n1 | 1 + sqrt(-1)\n  |     ^^^^^^^^\n"
    /// );
    /// ```
    pub fn report(&self, source: &str, origin: &str) -> String {
        let index = LineIndex::new(source);
        let mut text = render_error(self, source, &index, origin);
        text.push_str(&call_notes(self, &index));
        text
    }
}

/// Renders `error` against `source` (named `origin`), e.g.
///
/// ```text
/// error: division by zero
///  --> <stdin>:3:5
///   |
/// 3 | 1 + 1/0
///   |     ^^^
/// ```
pub(crate) fn render_error(error: &Error, source: &str, index: &LineIndex, origin: &str) -> String {
    /// Characters of the line shown around the caret.
    const WINDOW: usize = 100;
    /// Characters shown before the caret when the line is cut.
    const LEAD: usize = 40;
    let start = error.span.start.min(source.len());
    let at = index.position(source, start);
    let range = index.line_range(source, index.line_of(start));
    let line = source.get(range.clone()).unwrap_or("");
    let column = at.column - 1;
    let end = error.span.end.clamp(start + 1, range.end.max(start + 1));
    let caret_len = source
        .get(start..end.min(source.len()))
        .map_or(1, |s| s.chars().take(WINDOW).count())
        .max(1);
    // A window of the line around the caret, one printable character per
    // source character so the caret stays aligned.
    let from = column.saturating_sub(LEAD);
    let mut shown: String = if from > 0 {
        "…".to_string()
    } else {
        String::new()
    };
    let mut rest = line.chars().skip(from);
    shown.extend(rest.by_ref().take(WINDOW).map(printable));
    if rest.next().is_some() {
        shown.push('…');
    }
    let caret_at = column - from + usize::from(from > 0);
    let gutter = " ".repeat(at.line.to_string().len());
    let mut out = String::new();
    let _ = writeln!(out, "error: {error}");
    let _ = writeln!(out, "{gutter}--> {origin}:{at}");
    let _ = writeln!(out, "{gutter} |");
    let _ = writeln!(out, "{} | {}", at.line, shown);
    let _ = writeln!(
        out,
        "{gutter} | {}{}",
        " ".repeat(caret_at),
        "^".repeat(caret_len.min(WINDOW))
    );
    out
}

/// The notes naming the calls an error inside a function body came
/// through, innermost first: `= note: in inv(0), called at line 2`.
pub(crate) fn call_notes(error: &Error, index: &LineIndex) -> String {
    let mut out = String::new();
    for (span, call) in &error.calls.notes {
        let line = index.line_of(span.start) + 1;
        let _ = writeln!(out, "  = note: in {call}, called at line {line}");
    }
    if error.calls.more > 0 {
        let _ = writeln!(
            out,
            "  = note: ... and {} more call{} further out",
            error.calls.more,
            if error.calls.more == 1 { "" } else { "s" }
        );
    }
    out
}

/// One printable character for each source character: tabs become spaces
/// and other control characters a replacement character, so a hostile line
/// cannot drive the terminal and the caret stays under its column.
fn printable(c: char) -> char {
    match c {
        '\t' => ' ',
        c if c.is_control() => '\u{fffd}',
        c => c,
    }
}
