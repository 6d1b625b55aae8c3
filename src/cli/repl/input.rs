//! Reading input: when a statement is complete, and where history lives.

use std::ffi::OsString;
use std::path::PathBuf;

/// How many more `(` than `)` `text` has, ignoring `#` comments. A
/// positive answer means the statement goes on on the next line.
pub fn open_parens(text: &str) -> i64 {
    let mut depth: i64 = 0;
    for line in text.split('\n') {
        let code = line.split_once('#').map_or(line, |(code, _)| code);
        for byte in code.bytes() {
            match byte {
                b'(' => depth += 1,
                b')' => depth -= 1,
                _ => {}
            }
        }
    }
    depth
}

/// A statement of several lines and the 0-based line it starts on.
pub type Piece = (usize, String);

/// Whether the code of `text` (comments left out) ends with an operator
/// that needs a right operand (`+`, `*`, `^`, `==`, ...), a `,` or an `=`:
/// `f(x) =` goes on on the next line. `!` (factorial) ends an operand.
fn ends_in_operator(text: &str) -> bool {
    // The last line with code on it: blank and comment-only lines inside
    // a statement do not end it.
    let code = text
        .rsplit('\n')
        .map(|line| {
            line.split_once('#')
                .map_or(line, |(code, _)| code)
                .trim_end()
        })
        .find(|code| !code.is_empty())
        .unwrap_or("");
    code.ends_with(['+', '-', '*', '/', '%', '^', '=', '<', '>', ','])
}

/// Splits `text` into statements: a line ends a statement unless it leaves
/// parentheses open or ends in an operator or `=` (then the statement goes
/// on on the next line). A `:load` line is always complete (file names may
/// hold parentheses).
/// Returns each complete statement with the 0-based line it starts on, and
/// the unfinished rest, if any, with its line.
pub fn split_statements(text: &str) -> (Vec<Piece>, Option<Piece>) {
    let mut done = Vec::new();
    let mut current = String::new();
    let mut first = 0;
    for (i, line) in text.split('\n').enumerate() {
        if current.is_empty() {
            first = i;
        } else {
            current.push('\n');
        }
        current.push_str(line);
        if current.trim_start().starts_with(":load")
            || (open_parens(&current) <= 0 && !ends_in_operator(&current))
        {
            done.push((first, std::mem::take(&mut current)));
        }
    }
    let rest = (!current.is_empty()).then_some((first, current));
    (done, rest)
}

/// Whether `text` needs more lines: its last statement leaves parentheses
/// open.
pub fn needs_more(text: &str) -> bool {
    split_statements(text).1.is_some()
}

/// The history file: `$XDG_STATE_HOME/exprflow/history`, or
/// `$HOME/.local/state/exprflow/history` when `XDG_STATE_HOME` is unset,
/// empty or relative (the XDG spec says to ignore relative paths).
pub fn history_path() -> Option<PathBuf> {
    history_path_from(std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME"))
}

/// [`history_path`] given the two variables' values.
pub fn history_path_from(
    xdg_state_home: Option<OsString>,
    home: Option<OsString>,
) -> Option<PathBuf> {
    let base = match xdg_state_home
        .map(PathBuf::from)
        .filter(|path| path.is_absolute())
    {
        Some(base) => base,
        None => PathBuf::from(home.filter(|h| !h.is_empty())?)
            .join(".local")
            .join("state"),
    };
    Some(base.join("exprflow").join("history"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parentheses_decide_continuation() {
        assert!(!needs_more("(3+7)*(2+8)"));
        assert!(needs_more("(3+7)*(2+8"));
        assert!(needs_more("max(1,\n (2"));
        assert!(!needs_more("max(1,\n (2))"));
        assert!(!needs_more("1 + 2 # (unbalanced in a comment"));
        assert!(needs_more("(1 + # comment )\n"));
        assert!(!needs_more("1)"));
        assert!(!needs_more(":load my(file"));
        assert!(needs_more(":time (1+"));
    }

    #[test]
    fn a_trailing_operator_or_equals_sign_continues() {
        assert!(needs_more("f(x) ="));
        assert!(needs_more("f(x) =   # the body follows"));
        assert!(needs_more("x = 1 +"));
        assert!(needs_more("1 !="));
        assert!(needs_more("max(1,\n 2) *"));
        assert!(needs_more("f(x) =\n"));
        assert!(!needs_more("f(x) =\n x * 2"));
        assert!(!needs_more("3!"));
        assert!(!needs_more("x = 2 # a + comment ="));
    }

    #[test]
    fn pasted_lines_split_into_statements() {
        let (done, rest) = split_statements("x = 1\ny = max(x,\n 2)\n\nz = (");
        assert_eq!(
            done,
            vec![
                (0, "x = 1".to_string()),
                (1, "y = max(x,\n 2)".to_string()),
                (3, String::new()),
            ]
        );
        assert_eq!(rest, Some((4, "z = (".to_string())));
        let (done, rest) = split_statements("1)\n:load a(b\n2");
        assert_eq!(done.len(), 3);
        assert_eq!(rest, None);
    }

    #[test]
    fn history_lives_under_the_xdg_state_directory() {
        assert_eq!(
            history_path_from(Some("/state".into()), Some("/home/u".into())),
            Some(PathBuf::from("/state/exprflow/history"))
        );
        assert_eq!(
            history_path_from(None, Some("/home/u".into())),
            Some(PathBuf::from("/home/u/.local/state/exprflow/history"))
        );
        assert_eq!(
            history_path_from(Some("relative".into()), Some("/home/u".into())),
            Some(PathBuf::from("/home/u/.local/state/exprflow/history"))
        );
        assert_eq!(history_path_from(Some("".into()), None), None);
    }
}
