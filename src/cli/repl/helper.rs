//! The line editor's helper: tab completion of functions, constants,
//! variables, `:` commands and `:load` file names, and matching-parenthesis
//! highlighting when colour is on.

use std::borrow::Cow;

use crate::value::Builtin;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter, MatchingBracketHighlighter};
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use super::commands::COMMANDS;

/// The named constants of the language.
const CONSTANTS: &[&str] = &["pi", "e", "tau"];

/// What the editor knows of the session, for completion.
#[derive(Default)]
pub struct ReplHelper {
    /// The session's variable names (without `_`).
    pub variables: Vec<String>,
    /// User functions defined so far (completed as `name(`).
    pub functions: Vec<String>,
    /// Whether to highlight matching parentheses.
    pub colour: bool,
    files: FilenameCompleter,
    brackets: MatchingBracketHighlighter,
}

impl ReplHelper {
    /// A helper that colours when `colour` is set.
    pub fn new(colour: bool) -> ReplHelper {
        ReplHelper {
            colour,
            ..ReplHelper::default()
        }
    }

    /// The completions of the text before the cursor: where the replaced word
    /// starts, and the candidates (never file names).
    pub fn candidates(&self, before: &str) -> (usize, Vec<Pair>) {
        let trimmed = before.trim_start();
        if trimmed.starts_with(':') && !trimmed.contains(char::is_whitespace) {
            let start = before.len() - trimmed.len();
            let pairs = COMMANDS
                .iter()
                .filter(|(name, _, _)| name.starts_with(trimmed))
                .map(|(name, args, _)| Pair {
                    display: name.to_string(),
                    replacement: if args.is_empty() {
                        name.to_string()
                    } else {
                        format!("{name} ")
                    },
                })
                .collect();
            return (start, pairs);
        }
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &before[start..];
        if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
            return (start, Vec::new());
        }
        let mut pairs: Vec<Pair> = Vec::new();
        let mut add = |display: String, replacement: String| {
            if display.starts_with(word) && !pairs.iter().any(|p| p.display == display) {
                pairs.push(Pair {
                    display,
                    replacement,
                });
            }
        };
        for name in &self.variables {
            if name != "_" {
                add(name.clone(), name.clone());
            }
        }
        for function in &self.functions {
            add(function.clone(), format!("{function}("));
        }
        for constant in CONSTANTS {
            add(constant.to_string(), constant.to_string());
        }
        for function in Builtin::ALL {
            add(function.name().to_string(), format!("{}(", function.name()));
        }
        pairs.sort_by(|a, b| a.display.cmp(&b.display));
        (start, pairs)
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = line.get(..pos).unwrap_or(line);
        if before.trim_start().starts_with(":load ") {
            return self.files.complete(line, pos, ctx);
        }
        Ok(self.candidates(before))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Validator for ReplHelper {}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        if self.colour {
            self.brackets.highlight(line, pos)
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_char(&self, line: &str, pos: usize, kind: CmdKind) -> bool {
        self.colour && self.brackets.highlight_char(line, pos, kind)
    }
}

impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(helper: &ReplHelper, before: &str) -> (usize, Vec<String>) {
        let (start, pairs) = helper.candidates(before);
        (start, pairs.into_iter().map(|p| p.replacement).collect())
    }

    #[test]
    fn completes_functions_constants_and_variables() {
        let mut helper = ReplHelper::new(false);
        helper.variables = vec!["total".into(), "_".into(), "tally".into()];
        assert_eq!(names(&helper, "1 + fa"), (4, vec!["fact(".to_string()]));
        assert_eq!(
            names(&helper, "t"),
            (
                0,
                vec!["tally".into(), "tan(".into(), "tau".into(), "total".into()]
            )
        );
        assert_eq!(
            names(&helper, "(b"),
            (1, vec!["binom(".into(), "busy(".into()])
        );
        assert!(names(&helper, "12").1.is_empty());
        assert!(names(&helper, "1 + ").1.is_empty());
        assert!(names(&helper, "_").1.is_empty());
    }

    #[test]
    fn completes_commands_at_the_start_only() {
        let helper = ReplHelper::new(false);
        assert_eq!(
            names(&helper, ":t"),
            (
                0,
                vec![
                    ":time ".into(),
                    ":trace ".into(),
                    ":timeline ".into(),
                    ":timeout ".into()
                ]
            )
        );
        assert_eq!(names(&helper, " :qu"), (1, vec![":quit".into()]));
        assert_eq!(names(&helper, ":dag fi"), (5, vec!["fib(".into()]));
    }

    #[test]
    fn non_ascii_input_does_not_confuse_word_starts() {
        let helper = ReplHelper::new(false);
        assert_eq!(names(&helper, "éfa"), (2, vec!["fact(".to_string()]));
    }
}
