//! The REPL on a pseudo-terminal (rexpect) in a temporary home: shared by
//! `tests/repl.rs` and `tests/newcomer_repl.rs`. Every session gets its
//! own `HOME` (and `XDG_STATE_HOME` unless asked otherwise), so the
//! history of the person running the tests is never touched; output is
//! read with ANSI escapes stripped and `NO_COLOR` set.
// Each test file uses part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use rexpect::error::Error;
use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};

/// How long any single expectation may wait before the test fails. Far
/// above what anything here needs; it only bounds a hung test.
pub const PATIENCE_MS: u64 = 20_000;

/// A temporary directory (the REPL's `HOME` and working directory),
/// removed when dropped.
pub struct TempHome(PathBuf);

impl TempHome {
    /// A fresh, empty directory whose name includes `name`.
    pub fn new(name: &str) -> TempHome {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "exprflow-repl-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary directory");
        TempHome(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// `XDG_STATE_HOME` of the sessions that set it.
    pub fn state(&self) -> PathBuf {
        self.0.join("state")
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Where the history goes.
pub enum StateDir {
    /// `XDG_STATE_HOME` is set to `HOME/state`.
    Xdg,
    /// `XDG_STATE_HOME` is unset: the fallback under `HOME`.
    HomeOnly,
}

/// Starts `exprflow repl ARGS` on a 100x40 pseudo-terminal in `home`,
/// without waiting for anything (the caller waits for the prompt before
/// typing: a key sent before the line editor reads can be lost).
pub fn spawn_repl(home: &TempHome, state: StateDir, args: &str) -> Result<PtySession, Error> {
    // A fresh pseudo-terminal is 0 columns wide, which no line editor can
    // draw on: give it a size first, as a terminal window would.
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("stty cols 100 rows 40 && exec \"$0\" repl {args}"))
        .arg(env!("CARGO_BIN_EXE_exprflow"))
        .env("HOME", home.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .current_dir(home.path());
    match state {
        StateDir::Xdg => command.env("XDG_STATE_HOME", home.state()),
        StateDir::HomeOnly => command.env_remove("XDG_STATE_HOME"),
    };
    spawn_with_options(
        command,
        Options::new()
            .timeout_ms(Some(PATIENCE_MS))
            .strip_ansi_escape_codes(true),
    )
}

/// [`spawn_repl`], then waits for the first prompt.
pub fn start_repl(home: &TempHome, state: StateDir, args: &str) -> Result<PtySession, Error> {
    let mut repl = spawn_repl(home, state, args)?;
    repl.exp_string(">>> ")?;
    Ok(repl)
}
