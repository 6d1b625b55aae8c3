//! Colour for the REPL's output: ANSI escapes when stdout is a terminal that
//! supports them, nothing when `NO_COLOR` is set or output is redirected.

use std::io::IsTerminal;

/// Whether to colour, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// Emit ANSI escapes.
    pub enabled: bool,
}

impl Style {
    /// Colour when stdout is a terminal, `TERM` is not `dumb` and
    /// `NO_COLOR` is unset or empty (<https://no-color.org>).
    pub fn detect() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        Style {
            enabled: !no_color && !dumb && std::io::stdout().is_terminal(),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// A value printed as a result.
    pub fn value(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// A variable name.
    pub fn name(self, text: &str) -> String {
        self.paint("36", text)
    }

    /// Errors and carets.
    pub fn error(self, text: &str) -> String {
        self.paint("1;31", text)
    }

    /// Secondary information (timings, hints, node ids).
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Headings and command names in help.
    pub fn heading(self, text: &str) -> String {
        self.paint("1;33", text)
    }

    /// The prompt.
    pub fn prompt(self, text: &str) -> String {
        self.paint("1;32", text)
    }

    /// Colours a rendered error: the `error` word and the caret line.
    pub fn rendered_error(self, text: &str) -> String {
        if !self.enabled {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len() + 32);
        for line in text.split_inclusive('\n') {
            let (body, newline) = match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            };
            if let Some(rest) = body.strip_prefix("error") {
                out.push_str(&self.error("error"));
                out.push_str(rest);
            } else if body.trim_end().ends_with('^') && body.contains(" | ") {
                let split = body.find('^').unwrap_or(body.len());
                out.push_str(&body[..split]);
                out.push_str(&self.error(&body[split..]));
            } else {
                out.push_str(body);
            }
            out.push_str(newline);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_style_is_plain() {
        let style = Style { enabled: false };
        assert_eq!(style.error("x"), "x");
        assert_eq!(
            style.rendered_error("error: a\n | ^^\n"),
            "error: a\n | ^^\n"
        );
    }

    #[test]
    fn enabled_style_colours_the_error_word_and_carets() {
        let style = Style { enabled: true };
        let text = "error: division by zero\n  |\n1 | 1/0\n  | ^^^\n";
        let out = style.rendered_error(text);
        assert!(out.starts_with("\x1b[1;31merror\x1b[0m: division by zero\n"));
        assert!(out.ends_with("  | \x1b[1;31m^^^\x1b[0m\n"));
    }
}
