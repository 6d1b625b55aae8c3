//! Running the ```` ```console ```` examples of a Markdown page as a person
//! at a terminal would: each `$ command` in `sh`, on a pseudo-terminal
//! (so stdout and stderr interleave as on screen), with the freshly built
//! `exprflow` first on `PATH`; its screen must match the lines under it.
//!
//! In expected output, `…` inside a line stands for any text (timings), a
//! line that is only `…` for any number of lines, and a comment after two
//! or more spaces (`6      # after 0.3 s`) is the page's, not the output's.
#![cfg(unix)]

use std::path::{Path, PathBuf};

/// One `$ command` of a page and the screen it should leave.
#[derive(Debug)]
pub struct Example {
    /// Line of the page where the command is.
    pub line: usize,
    /// The command, continuation lines joined.
    pub command: String,
    /// The expected lines.
    pub expected: Vec<String>,
}

/// The console examples of the Markdown text `page`.
pub fn examples(page: &str) -> Vec<Example> {
    let mut examples: Vec<Example> = Vec::new();
    let mut in_console = false;
    let mut continuing = false;
    for (n, line) in page.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_console = !in_console && trimmed.trim_end() == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if continuing {
            let last = examples.last_mut().expect("a command to continue");
            continuing = line.ends_with('\\');
            last.command.push('\n');
            last.command.push_str(line);
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            continuing = command.ends_with('\\');
            examples.push(Example {
                line: n + 1,
                command: command.to_string(),
                expected: Vec::new(),
            });
        } else if let Some(last) = examples.last_mut() {
            last.expected.push(without_comment(line).to_string());
        }
    }
    examples
}

/// `line` without a page comment (two or more spaces, then `#`).
fn without_comment(line: &str) -> &str {
    match line.find("  #") {
        Some(at) if !line.trim_start().starts_with('#') => line[..at].trim_end(),
        _ => line.trim_end(),
    }
}

/// Runs `command` in `dir` on a pseudo-terminal; the screen's lines.
pub fn screen(command: &str, dir: &Path) -> Vec<String> {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_exprflow"));
    let bin_dir = bin.parent().expect("the binary's directory");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg(format!("stty cols 200 rows 50\n{command}"))
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .current_dir(dir);
    let mut session = rexpect::session::spawn_with_options(
        sh,
        rexpect::reader::Options::new()
            .timeout_ms(Some(60_000))
            .strip_ansi_escape_codes(true),
    )
    .expect("a pseudo-terminal");
    let text = session.exp_eof().expect("the command ends");
    // What a terminal shows: a line is what follows its last carriage
    // return (a progress line drawn and cleared leaves nothing).
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .map(|l| l.rsplit('\r').next().unwrap_or("").trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Whether `actual` is what `expected` describes (see the module's `…`).
pub fn matches(expected: &[String], actual: &[String]) -> bool {
    let expected: Vec<&String> = expected.iter().filter(|l| !l.is_empty()).collect();
    match_from(&expected, actual)
}

fn match_from(expected: &[&String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.as_str() == "…" => {
            (0..=actual.len()).any(|skip| match_from(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(line, more)| line_matches(first, line) && match_from(rest, more)),
    }
}

/// One line against a pattern where `…` stands for any text.
fn line_matches(pattern: &str, line: &str) -> bool {
    let mut parts = pattern.split('…');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Runs every console example of the page at `path` (relative to the
/// crate) in a fresh directory, and panics with every mismatch.
pub fn check_page(path: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join(path)).expect("the page");
    let examples = examples(&page);
    assert!(!examples.is_empty(), "{path} has no console examples");
    let dir = std::env::temp_dir().join(format!(
        "exprflow-console-{}-{}",
        path.replace('/', "-"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let mut failures = String::new();
    for example in &examples {
        let actual = screen(&example.command, &dir);
        if !matches(&example.expected, &actual) {
            failures.push_str(&format!(
                "{path}:{}: $ {}\n--- expected\n{}\n--- screen\n{}\n\n",
                example.line,
                example.command,
                example.expected.join("\n"),
                actual.join("\n")
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn patterns() {
    let s = |v: &[&str]| v.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert!(matches(&s(&["a", "…", "d"]), &s(&["a", "b", "c", "d"])));
    assert!(matches(&s(&["a …x… z"]), &s(&["a 1x2 z"])));
    assert!(!matches(&s(&["a"]), &s(&["a", "b"])));
    assert!(!matches(&s(&["a …z"]), &s(&["a y"])));
    assert_eq!(without_comment("6     # after 0.3 s"), "6");
    assert_eq!(without_comment("# a comment line"), "# a comment line");
}
