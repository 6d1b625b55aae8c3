//! The read-evaluate loop and command dispatch: statements go to the
//! session and the engine, `:` commands to their bodies; errors are shown
//! with a caret.

use super::*;

impl Repl {
    pub(super) fn run_loop(&mut self) {
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
                if let Some(command) = commands::python_word(trimmed) {
                    match command {
                        Command::Quit => return,
                        command => self.command(command),
                    }
                } else if trimmed.starts_with(':') {
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

    pub(super) fn mode_description(&self) -> String {
        match self.mode {
            Mode::Parallel => format!(
                "parallel on {} worker{}",
                self.engine.workers(),
                if self.engine.workers() == 1 { "" } else { "s" }
            ),
            Mode::Sequential => "sequential reference evaluator".to_string(),
        }
    }

    pub(super) fn runner(&self, keep_events: bool) -> Runner<'_> {
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

    pub(super) fn complain(&self, message: &str) {
        let _ = std::io::stdout().flush();
        eprintln!("{}: {message}", self.style.error("error"));
    }

    /// Shows `error` with a caret. `input_start` is where the current input
    /// begins in `source` (the session's text); an error inside it is shown
    /// against the input alone, an earlier one against the whole session.
    pub(super) fn show_error(&self, error: &Error, source: &str, input_start: usize, origin: &str) {
        let _ = std::io::stdout().flush();
        let error = &super::super::render::with_limit(error, self.timeout);
        let text = match error.kind {
            ErrorKind::Cancelled => {
                eprintln!(
                    "{} {}",
                    self.style.error("cancelled"),
                    self.style.dim("(the session and its variables are kept)")
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
                text.push_str(&underline_input(error, source, input_start, origin));
                text
            }
        };
        eprint!("{}", self.style.rendered_error(&text));
        if error.kind == ErrorKind::TimedOut {
            eprintln!("{}", self.style.dim("(:timeout changes the limit)"));
        }
    }

    /// Adds `name` to the names tab completion offers.
    pub(super) fn learn_name(&mut self, name: &str) {
        if let Some(helper) = self.editor.helper_mut()
            && !helper.variables.iter().any(|v| v == name)
        {
            helper.variables.push(name.to_string());
        }
    }

    /// Evaluates one statement and prints its value or error.
    pub(super) fn statement(&mut self, text: &str) {
        let start = self.session.source().len();
        let added = match self.session.add(text) {
            Ok(Some(added)) => added,
            Ok(None) => return,
            Err(e) => {
                self.show_error(&e, self.session.source(), start, "<input>");
                return;
            }
        };
        if let Some(signature) = &added.signature {
            if let (Some(helper), Some(name)) = (self.editor.helper_mut(), &added.target)
                && !helper.functions.iter().any(|f| **f == **name)
            {
                helper.functions.push(name.to_string());
            }
            println!("{}", self.style.name(signature));
            return;
        }
        if let Some(name) = &added.target {
            self.learn_name(name);
        }
        let dag = Arc::clone(self.session.dag());
        let before = reports::CallCounts::of(&dag);
        let finished = self
            .runner(self.wants_events())
            .run(&dag, &[added.node], self.mode);
        let outcome = finished
            .outcomes
            .first()
            .cloned()
            .unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, Default::default())));
        self.session.settle(added.node, &outcome);
        self.print_outcome(added.target.as_deref(), &outcome, start);
        if let (Some(name), Err(e)) = (&added.target, &outcome) {
            self.tell_undone(name, e);
        }
        if self.trace {
            self.print_trace(&dag, &finished);
        }
        self.after_run(&dag, &[added.node], &finished, before);
    }

    /// After an assignment was cancelled or timed out: what its name is now.
    pub(super) fn tell_undone(&self, name: &str, error: &Error) {
        if !matches!(error.kind, ErrorKind::Cancelled | ErrorKind::TimedOut) {
            return;
        }
        let bound = self.session.variables().into_iter().any(|(n, _)| n == name);
        let what = if bound {
            format!("{name} keeps its earlier value")
        } else {
            format!("{name} is not bound")
        };
        println!(
            "{}",
            self.style
                .dim(&format!("({what}: the assignment did not finish)"))
        );
    }

    pub(super) fn print_outcome(&mut self, target: Option<&str>, outcome: &Outcome, start: usize) {
        match outcome {
            Ok(value) => {
                let label = match target {
                    Some(name) => format!("{} = ", self.style.name(name)),
                    None => String::new(),
                };
                self.print_value(&label, value);
            }
            Err(e) => self.show_error(e, self.session.source(), start, "<input>"),
        }
    }

    pub(super) fn command(&mut self, command: Command<'_>) {
        match command {
            Command::Help(topic) => print!("{}", commands::help(self.style, topic)),
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
            Command::Dot(arg) => self.dot_command(arg),
            Command::Stats(arg) => self.set_stats(arg),
            Command::Timeline(arg) => self.set_timeline(arg),
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
            Command::Full(arg) => self.full(arg),
            Command::Quit => {}
        }
    }
}

/// The input just typed (from `input_start` in `source`), underlined, for
/// an error shown at an earlier line: where that error was reached from.
fn underline_input(error: &Error, source: &str, input_start: usize, origin: &str) -> String {
    let input = source.get(input_start..).unwrap_or("").trim_end();
    let Some(first) = input.find(|c: char| !c.is_whitespace()) else {
        return String::new();
    };
    let mut here = error.clone();
    here.span = crate::Span::new(first, input.len());
    let rendered = render_error(&here, input, &LineIndex::new(input), origin);
    // Only the location and the caret: the message was shown above.
    let mut text: String = rendered.lines().skip(1).flat_map(|l| [l, "\n"]).collect();
    text.push_str("  = note: reached from what was just typed\n");
    text
}
