//! Turning pest's errors into [`Error`]s with friendly wording.

use pest::error::{ErrorVariant, InputLocation};

use super::grammar::Rule;
use crate::error::{Error, ErrorKind, Span};

fn describe(rule: &Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of input",
        Rule::expr
        | Rule::statement
        | Rule::assignment
        | Rule::definition
        | Rule::number
        | Rule::ident
        | Rule::name
        | Rule::call
        | Rule::paren
        | Rule::sign => "an expression",
        Rule::target | Rule::param => "a name",
        Rule::factorial | Rule::infix | Rule::compare => "an operator",
        _ => "something else",
    }
}

fn list(rules: &[Rule]) -> String {
    let mut words: Vec<&str> = rules.iter().map(describe).collect();
    words.dedup();
    let mut seen = Vec::new();
    for w in words {
        if !seen.contains(&w) {
            seen.push(w);
        }
    }
    match seen.as_slice() {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// Converts a pest error; `offset` is added to its position.
pub fn from_pest(error: pest::error::Error<Rule>, offset: usize) -> Error {
    let (start, end) = match error.location {
        InputLocation::Pos(p) => (p, p + 1),
        InputLocation::Span((s, e)) => (s, e.max(s + 1)),
    };
    let span = Span::new(offset + start, offset + end);
    let detail = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let found = error
                .line()
                .get(error_column_byte(&error)..)
                .and_then(|rest| rest.chars().next())
                .map(|c| format!("`{}`", c.escape_debug()))
                .unwrap_or_else(|| "end of input".to_string());
            let mut expected = list(positives);
            if open_parens(error.line(), error_column_byte(&error))
                && !positives.contains(&Rule::expr)
            {
                expected = format!("{expected} or `)`").replacen(
                    " or ",
                    ", ",
                    usize::from(expected.contains(" or ")),
                );
            }
            let rest = error.line().get(error_column_byte(&error)..).unwrap_or("");
            let chained = ["<=", ">=", "<", ">", "==", "!="]
                .into_iter()
                .find(|op| rest.starts_with(op));
            if let Some(op) = chained
                && !positives.contains(&Rule::compare)
            {
                format!("comparisons do not chain, found `{op}`")
            } else if let Some((typed, ascii)) = ascii_spelling(rest) {
                let write = if ascii.trim().is_empty() {
                    "a plain space".to_string()
                } else {
                    format!("`{ascii}`")
                };
                format!(
                    "expected {expected}, found `{typed}`: write {write} (exprflow reads ASCII only)"
                )
            } else {
                format!("expected {expected}, found {found}")
            }
        }
        ErrorVariant::CustomError { message } => {
            if message.contains("limit reached") {
                return Error::with_detail(
                    ErrorKind::NestingTooDeep,
                    span,
                    "the parser ran out of stack",
                );
            }
            message.clone()
        }
    };
    Error::with_detail(ErrorKind::Syntax, span, detail)
}

/// The byte index, within the error's line, of the error position.
fn error_column_byte(error: &pest::error::Error<Rule>) -> usize {
    let col = match error.line_col {
        pest::error::LineColLocation::Pos((_, c))
        | pest::error::LineColLocation::Span((_, c), _) => c,
    };
    error
        .line()
        .char_indices()
        .nth(col.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(error.line().len())
}

/// Whether more parentheses are open than closed before byte `upto` of `line`.
fn open_parens(line: &str, upto: usize) -> bool {
    let before = line.get(..upto).unwrap_or(line);
    before.matches('(').count() > before.matches(')').count()
}

/// For text that starts with a character people type from other
/// calculators, keyboards or papers (`×`, `−`, `÷`, `π`, full-width
/// digits...), that run of characters and its ASCII spelling:
/// `("１２", "12")`, `("×", "*")`.
fn ascii_spelling(rest: &str) -> Option<(String, String)> {
    let mut typed = String::new();
    let mut ascii = String::new();
    for c in rest.chars() {
        let Some(spelled) = ascii_of(c) else {
            break;
        };
        typed.push(c);
        ascii.push_str(spelled.as_ref());
        // A run of full-width characters is spelled as one (`１２` → `12`);
        // a symbol alone (`×`, `π`) is enough.
        if !is_full_width(c) {
            break;
        }
    }
    (!typed.is_empty()).then_some((typed, ascii))
}

/// Full-width forms of ASCII (`１`, `＋`, `（`): U+FF01 to U+FF5E.
fn is_full_width(c: char) -> bool {
    ('\u{ff01}'..='\u{ff5e}').contains(&c)
}

/// The ASCII spelling of one look-alike character.
fn ascii_of(c: char) -> Option<std::borrow::Cow<'static, str>> {
    use std::borrow::Cow;
    if is_full_width(c) {
        let plain = char::from_u32(u32::from(c) - 0xfee0)?;
        return Some(Cow::Owned(plain.to_string()));
    }
    let spelled = match c {
        '×' | '⋅' | '·' | '∙' | '✕' | '∗' => "*",
        '−' | '–' | '—' | '‐' | '‑' => "-",
        '÷' | '∕' | '⁄' => "/",
        'π' | 'Π' => "pi",
        'τ' => "tau",
        'ℯ' => "e",
        '√' => "sqrt(...)",
        '²' => "^2",
        '³' => "^3",
        '≤' => "<=",
        '≥' => ">=",
        '≠' => "!=",
        '\u{a0}' | '\u{2009}' | '\u{202f}' | '\u{3000}' => " ",
        _ => return None,
    };
    Some(Cow::Borrowed(spelled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_are_spelled_in_ascii() {
        let spelled = |text: &str| ascii_spelling(text).map(|(_, ascii)| ascii);
        assert_eq!(spelled("× 4").as_deref(), Some("*"));
        assert_eq!(spelled("−1").as_deref(), Some("-"));
        assert_eq!(spelled("÷2").as_deref(), Some("/"));
        assert_eq!(spelled("π/2").as_deref(), Some("pi"));
        assert_eq!(spelled("１２３+1").as_deref(), Some("123"));
        assert_eq!(spelled("１＋２").as_deref(), Some("1+2"));
        assert_eq!(spelled("１２ 3").as_deref(), Some("12"));
        assert_eq!(spelled("x"), None);
        assert_eq!(spelled("é"), None);
    }
}
