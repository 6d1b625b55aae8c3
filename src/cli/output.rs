//! What `eval` and `batch` print for each line: exactly one line on stdout
//! (its value, its signature, or `error: ...`), and for a failed line a
//! report with a caret on stderr, the first [`MAX_REPORTS`] of them, then
//! one summary line. A closed stdout (`| head -1`) ends the run quietly;
//! Ctrl-C stops a long value's printing.

use std::io::{BufWriter, StdoutLock, Write};

use crate::batch::Batch;
use crate::dag::Outcome;
use crate::syntax::LineIndex;
use crate::{Error, ErrorKind};

use super::args::RunOptions;
use super::interrupt::Interrupts;
use super::render::{self, Progress, render_error};
use super::shown::{Digits, shown, surely_short, write_stoppable};
use super::{EXIT_OK, EXIT_USAGE};

/// Most error reports (with a caret) written to stderr; past them a line
/// on stdout is all a failed statement gets, and one summary line at the
/// end says how many reports were left out.
pub const MAX_REPORTS: usize = 20;

/// Where the printing of a batch stands.
pub struct Printer<'a> {
    batch: &'a Batch,
    index: LineIndex,
    origin: &'a str,
    options: &'a RunOptions,
    out: BufWriter<StdoutLock<'static>>,
    interrupts: &'a Interrupts,
    progress: &'a Progress,
    /// `LINE: ` before each line (`--as-completed`).
    numbered: bool,
    /// Whether values go to stdout (not with `--dot` on stdout).
    print_values: bool,
    /// Whether a failed line prints `error: ...` on stdout besides its
    /// report on stderr (not when both are the same terminal).
    print_errors: bool,
    /// Whether some line failed (cancelled ones included).
    pub failed: bool,
    reports: usize,
    left_out: usize,
    cancelled: usize,
    /// Ctrl-C stopped the printing: nothing more is written.
    stopped: bool,
}

impl<'a> Printer<'a> {
    /// A printer of `batch`'s lines to stdout.
    pub fn new(
        batch: &'a Batch,
        origin: &'a str,
        options: &'a RunOptions,
        interrupts: &'a Interrupts,
        progress: &'a Progress,
        numbered: bool,
    ) -> Printer<'a> {
        let print_values = !options.dot_to_stdout();
        Printer {
            index: LineIndex::new(&batch.source),
            batch,
            origin,
            options,
            out: BufWriter::new(std::io::stdout().lock()),
            interrupts,
            progress,
            numbered,
            print_values,
            // On a terminal that is both stdout and stderr the caret report
            // is the error's one line; the `error:` line is for pipes and
            // files.
            print_errors: print_values && !render::same_terminal(),
            failed: false,
            reports: 0,
            left_out: 0,
            cancelled: 0,
            stopped: false,
        }
    }

    /// Prints line `i`'s outcome.
    pub fn line(&mut self, i: usize, outcome: &Outcome) {
        if self.stopped {
            return;
        }
        let progress = self.progress;
        let written = progress.suspend(|| self.write_line(i, outcome));
        let flushed = match written {
            Ok(()) if self.numbered => progress.suspend(|| self.out.flush()),
            other => other,
        };
        if let Err(e) = flushed {
            output_failed(&e);
        }
    }

    fn write_line(&mut self, i: usize, outcome: &Outcome) -> std::io::Result<()> {
        let line = &self.batch.lines[i];
        let prefix = if self.numbered {
            format!("{}: ", line.line)
        } else {
            String::new()
        };
        match outcome {
            Ok(_) if !self.print_values => Ok(()),
            Ok(_) if let Some(signature) = &line.signature => {
                writeln!(self.out, "{prefix}{signature}")
            }
            Ok(value) if surely_short(value) => writeln!(self.out, "{prefix}{value}"),
            Ok(value) => {
                let digits = if self.options.full {
                    Digits::Full
                } else {
                    Digits::Summarised
                };
                // A Ctrl-C from here on (the decimal conversion of millions
                // of digits takes seconds) stops the printing.
                let interrupts = self.interrupts;
                let before = interrupts.presses();
                let text = shown(value, digits, "--full");
                self.out.write_all(prefix.as_bytes())?;
                let whole =
                    write_stoppable(&mut self.out, &text, &mut || interrupts.presses() > before)?;
                writeln!(self.out)?;
                if !whole {
                    self.stopped = true;
                    self.out.flush()?;
                    eprintln!("exprflow: printing stopped (Ctrl-C)");
                }
                Ok(())
            }
            Err(e) if e.kind == ErrorKind::Cancelled => {
                self.failed = true;
                self.cancelled += 1;
                if self.print_values {
                    writeln!(self.out, "{prefix}error: {e}")?;
                }
                Ok(())
            }
            Err(e) => {
                self.failed = true;
                let e = &render::with_limit(e, self.options.timeout);
                let reported = self.reports < MAX_REPORTS;
                if reported {
                    self.reports += 1;
                    let text = self.report(i, e);
                    // Keep the order of lines when both go to one terminal.
                    self.out.flush()?;
                    eprint!("{text}");
                } else {
                    self.left_out += 1;
                }
                if self.print_errors || (self.print_values && !reported) {
                    writeln!(self.out, "{prefix}error: {e}")?;
                }
                Ok(())
            }
        }
    }

    /// The report of line `i`'s error: the caret, the calls it came
    /// through, where it was reached from, a hint.
    fn report(&self, i: usize, e: &Error) -> String {
        let batch = self.batch;
        let line = &batch.lines[i];
        let mut text = render_error(e, &batch.source, &self.index, self.origin);
        let at = self.index.line_of(e.span.start.min(batch.source.len())) + 1;
        text.push_str(&render::call_notes(e, &self.index));
        if at != line.line {
            text.push_str(&format!("  = note: reached from line {}\n", line.line));
        }
        let statement = batch
            .source
            .get(line.span.start..line.span.end)
            .unwrap_or("");
        if let Some(hint) = super::option_hint(e, self.origin, statement) {
            text.push_str(&hint);
        }
        text
    }

    /// Flushes stdout and writes the closing lines on stderr: how many
    /// reports were left out, and what Ctrl-C did.
    pub fn finish(mut self) {
        if let Err(e) = self.out.flush() {
            output_failed(&e);
        }
        if self.left_out > 0 {
            eprintln!(
                "exprflow: {} more failed line{} not reported (only the first {MAX_REPORTS} \
                 get a report; stdout has one line per statement)",
                self.left_out,
                if self.left_out == 1 { "" } else { "s" }
            );
        }
        if self.interrupts.pressed() && self.cancelled > 0 {
            eprintln!(
                "exprflow: interrupted (Ctrl-C): {} statement{} cancelled, the finished ones printed",
                self.cancelled,
                if self.cancelled == 1 { "" } else { "s" }
            );
        }
    }
}

/// stdout could not be written. Closed by its reader (`| head -1`): the
/// reader has what it wanted, so the run ends quietly with status 0, as
/// ripgrep does. Any other failure (a full disk) is said, with status 2.
pub fn output_failed(error: &std::io::Error) -> ! {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(i32::from(EXIT_OK));
    }
    eprintln!("exprflow: cannot write the output: {error}");
    std::process::exit(i32::from(EXIT_USAGE));
}
