//! The bodies of the `:` commands that do more than set a flag.

use super::trace::{ratio, times};
use super::*;

impl Repl {
    pub(super) fn vars(&self) {
        let variables = self.session.variables();
        let functions = self.session.functions();
        for (_, text) in &functions {
            println!("{}", self.style.name(text));
        }
        if variables.is_empty() && !functions.is_empty() {
            return;
        }
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

    pub(super) fn workers(&mut self, arg: &str) {
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

    pub(super) fn set_timeout(&mut self, arg: &str) {
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
    pub(super) fn scratch(&self, expr: &str) -> Option<(Session, NodeId)> {
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

    pub(super) fn dag(&self, expr: &str) {
        if let Some((copy, node)) = self.scratch(expr) {
            let typed = typed_texts_of(&copy, node, expr);
            let texts = tree::Texts {
                source: copy.source(),
                typed: &typed,
            };
            print!(
                "{}",
                tree::render_with_texts(copy.dag(), node, &texts, self.style, DAG_LINES)
            );
        }
    }

    pub(super) fn dot(&self, expr: &str) {
        if let Some((copy, node)) = self.scratch(expr) {
            let typed = typed_texts_of(&copy, node, expr);
            let source = copy.source();
            let dot = report::to_dot_with_text(copy.dag(), &[node], |id| {
                match typed.get(&id) {
                    Some(text) => text.clone(),
                    None => {
                        let span = copy.dag().node(id).span();
                        source.get(span.start..span.end).unwrap_or("").to_string()
                    }
                }
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
            });
            print!("{dot}");
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
    pub(super) fn time(&mut self, expr: &str) {
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
        self.session.settle(added.node, &outcome);
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

    pub(super) fn print_timed_outcome(&mut self, outcome: &Outcome, copy: &Session, start: usize) {
        match outcome {
            Ok(value) => self.print_value("", value),
            Err(e) => self.show_error(e, copy.source(), start, "<input>"),
        }
    }

    /// `:load FILE`: every line of the file is a statement added to the
    /// session, exactly as `batch` reads a file (same errors, same line
    /// numbers), and all of them are evaluated as one run, so independent
    /// lines run concurrently. Prints one result per statement, in file
    /// order.
    pub(super) fn load(&mut self, path: &str) {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.complain(&format!("cannot read {path}: {e}"));
                return;
            }
        };
        let file_start = self.session.source().len();
        let mut statements: Vec<Loaded> = Vec::new();
        // One statement per line, as `batch` reads a file: a line that
        // leaves a parenthesis open is a syntax error, not continued.
        // Every line is added, blank ones included, so that the file's
        // lines are the session's lines and carets point at file lines.
        let bytes = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
        for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let line = index + 1;
            let added = match std::str::from_utf8(raw) {
                Ok(text) => self.session.add_in_file(text),
                _ => {
                    let at = self.session.source().len();
                    let _ = self.session.add("");
                    Err(Error::with_detail(
                        ErrorKind::Syntax,
                        crate::Span::new(at, at + 1),
                        "invalid UTF-8 in input",
                    ))
                }
            };
            match added {
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
        let before = super::reports::CallCounts::of(&dag);
        let finished = self
            .runner(self.wants_events())
            .run(&dag, &roots, self.mode);
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
                (Ok(value), Some(name)) => {
                    let label = format!("{label} {} = ", self.style.name(name));
                    self.print_value(&label, value);
                }
                (Ok(value), None) => self.print_value(&format!("{label} "), value),
                (Err(e), _) if e.kind != ErrorKind::Cancelled => {
                    print!("{label} ");
                    self.show_error(e, self.session.source(), file_start, path);
                    let file = self.session.source().get(file_start..).unwrap_or("");
                    let at = e
                        .span
                        .start
                        .checked_sub(file_start)
                        .filter(|&at| at <= file.len());
                    if let Some(at) = at
                        && LineIndex::new(file).line_of(at) + 1 != *line
                    {
                        eprintln!("  = note: reached from line {line}");
                    }
                }
                (Err(e), _) => println!("{label} {}", self.style.error(&format!("error: {e}"))),
            }
        }
        self.session.end_file();
        if finished.stopped == Some(Stopped::Cancelled) {
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
        self.after_run(&dag, &roots, &finished, before);
    }
}

/// The texts of the nodes of `expr` as typed (none for the default `_`,
/// whose text is the earlier input itself).
fn typed_texts_of(
    copy: &Session,
    node: NodeId,
    expr: &str,
) -> std::collections::HashMap<NodeId, String> {
    if expr.trim().is_empty() {
        Default::default()
    } else {
        tree::typed_texts(copy.dag(), node, expr)
    }
}
