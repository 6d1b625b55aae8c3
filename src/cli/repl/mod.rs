//! The interactive session (`exprflow repl`, or bare `exprflow` on a
//! terminal): a rustyline editor in front of one growing [`Session`], whose
//! statements are evaluated on the engine's pool (or the sequential
//! evaluator) with a progress line, Ctrl-C cancellation and `:` commands.
//!
//! - [`input`]: when a statement is complete; where history lives.
//! - [`helper`]: tab completion and parenthesis highlighting.
//! - [`commands`]: the `:` commands and `:help`.
//! - [`run`]: waiting for an evaluation (progress, Ctrl-C, timeout, events).
//! - [`tree`]: `:dag`'s text drawing.
//! - [`style`]: colour, or none.

//! - [`start`]: start-up and signals.
//! - [`line`]: reading statements; the history file.
//! - [`dispatch`]: the loop and the `:` command dispatch.
//! - [`bodies`]: the `:` commands' bodies.
//! - [`trace`]: `:trace` printing.
//! - [`values`]: printing values (summaries, `:full`, Ctrl-C).
//! - [`memory`]: giving freed memory back after a big evaluation.
mod bodies;
pub mod commands;
mod dispatch;
pub mod helper;
pub mod input;
mod line;
mod memory;
mod reports;
pub mod run;
mod start;
pub mod style;
mod trace;
pub mod tree;
mod values;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::dag::{Dag, NodeId, Outcome};
use crate::eval::Engine;
use crate::report::{self, Stats, format_duration, value_preview};
use crate::syntax::{DEFAULT_MAX_DEPTH, LineIndex};
use crate::{Error, ErrorKind, Session};
use crossbeam_channel::Receiver;
use rustyline::Editor;
use rustyline::config::{ColorMode, CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;

use super::args::{RunOptions, parse_duration};
use super::{EXIT_OK, EXIT_USAGE, engine_for, render_error};
use commands::Command;
use helper::ReplHelper;
use run::{Finished, Mode, Runner, Stopped};
use style::Style;

pub use start::run;

/// The primary prompt.
const PROMPT: &str = ">>> ";
/// The prompt while parentheses are still open.
const CONTINUE: &str = "... ";
/// Most workers `:workers` accepts.
const MAX_WORKERS: usize = 1024;
/// Most lines `:trace` prints for one evaluation.
const TRACE_LINES: usize = 200;
/// Most lines `:dag` prints.
const DAG_LINES: usize = 500;
/// Width of `:trace`'s little timeline.
const BAR: usize = 24;

/// One line (or several, while parentheses are open) of input.
enum Input {
    /// A complete statement or command.
    Text(String),
    /// Ctrl-C at the prompt; `true` if it discarded pending input.
    Interrupted(bool),
    /// Ctrl-D at an empty prompt, or input ended.
    End,
}

/// A statement of a `:load`ed file.
struct Loaded {
    /// Its first line in the file.
    line: usize,
    /// Its node, or why it has none.
    node: Result<NodeId, Error>,
    /// The variable it assigns.
    target: Option<Box<str>>,
}

/// The REPL's state.
struct Repl {
    options: RunOptions,
    engine: Engine,
    session: Session,
    mode: Mode,
    timeout: Option<Duration>,
    trace: bool,
    style: Style,
    interrupts: Receiver<()>,
    editor: Editor<ReplHelper, FileHistory>,
    history: Option<PathBuf>,
    /// The terminal's width when input was last read.
    columns: usize,
    /// Whether an evaluation is running (for the Ctrl-C handler).
    busy: Arc<AtomicBool>,
    /// Undecodable lines read in a row (so a broken input cannot loop forever).
    bad_reads: u32,
    /// Whether values past 4,300 digits are summarised (`:full on|off`).
    digits: super::shown::Digits,
    /// The last value printed, for `:full`.
    last_value: Option<crate::Value>,
}
