//! Running an evaluation from the REPL: a library
//! [`RunHandle`](crate::handle::RunHandle) on the pool or the sequential
//! evaluator, watched here with a live progress line and Ctrl-C; the
//! per-node events are kept for `:trace` and `:time`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::dag::{Dag, NodeId};
use crate::eval::Engine;
use crate::handle::{RunOptions, Step};
use crossbeam_channel::Receiver;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use std::io::{IsTerminal, Write};

pub use crate::handle::{Evaluator as Mode, Finished, Stopped};

/// Evaluations shorter than this show no progress line.
const QUIET_FOR: Duration = Duration::from_millis(250);

/// How often the waiting loop wakes to redraw the progress line and look
/// for Ctrl-C.
const TICK: Duration = Duration::from_millis(50);

/// What a run needs from the REPL.
pub struct Runner<'a> {
    /// The pool (and the limits, also used by the sequential evaluator).
    pub engine: &'a Engine,
    /// Ctrl-C presses.
    pub interrupts: &'a Receiver<()>,
    /// Give up after this long.
    pub timeout: Option<Duration>,
    /// Draw the progress line (on stderr, only if it is a terminal).
    pub progress: bool,
    /// The terminal's width, to keep the progress line on one row.
    pub columns: usize,
    /// Keep every node event (for `:trace` and `:time`).
    pub keep_events: bool,
    /// Set while a run is going on (the Ctrl-C handler reads it).
    pub busy: &'a AtomicBool,
}

/// Sets a flag for as long as it lives.
struct Busy<'a>(&'a AtomicBool);

impl<'a> Busy<'a> {
    fn new(flag: &'a AtomicBool) -> Busy<'a> {
        flag.store(true, Ordering::SeqCst);
        Busy(flag)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// The terminal end of the progress line: stderr, written with plain ANSI
/// sequences. indicatif pads every line with spaces to the terminal's width
/// so that the cursor rests in the last column; then the `^C` the terminal
/// echoes on Ctrl-C wraps onto a new row and clearing the bar clears that
/// row instead, leaving the bar behind. This target drops that padding (and
/// reports a wide terminal, so indicatif never thinks the line wraps; the
/// REPL keeps the line shorter than the real width itself).
#[derive(Debug)]
struct StderrLine;

impl StderrLine {
    fn write(&self, text: &str) -> std::io::Result<()> {
        std::io::stderr().write_all(text.as_bytes())
    }
}

impl TermLike for StderrLine {
    fn width(&self) -> u16 {
        u16::MAX
    }

    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.write(&format!("\x1b[{n}A"))
        } else {
            Ok(())
        }
    }

    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.write(&format!("\x1b[{n}B"))
        } else {
            Ok(())
        }
    }

    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.write(&format!("\x1b[{n}C"))
        } else {
            Ok(())
        }
    }

    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.write(&format!("\x1b[{n}D"))
        } else {
            Ok(())
        }
    }

    fn write_line(&self, text: &str) -> std::io::Result<()> {
        self.write(text)?;
        self.write("\n")
    }

    fn write_str(&self, text: &str) -> std::io::Result<()> {
        if !text.is_empty() && text.bytes().all(|b| b == b' ') {
            return Ok(()); // indicatif's padding to the full width
        }
        self.write(text)
    }

    fn clear_line(&self) -> std::io::Result<()> {
        self.write("\r\x1b[2K")
    }

    fn flush(&self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// The progress line: created once a run has taken [`QUIET_FOR`].
struct Progress {
    bar: Option<ProgressBar>,
    began: Instant,
    total: usize,
    enabled: bool,
    columns: usize,
}

impl Progress {
    fn new(total: usize, began: Instant, enabled: bool, columns: usize) -> Progress {
        Progress {
            bar: None,
            began,
            total,
            enabled: enabled && total > 0 && std::io::stderr().is_terminal(),
            columns,
        }
    }

    fn update(&mut self, done: usize, note: &str) {
        if !self.enabled {
            return;
        }
        let elapsed = self.began.elapsed();
        if self.bar.is_none() && elapsed >= QUIET_FOR && self.total > 0 {
            let bar = ProgressBar::with_draw_target(
                Some(self.total as u64),
                ProgressDrawTarget::term_like_with_hz(Box::new(StderrLine), 10),
            );
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                bar.set_style(style.tick_chars("|/-\\ "));
            }
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            let line = format!(
                "{}/{} nodes done  {:.1} s{note}  (Ctrl-C cancels)",
                done.min(self.total),
                self.total,
                elapsed.as_secs_f64()
            );
            // Two columns for the spinner, one spare so the line never wraps.
            let room = self.columns.saturating_sub(3).max(10);
            bar.set_position(done.min(self.total) as u64);
            bar.set_message(line.chars().take(room).collect::<String>());
            bar.tick();
        }
    }

    fn clear(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

impl Runner<'_> {
    /// Evaluates `roots` of `dag` in `mode` and waits, honouring Ctrl-C and
    /// the timeout.
    pub fn run(&self, dag: &Arc<Dag>, roots: &[NodeId], mode: Mode) -> Finished {
        let _busy = Busy::new(self.busy);
        let options = RunOptions {
            evaluator: mode,
            timeout: self.timeout,
            events: self.keep_events,
            progress: true,
        };
        let began = Instant::now();
        let mut handle = self.engine.start(dag, roots, options);
        let mut progress = Progress::new(roots.len(), began, self.progress, self.columns);
        loop {
            let done = handle.progress();
            progress.total = done.nodes_total;
            let note = if handle.stopped().is_some() && mode == Mode::Sequential {
                ", stopping…"
            } else {
                ""
            };
            progress.update(done.nodes_done, note);
            if matches!(handle.step(TICK), Step::Finished) {
                break;
            }
            if self.interrupts.try_recv().is_ok() {
                handle.cancel();
            }
        }
        progress.clear();
        let finished = handle.finish();
        if finished.wall >= super::memory::TRIM_AFTER {
            super::memory::give_back_when_idle(self.engine);
        }
        finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, Session};

    static BUSY: AtomicBool = AtomicBool::new(false);

    #[test]
    fn an_interrupt_cancels_quickly_in_both_modes() {
        let engine = Engine::with_workers(2).expect("engine");
        for mode in [Mode::Parallel, Mode::Sequential] {
            let (tx, rx) = crossbeam_channel::bounded(1);
            let mut session = Session::new();
            let added = session
                .add("busy(1, 600000)")
                .expect("parses")
                .expect("a statement");
            let pressed = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                let _ = tx.send(());
            });
            let runner = Runner {
                busy: &BUSY,
                engine: &engine,
                interrupts: &rx,
                timeout: None,
                progress: false,
                columns: 80,
                keep_events: true,
            };
            let began = Instant::now();
            let finished = runner.run(session.dag(), &[added.node], mode);
            // Cancellation takes milliseconds; without it the run takes ten
            // minutes: this bound catches only that hang.
            assert!(began.elapsed() < Duration::from_secs(60), "{mode:?}");
            assert_eq!(finished.stopped, Some(Stopped::Cancelled));
            assert_eq!(
                finished.outcomes[0].as_ref().map_err(|e| e.kind),
                Err(ErrorKind::Cancelled)
            );
            let _ = pressed.join();
        }
    }
}
