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

pub mod commands;
pub mod helper;
pub mod input;
pub mod run;
pub mod style;
pub mod tree;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::Receiver;
use exprflow::dag::{Dag, NodeId, Outcome};
use exprflow::eval::Engine;
use exprflow::report::{self, Stats, format_duration, value_preview};
use exprflow::syntax::{DEFAULT_MAX_DEPTH, LineIndex};
use exprflow::{Error, ErrorKind, Session};
use rustyline::Editor;
use rustyline::config::{ColorMode, CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;

use super::args::{RunOptions, parse_duration};
use super::{EXIT_OK, EXIT_USAGE, engine_for, render_error};
use commands::Command;
use helper::ReplHelper;
use run::{Finished, Mode, Recorded, Runner, Stopped};
use style::Style;

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

/// Runs the REPL until `:quit` or Ctrl-D.
pub fn run(options: RunOptions) -> ExitCode {
    let style = Style::detect();
    let engine = match engine_for(&options) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("exprflow: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let (pressed, interrupts) = crossbeam_channel::bounded::<()>(1);
    let busy = Arc::new(AtomicBool::new(false));
    let catches_ctrl_c = {
        let busy = Arc::clone(&busy);
        // On a terminal the line editor reads Ctrl-C as a key, so a signal
        // only comes while an evaluation runs. With input from a pipe,
        // Ctrl-C between evaluations ends the session as it would any
        // program reading a pipe.
        let interactive = std::io::stdin().is_terminal();
        ctrlc::set_handler(move || {
            if !interactive && !busy.load(Ordering::SeqCst) {
                std::process::exit(130);
            }
            let _ = pressed.try_send(());
        })
    };
    let config = Config::builder()
        .max_history_size(10_000)
        .and_then(|b| b.history_ignore_dups(true))
        .map(|b| {
            b.history_ignore_space(true)
                .auto_add_history(false)
                .completion_type(CompletionType::List)
                .color_mode(if style.enabled {
                    ColorMode::Enabled
                } else {
                    ColorMode::Disabled
                })
                .build()
        })
        .unwrap_or_default();
    let mut editor: Editor<ReplHelper, FileHistory> = match Editor::with_config(config) {
        Ok(editor) => editor,
        Err(e) => {
            eprintln!("exprflow: cannot start the line editor: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    editor.set_helper(Some(ReplHelper::new(style.enabled)));
    let mut session = Session::with_limits(options.dag_limits());
    session.set_max_depth(options.max_depth.unwrap_or(DEFAULT_MAX_DEPTH));
    let mut repl = Repl {
        mode: if options.sequential {
            Mode::Sequential
        } else {
            Mode::Parallel
        },
        timeout: options.timeout.filter(|t| !t.is_zero()),
        options,
        engine,
        session,
        trace: false,
        style,
        interrupts,
        editor,
        history: None,
        columns: 80,
        busy,
        bad_reads: 0,
    };
    if std::io::stdin().is_terminal() {
        repl.open_history();
    }
    println!(
        "exprflow {}: {}. {} for help, Ctrl-D to quit.",
        env!("CARGO_PKG_VERSION"),
        repl.mode_description(),
        style.heading(":help")
    );
    if let Err(e) = catches_ctrl_c {
        eprintln!("exprflow: cannot catch Ctrl-C ({e}): it will end the session");
    }
    repl.run_loop();
    ExitCode::from(EXIT_OK)
}

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
}

impl Repl {
    fn run_loop(&mut self) {
        loop {
            // A Ctrl-C pressed while nothing ran must not cancel the next run.
            while self.interrupts.try_recv().is_ok() {}
            let text = match self.read() {
                Input::Text(text) => text,
                Input::Interrupted(discarded) => {
                    if !discarded {
                        println!("{}", self.style.dim("(Ctrl-D or :quit leaves)"));
                    }
                    continue;
                }
                Input::End => break,
            };
            // `:quit` is not worth recalling with the up arrow.
            if commands::parse(text.trim()) != Ok(Command::Quit) {
                self.remember(&text);
            }
            // Several statements arrive at once when lines are pasted or a
            // multi-line entry is recalled from history.
            let (statements, rest) = input::split_statements(&text);
            for (_, statement) in statements.iter().chain(rest.as_ref()) {
                let trimmed = statement.trim_start();
                if trimmed.is_empty() {
                    continue;
                }
                if trimmed.starts_with(':') {
                    match commands::parse(trimmed) {
                        Ok(Command::Quit) => return,
                        Ok(command) => self.command(command),
                        Err(message) => self.complain(&message),
                    }
                } else {
                    self.statement(statement);
                }
            }
        }
    }

    /// Reads one statement, continuing while parentheses are open.
    fn read(&mut self) -> Input {
        let mut text = String::new();
        loop {
            let raw = if text.is_empty() { PROMPT } else { CONTINUE };
            let prompt = (raw, self.style.prompt(raw));
            let read = self.editor.readline(&prompt);
            if let Some((columns, _)) = self.editor.dimensions() {
                self.columns = usize::from(columns);
            }
            match read {
                Ok(line) => {
                    self.bad_reads = 0;
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&line);
                    if !input::needs_more(&text) {
                        return Input::Text(text);
                    }
                }
                Err(ReadlineError::Interrupted) => return Input::Interrupted(!text.is_empty()),
                Err(ReadlineError::Eof) if !text.is_empty() => {
                    println!("{}", self.style.dim("(unfinished input discarded)"));
                    return Input::Interrupted(true);
                }
                Err(ReadlineError::Eof) => return Input::End,
                Err(ReadlineError::Io(e))
                    if e.kind() == std::io::ErrorKind::InvalidData && self.bad_reads < 100 =>
                {
                    // The bytes are consumed; what follows can still be read.
                    self.bad_reads += 1;
                    self.complain("the input is not valid UTF-8; that line was dropped");
                    return Input::Interrupted(true);
                }
                Err(e) => {
                    eprintln!("exprflow: cannot read input: {e}");
                    return Input::End;
                }
            }
        }
    }

    fn open_history(&mut self) {
        let Some(path) = input::history_path() else {
            return;
        };
        if let Some(dir) = path.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            eprintln!(
                "exprflow: history will not be kept: cannot create {}: {e}",
                dir.display()
            );
            return;
        }
        if path.exists()
            && let Err(e) = self.editor.load_history(&path)
        {
            eprintln!("exprflow: cannot read history {}: {e}", path.display());
        }
        self.history = Some(path);
    }

    /// Adds `text` to the history and appends it to the history file.
    fn remember(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let _ = self.editor.add_history_entry(text);
        if let Some(path) = &self.history
            && let Err(e) = self.editor.append_history(path)
        {
            eprintln!(
                "exprflow: history will not be kept: cannot write {}: {e}",
                path.display()
            );
            self.history = None;
        }
    }

    fn mode_description(&self) -> String {
        match self.mode {
            Mode::Parallel => format!(
                "parallel on {} worker{}",
                self.engine.workers(),
                if self.engine.workers() == 1 { "" } else { "s" }
            ),
            Mode::Sequential => "sequential reference evaluator".to_string(),
        }
    }

    fn runner(&self, keep_events: bool) -> Runner<'_> {
        Runner {
            columns: self.columns,
            engine: &self.engine,
            interrupts: &self.interrupts,
            timeout: self.timeout,
            progress: true,
            keep_events,
            busy: &self.busy,
        }
    }

    fn complain(&self, message: &str) {
        let _ = std::io::stdout().flush();
        eprintln!("{}: {message}", self.style.error("error"));
    }

    /// Shows `error` with a caret. `input_start` is where the current input
    /// begins in `source` (the session's text); an error inside it is shown
    /// against the input alone, an earlier one against the whole session.
    fn show_error(&self, error: &Error, source: &str, input_start: usize, origin: &str) {
        let _ = std::io::stdout().flush();
        let text = match error.kind {
            ErrorKind::Cancelled => {
                eprintln!(
                    "{} {}",
                    self.style.error("cancelled"),
                    self.style.dim("(the session and its variables are kept)")
                );
                return;
            }
            ErrorKind::TimedOut => {
                let after = self
                    .timeout
                    .map(|t| format!(" after {}", format_duration(t)))
                    .unwrap_or_default();
                eprintln!(
                    "{}: timed out{after} {}",
                    self.style.error("error"),
                    self.style.dim("(:timeout changes the limit)")
                );
                return;
            }
            _ if error.span.start >= input_start && input_start <= source.len() => {
                let input = &source[input_start..];
                let mut local = error.clone();
                local.span.start -= input_start;
                local.span.end = local.span.end.saturating_sub(input_start);
                render_error(&local, input, &LineIndex::new(input), origin)
            }
            _ => {
                let mut text = render_error(error, source, &LineIndex::new(source), "<session>");
                text.push_str(
                    "  = note: shown where this subexpression first appeared, in earlier input\n",
                );
                text
            }
        };
        eprint!("{}", self.style.rendered_error(&text));
    }

    /// Adds `name` to the names tab completion offers.
    fn learn_name(&mut self, name: &str) {
        if let Some(helper) = self.editor.helper_mut()
            && !helper.variables.iter().any(|v| v == name)
        {
            helper.variables.push(name.to_string());
        }
    }

    /// Evaluates one statement and prints its value or error.
    fn statement(&mut self, text: &str) {
        let start = self.session.source().len();
        let added = match self.session.add(text) {
            Ok(Some(added)) => added,
            Ok(None) => return,
            Err(e) => {
                self.show_error(&e, self.session.source(), start, "<input>");
                return;
            }
        };
        if let Some(name) = &added.target {
            self.learn_name(name);
        }
        let dag = Arc::clone(self.session.dag());
        let finished = self.runner(self.trace).run(&dag, &[added.node], self.mode);
        let outcome = finished
            .outcomes
            .first()
            .cloned()
            .unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, Default::default())));
        self.session.settle(added.node, &outcome);
        self.print_outcome(added.target.as_deref(), &outcome, start);
        if self.trace {
            self.print_trace(&dag, &finished);
        }
    }

    fn print_outcome(&self, target: Option<&str>, outcome: &Outcome, start: usize) {
        match outcome {
            Ok(value) => {
                let shown = self.style.value(&value.to_string());
                match target {
                    Some(name) => println!("{} = {shown}", self.style.name(name)),
                    None => println!("{shown}"),
                }
            }
            Err(e) => self.show_error(e, self.session.source(), start, "<input>"),
        }
    }

    fn command(&mut self, command: Command<'_>) {
        match command {
            Command::Help => print!("{}", commands::help(self.style)),
            Command::Vars => self.vars(),
            Command::Workers(arg) => self.workers(arg),
            Command::Seq => {
                self.mode = Mode::Sequential;
                println!("now: {}", self.mode_description());
            }
            Command::Par => {
                self.mode = Mode::Parallel;
                println!("now: {}", self.mode_description());
            }
            Command::Time(expr) => self.time(expr),
            Command::Dag(expr) => self.dag(expr),
            Command::Dot(expr) => self.dot(expr),
            Command::Trace(arg) => match arg {
                "on" => {
                    self.trace = true;
                    println!("trace on: every evaluation lists its nodes in completion order");
                }
                "off" => {
                    self.trace = false;
                    println!("trace off");
                }
                "" => println!("trace is {}", if self.trace { "on" } else { "off" }),
                other => self.complain(&format!(":trace takes on or off, not `{other}`")),
            },
            Command::Timeout(arg) => self.set_timeout(arg),
            Command::Load(path) => self.load(path),
            Command::Quit => {}
        }
    }

    fn vars(&self) {
        let variables = self.session.variables();
        if variables.is_empty() {
            println!("{}", self.style.dim("no variables yet (try x = 2^10)"));
            return;
        }
        for (name, value) in variables {
            let shown = match value {
                Some(Ok(value)) => self.style.value(&value_preview(&value, 60)),
                Some(Err(e)) => self.style.error(&format!("error: {e}")),
                None => self.style.dim("(not computed: cancelled or timed out)"),
            };
            println!("{} = {shown}", self.style.name(&name));
        }
    }

    fn workers(&mut self, arg: &str) {
        if arg.is_empty() {
            println!(
                "{} worker{}",
                self.engine.workers(),
                if self.engine.workers() == 1 { "" } else { "s" }
            );
            return;
        }
        let n = match arg.parse::<usize>() {
            Ok(n) if (1..=MAX_WORKERS).contains(&n) => n,
            _ => {
                self.complain(&format!(
                    ":workers takes a number from 1 to {MAX_WORKERS}, not `{arg}`"
                ));
                return;
            }
        };
        let mut options = self.options.clone();
        options.workers = u16::try_from(n).ok();
        match engine_for(&options) {
            Ok(engine) => {
                self.engine = engine;
                self.options = options;
                self.mode = Mode::Parallel;
                println!("now: {}", self.mode_description());
            }
            Err(e) => self.complain(&e.to_string()),
        }
    }

    fn set_timeout(&mut self, arg: &str) {
        match arg {
            "" => match self.timeout {
                Some(t) => println!("timeout {}", format_duration(t)),
                None => println!("no timeout"),
            },
            "off" | "none" => {
                self.timeout = None;
                println!("no timeout");
            }
            _ => match parse_duration(arg) {
                Ok(t) if t.is_zero() => {
                    self.timeout = None;
                    println!("no timeout");
                }
                Ok(t) => {
                    self.timeout = Some(t);
                    println!("timeout {}", format_duration(t));
                }
                Err(message) => self.complain(&message),
            },
        }
    }

    /// Adds `expr` (default `_`) to a copy of the session, so that looking
    /// at a DAG does not change the session. Shows errors.
    fn scratch(&self, expr: &str) -> Option<(Session, NodeId)> {
        if expr.is_empty() && self.session.source().is_empty() {
            println!(
                "{}",
                self.style
                    .dim("nothing to show yet: give an expression, or type one first")
            );
            return None;
        }
        let expr = if expr.is_empty() { "_" } else { expr };
        let mut copy = self.session.clone();
        let start = copy.source().len();
        match copy.add(expr) {
            Ok(Some(added)) => Some((copy, added.node)),
            Ok(None) => None,
            Err(e) => {
                self.show_error(&e, copy.source(), start, "<input>");
                None
            }
        }
    }

    fn dag(&self, expr: &str) {
        if let Some((copy, node)) = self.scratch(expr) {
            print!(
                "{}",
                tree::render(copy.dag(), node, copy.source(), self.style, DAG_LINES)
            );
        }
    }

    fn dot(&self, expr: &str) {
        if let Some((copy, node)) = self.scratch(expr) {
            print!(
                "{}",
                report::to_dot_with_source(copy.dag(), &[node], copy.source())
            );
            println!(
                "{}",
                self.style
                    .dim("(render it with Graphviz: save it to a file and run dot -Tsvg FILE)")
            );
        }
    }

    /// `:time`: the statement sequentially and in parallel, each on its own
    /// copy of the session so neither reuses the other's results; the
    /// session then continues from the parallel copy (so `_` and an
    /// assignment take effect).
    fn time(&mut self, expr: &str) {
        let mut sequential = self.session.clone();
        let start = sequential.source().len();
        let root = match sequential.add(expr) {
            Ok(Some(added)) => added.node,
            Ok(None) => return,
            Err(e) => {
                self.show_error(&e, sequential.source(), start, "<input>");
                return;
            }
        };
        let seq = self
            .runner(true)
            .run(sequential.dag(), &[root], Mode::Sequential);
        if seq.stopped.is_some() {
            if let Some(outcome) = seq.outcomes.first() {
                self.print_timed_outcome(outcome, &sequential, start);
            }
            return;
        }
        let mut parallel = self.session.clone();
        let added = match parallel.add(expr) {
            Ok(Some(added)) => added,
            _ => return,
        };
        let par = self
            .runner(true)
            .run(parallel.dag(), &[added.node], Mode::Parallel);
        let outcome = par
            .outcomes
            .first()
            .cloned()
            .unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, Default::default())));
        if par.stopped.is_some() {
            self.print_timed_outcome(&outcome, &parallel, start);
            return;
        }
        self.session = parallel;
        if let Some(name) = &added.target {
            self.learn_name(name);
        }
        self.print_outcome(added.target.as_deref(), &outcome, start);
        let stats = Stats::compute(self.session.dag(), &[added.node], &par.trace());
        let seq_trace = seq.trace();
        let (seq_work, _) = report::work_span(sequential.dag(), &[root], &seq_trace);
        let speedup = ratio(seq.wall, par.wall);
        let d = format_duration;
        println!("{}  {}", self.style.heading("sequential"), d(seq.wall));
        println!(
            "{}    {} on {} worker{}: speedup {}",
            self.style.heading("parallel"),
            d(par.wall),
            par.workers,
            if par.workers == 1 { "" } else { "s" },
            self.style.value(&times(speedup))
        );
        println!(
            "{}  work {} (sequential: {}), span {}: parallelism {} (work / span)",
            self.style.heading("work/span"),
            d(stats.work),
            d(seq_work),
            d(stats.span),
            times(stats.parallelism)
        );
        println!(
            "{}      on {} worker{} no run beats max(work / {}, span) = {}: speedup at most {}",
            self.style.heading("bound"),
            stats.workers,
            if stats.workers == 1 { "" } else { "s" },
            stats.workers,
            d(stats.bound),
            times(stats.max_speedup)
        );
        if self.trace {
            let dag = Arc::clone(self.session.dag());
            self.print_trace(&dag, &par);
        }
    }

    fn print_timed_outcome(&self, outcome: &Outcome, copy: &Session, start: usize) {
        match outcome {
            Ok(value) => println!("{}", self.style.value(&value.to_string())),
            Err(e) => self.show_error(e, copy.source(), start, "<input>"),
        }
    }

    /// `:load FILE`: every statement of the file is added to the session
    /// (lines continue while parentheses are open, as at the prompt) and all
    /// of them are evaluated as one run, so independent lines run
    /// concurrently. Prints one result per statement, in file order.
    fn load(&mut self, path: &str) {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.complain(&format!("cannot read {path}: {e}"));
                return;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                self.complain(&format!("{path} is not UTF-8 text"));
                return;
            }
        };
        let file_start = self.session.source().len();
        let mut statements: Vec<Loaded> = Vec::new();
        let text = text.replace("\r\n", "\n");
        let (pieces, rest) = input::split_statements(text.strip_suffix('\n').unwrap_or(&text));
        // Every piece is added, blank ones included, so that the file's
        // lines are the session's lines and carets point at file lines.
        for (first, piece) in pieces.iter().chain(rest.as_ref()) {
            let line = first + 1;
            match self.session.add(piece) {
                Ok(Some(added)) => {
                    if let Some(name) = &added.target {
                        self.learn_name(name);
                    }
                    statements.push(Loaded {
                        line,
                        node: Ok(added.node),
                        target: added.target,
                    });
                }
                Ok(None) => {}
                Err(e) => statements.push(Loaded {
                    line,
                    node: Err(e),
                    target: None,
                }),
            }
        }
        let roots: Vec<NodeId> = statements
            .iter()
            .filter_map(|s| s.node.as_ref().ok().copied())
            .collect();
        let dag: Arc<Dag> = Arc::clone(self.session.dag());
        let finished = self.runner(self.trace).run(&dag, &roots, self.mode);
        let mut outcomes = finished.outcomes.iter();
        let width = statements.last().map_or(1, |s| s.line.to_string().len());
        for Loaded { line, node, target } in &statements {
            let outcome = match node {
                Ok(_) => outcomes
                    .next()
                    .cloned()
                    .unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, Default::default()))),
                Err(e) => Err(e.clone()),
            };
            if let Ok(node) = node {
                self.session.settle(*node, &outcome);
            }
            let label = self.style.dim(&format!("{line:>width$}:"));
            match (&outcome, target) {
                (Ok(value), Some(name)) => println!(
                    "{label} {} = {}",
                    self.style.name(name),
                    self.style.value(&value.to_string())
                ),
                (Ok(value), None) => println!("{label} {}", self.style.value(&value.to_string())),
                (Err(e), _) if !matches!(e.kind, ErrorKind::Cancelled | ErrorKind::TimedOut) => {
                    print!("{label} ");
                    self.show_error(e, self.session.source(), file_start, path);
                }
                (Err(e), _) => println!("{label} {}", self.style.error(&format!("error: {e}"))),
            }
        }
        if finished.stopped == Some(Stopped::Interrupted) {
            self.show_error(
                &Error::new(ErrorKind::Cancelled, Default::default()),
                "",
                0,
                path,
            );
        }
        if self.trace {
            self.print_trace(&dag, &finished);
        }
    }

    /// `:trace`: every node of the run in completion order, with where it
    /// ran, when, and a little timeline so overlaps stand out.
    fn print_trace(&self, dag: &Dag, finished: &Finished) {
        let source = self.session.source();
        let rows: Vec<(String, Duration, Duration, NodeId)> = match &finished.recorded {
            Recorded::Parallel(events) => events
                .iter()
                .map(|e| {
                    let lane = match e.worker {
                        Some(w) => format!("worker {w}"),
                        None => "timer".to_string(),
                    };
                    (lane, e.start, e.end, e.node)
                })
                .collect(),
            Recorded::Sequential(events) => events
                .iter()
                .map(|e| ("sequential".to_string(), e.start, e.end, e.node))
                .collect(),
        };
        if rows.is_empty() {
            println!(
                "{}",
                self.style
                    .dim("trace: nothing computed (every node was known already)")
            );
            return;
        }
        let wall = finished
            .wall
            .max(rows.iter().map(|r| r.2).max().unwrap_or_default());
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}",
            self.style.heading(&format!(
                "trace: {} node{} in completion order, wall {}",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                format_duration(wall)
            ))
        );
        for (lane, start, end, node) in rows.iter().take(TRACE_LINES) {
            let _ = writeln!(
                out,
                "  {:<10} {} {:>10} → {:<10} {}",
                lane,
                self.style.dim(&timeline(*start, *end, wall)),
                format_duration(*start),
                format_duration(*end),
                self.node_summary(dag, *node, source)
            );
        }
        if rows.len() > TRACE_LINES {
            let _ = writeln!(
                out,
                "{}",
                self.style
                    .dim(&format!("  … {} more nodes", rows.len() - TRACE_LINES))
            );
        }
        print!("{out}");
    }

    /// A node in a few words: operation, value, source text.
    fn node_summary(&self, dag: &Dag, node: NodeId, source: &str) -> String {
        let n = dag.node(node);
        let mut text = n.op.label().to_string();
        match dag.result(node) {
            Some(Ok(value)) => {
                let _ = write!(text, " = {}", value_preview(value, 24));
            }
            Some(Err(e)) => {
                let _ = write!(text, " = error: {}", e.kind);
            }
            None => {}
        }
        if let Some(snippet) = source.get(n.span.start..n.span.end) {
            let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
            let _ = write!(text, "   {}", self.style.dim(&tree::shorten(&snippet)));
        }
        text
    }
}

