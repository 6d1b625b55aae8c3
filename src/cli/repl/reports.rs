//! The reports the REPL writes after every evaluation when asked
//! (`--stats`, `--timeline FILE`, `--trace FILE`, `--dot[=FILE]` on the
//! command line, or `:stats`, `:timeline`, `:dot` at the prompt): the
//! same figures and pictures as `eval`, rewritten for each statement.

use super::*;

/// The session's memo of calls as it was before a run: its figures grow
/// over the whole session, a statement's are the difference.
#[derive(Clone, Copy, Debug)]
pub(super) struct CallCounts {
    calls: usize,
    computed: u64,
    hits: u64,
}

impl CallCounts {
    /// The counts of `dag`'s memo now.
    pub(super) fn of(dag: &Dag) -> CallCounts {
        let table = dag.calls();
        CallCounts {
            calls: table.len(),
            computed: table.computed(),
            hits: table.hits(),
        }
    }

    /// Leaves in `stats` only the calls made since these counts.
    fn take_from(self, stats: &mut Stats) {
        stats.calls = stats.calls.saturating_sub(self.calls);
        stats.call_computations = stats.call_computations.saturating_sub(self.computed);
        stats.memo_hits = stats.memo_hits.saturating_sub(self.hits);
    }
}

/// A setting given as `on` or `off` (or nothing, to ask).
pub(super) enum Switch {
    On,
    Off,
    Show,
}

impl Switch {
    /// `on`, `off` or nothing; anything else is `None`.
    pub(super) fn parse(arg: &str) -> Option<Switch> {
        match arg {
            "on" => Some(Switch::On),
            "off" => Some(Switch::Off),
            "" => Some(Switch::Show),
            _ => None,
        }
    }
}

impl Repl {
    /// Whether a run must keep its node events (for `:trace` or a report).
    pub(super) fn wants_events(&self) -> bool {
        self.trace || self.options.records()
    }

    /// Writes and prints the reports asked for, about the run of `roots`;
    /// `before` are the session's call counts before that run, so that
    /// `:stats` counts only this statement's calls.
    pub(super) fn after_run(
        &self,
        dag: &Dag,
        roots: &[NodeId],
        finished: &Finished,
        before: CallCounts,
    ) {
        if !self.options.records() && self.options.dot.is_none() {
            return;
        }
        let trace = finished.trace();
        // The library's pictures (`Report`), drawn from the session's parts.
        let pictures = report::Pictures {
            dag,
            roots,
            trace: &trace,
            source: self.session.source(),
        };
        if let Some(path) = &self.options.dot {
            let dot = pictures.dot();
            if self.options.dot_to_stdout() {
                print!("{dot}");
            } else {
                self.write_report(path, &dot);
            }
        }
        if let Some(path) = &self.options.trace {
            self.write_report(path, &pictures.trace_json());
        }
        if let Some(path) = &self.options.timeline {
            self.write_report(path, &pictures.timeline_svg());
        }
        if self.options.stats {
            let mut stats = pictures.stats();
            before.take_from(&mut stats);
            println!("{}", self.style.dim(&stats.to_string()));
        }
    }

    fn write_report(&self, path: &std::path::Path, text: &str) {
        if let Err(e) = std::fs::write(path, text) {
            self.complain(&format!("cannot write {}: {e}", path.display()));
        }
    }

    /// `:stats [on|off]`.
    pub(super) fn set_stats(&mut self, arg: &str) {
        match Switch::parse(arg) {
            Some(Switch::On) => self.options.stats = true,
            Some(Switch::Off) => self.options.stats = false,
            Some(Switch::Show) => {}
            None => return self.complain(&format!(":stats takes on or off, not `{arg}`")),
        }
        println!(
            "stats {}",
            if self.options.stats {
                "on: work, span and speedup after every evaluation"
            } else {
                "off"
            }
        );
    }

    /// `:timeline [FILE|off]`.
    pub(super) fn set_timeline(&mut self, arg: &str) {
        match arg {
            "" => {}
            "off" => self.options.timeline = None,
            path => match super::super::args::parse_svg_path(path) {
                Ok(path) => self.options.timeline = Some(path),
                Err(message) => return self.complain(&message),
            },
        }
        match &self.options.timeline {
            Some(path) => println!(
                "timeline on: every evaluation rewrites {} (open it in a browser)",
                path.display()
            ),
            None => println!("timeline off"),
        }
    }

    /// `:dot on|off` (after every statement); `:dot [EXPR]` prints one DAG.
    pub(super) fn dot_command(&mut self, arg: &str) {
        match arg {
            "on" => {
                self.options.dot = Some(PathBuf::from("-"));
                println!("dot on: every statement's DAG is printed after its value");
            }
            "off" => {
                self.options.dot = None;
                println!("dot off");
            }
            expr => self.dot(expr),
        }
    }
}
