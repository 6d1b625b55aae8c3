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

/// Whether `text` needs more lines: its parentheses are unbalanced (more
/// opened than closed). `:load` arguments are file names and never continue.
pub fn needs_more(text: &str) -> bool {
    let trimmed = text.trim_start();
    if trimmed.starts_with(":load") {
        return false;
    }
    open_parens(text) > 0
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