/// `a / b` as a ratio.
fn ratio(a: Duration, b: Duration) -> f64 {
    if b.is_zero() {
        1.0
    } else {
        a.as_secs_f64() / b.as_secs_f64()
    }
}

/// A ratio for people: `1.97x`.
fn times(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}x")
    } else {
        "unbounded".to_string()
    }
}

/// `[   ████      ]`: where `start..end` falls within `0..wall`.
fn timeline(start: Duration, end: Duration, wall: Duration) -> String {
    let total = wall.as_secs_f64().max(f64::MIN_POSITIVE);
    let from = ((start.as_secs_f64() / total) * BAR as f64).floor() as usize;
    let to = ((end.as_secs_f64() / total) * BAR as f64).ceil() as usize;
    let from = from.min(BAR.saturating_sub(1));
    let to = to.clamp(from + 1, BAR);
    let mut bar = String::with_capacity(BAR + 2);
    bar.push('[');
    for i in 0..BAR {
        bar.push(if (from..to).contains(&i) { '█' } else { ' ' });
    }
    bar.push(']');
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_marks_the_interval() {
        let ms = Duration::from_millis;
        assert_eq!(
            timeline(ms(0), ms(500), ms(1000)),
            format!("[{}{}]", "█".repeat(12), " ".repeat(12))
        );
        assert_eq!(
            timeline(ms(500), ms(1000), ms(1000)),
            format!("[{}{}]", " ".repeat(12), "█".repeat(12))
        );
        // An instant still shows as one cell.
        assert_eq!(
            timeline(ms(1000), ms(1000), ms(1000)).matches('█').count(),
            1
        );
        assert_eq!(
            timeline(ms(0), ms(0), Duration::ZERO).matches('█').count(),
            1
        );
    }

    #[test]
    fn ratios_are_readable() {
        assert_eq!(
            times(ratio(Duration::from_secs(2), Duration::from_secs(1))),
            "2.00x"
        );
        assert_eq!(times(f64::INFINITY), "unbounded");
    }
}
