//! Outside tools some tests need (Chromium, Graphviz's `dot`, `script`).
//!
//! In CI (`CI=true`) a missing tool fails the test: `.ci/run` installs them
//! and fails itself when it cannot. Elsewhere the test skips that check,
//! says so on stderr and appends a line to [`SKIP_LOG`], which `.ci/run`
//! prints at the end, so a skip is never silent.

use std::io::Write;

/// Where skipped checks are listed, one line each (cleared by `.ci/run`).
pub const SKIP_LOG: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/skipped-checks.txt");

/// Whether this is a CI run (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// A check of `test` cannot run because `reason` (a tool is missing or does
/// not work): fails in CI, otherwise records a visible skip.
pub fn skip_or_fail(test: &str, reason: &str) {
    assert!(
        !in_ci(),
        "{test}: {reason}; CI (CI=true) requires it (.ci/run installs it)"
    );
    let line = format!("{test}: {reason}");
    eprintln!("notice: skipped {line}");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(SKIP_LOG);
    if let Ok(mut log) = log {
        let _ = writeln!(log, "{line}");
    }
}
