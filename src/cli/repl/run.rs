//! Running an evaluation from the REPL: on the pool or the sequential
//! evaluator, with a live progress line, Ctrl-C and the timeout, and the
//! per-node events kept for `:trace` and `:time`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, select};
use exprflow::dag::{Dag, NodeId, Outcome};
use exprflow::eval::{CancelToken, Engine, NodeEvent, SubmitOptions, evaluate_sequential};
use exprflow::report::Trace;
use exprflow::{Error, ErrorKind};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use std::io::{IsTerminal, Write};

/// Evaluations shorter than this show no progress line.
const QUIET_FOR: Duration = Duration::from_millis(250);

/// How often the waiting loop wakes to redraw the progress line.
const TICK: Duration = Duration::from_millis(50);

/// After asking the sequential evaluator to stop, how long to wait for it
/// before leaving it to finish on its own (a single huge operation cannot
/// be interrupted half-way).
const GRACE: Duration = Duration::from_millis(500);

/// Which evaluator runs statements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Futures on the engine's worker pool.
    Parallel,
    /// The sequential reference evaluator (on a helper thread, so that the
    /// REPL can still draw progress and hear Ctrl-C).
    Sequential,
}

/// How a run ended early, if it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// Ctrl-C.
    Interrupted,
    /// The `:timeout` passed.
    TimedOut,
}

/// Per-node events as recorded by either evaluator.
#[derive(Debug)]
pub enum Recorded {
    /// From the pool, in completion order.
    Parallel(Vec<NodeEvent>),
    /// From the sequential evaluator, in completion order.
    Sequential(Vec<NodeEvent>),
}

/// What a run gave.
#[derive(Debug)]
pub struct Finished {
    /// One outcome per root, in the order of the roots.
    pub outcomes: Vec<Outcome>,
    /// Wall time from submission to the last root's outcome.
    pub wall: Duration,
    /// Node events (empty unless they were asked for).
    pub recorded: Recorded,
    /// Whether and why the run was cut short.
    pub stopped: Option<Stopped>,
    /// Pool workers of the run (1 when sequential).
    pub workers: usize,
}

impl Finished {
    /// The run as a [`Trace`] for the report functions.
    pub fn trace(&self) -> Trace {
        match &self.recorded {
            Recorded::Parallel(events) => {
                Trace::from_events(events.clone(), self.workers, self.wall)
            }
            Recorded::Sequential(events) => Trace::from_sequential(events.clone(), self.wall),
        }
    }
}

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
        if self.bar.is_none() && elapsed >= QUIET_FOR {
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

/// Nodes below `roots` without a result yet: what a sequential run will
/// compute (at most).
fn pending_nodes(dag: &Dag, roots: &[NodeId]) -> usize {
    let mut seen = vec![false; dag.len()];
    let mut work: Vec<NodeId> = Vec::new();
    let mut count = 0;
    for &root in roots {
        if root.index() < seen.len() && !seen[root.index()] {
            seen[root.index()] = true;
            work.push(root);
        }
    }
    while let Some(id) = work.pop() {
        if dag.result(id).is_some() {
            continue;
        }
        count += 1;
        for &input in dag.node(id).inputs.iter() {
            if input.index() < seen.len() && !seen[input.index()] {
                seen[input.index()] = true;
                work.push(input);
            }
        }
    }
    count
}

impl Runner<'_> {
    /// Evaluates `roots` of `dag` in `mode` and waits, honouring Ctrl-C and
    /// the timeout.
    pub fn run(&self, dag: &Arc<Dag>, roots: &[NodeId], mode: Mode) -> Finished {
        let _busy = Busy::new(self.busy);
        match mode {
            Mode::Parallel => self.parallel(dag, roots),
            Mode::Sequential => self.sequential(dag, roots),
        }
    }

    fn parallel(&self, dag: &Arc<Dag>, roots: &[NodeId]) -> Finished {
        let began = Instant::now();
        let futures = self
            .engine
            .submit_all(dag, roots, SubmitOptions { events: true });
        let total = futures
            .first()
            .and_then(|f| f.shape())
            .map_or(0, |shape| shape.nodes);
        let completions = futures.first().and_then(|f| f.completions());
        let (done_sender, done) = crossbeam_channel::unbounded::<()>();
        for future in &futures {
            let sender = done_sender.clone();
            future.on_complete(move |_| {
                let _ = sender.send(());
            });
        }
        drop(done_sender);
        let deadline = self.timeout.and_then(|t| began.checked_add(t));
        let mut progress = Progress::new(total, began, self.progress, self.columns);
        let mut events: Vec<NodeEvent> = Vec::new();
        let mut seen = 0usize;
        let mut left = futures.len();
        let mut stopped = None;
        let take_events = |events: &mut Vec<NodeEvent>, seen: &mut usize| {
            if let Some(receiver) = &completions {
                for event in receiver.try_iter() {
                    *seen += 1;
                    if self.keep_events {
                        events.push(event);
                    }
                }
            }
        };
        while left > 0 {
            take_events(&mut events, &mut seen);
            progress.update(seen, "");
            select! {
                recv(done) -> message => match message {
                    Ok(()) => left -= 1,
                    Err(_) => break,
                },
                recv(self.interrupts) -> _ => {
                    stopped = Some(Stopped::Interrupted);
                    for future in &futures {
                        future.cancel();
                    }
                },
                default(TICK) => {},
            }
            if stopped.is_none() && deadline.is_some_and(|d| Instant::now() >= d) {
                stopped = Some(Stopped::TimedOut);
                for future in &futures {
                    future.cancel_as(ErrorKind::TimedOut);
                }
            }
        }
        let wall = began.elapsed();
        take_events(&mut events, &mut seen);
        progress.clear();
        Finished {
            outcomes: futures.iter().map(|f| f.wait()).collect(),
            wall,
            recorded: Recorded::Parallel(events),
            stopped,
            workers: self.engine.workers(),
        }
    }

    fn sequential(&self, dag: &Arc<Dag>, roots: &[NodeId]) -> Finished {
        enum Message {
            Node(NodeEvent),
            Done(Vec<Outcome>, Duration),
        }
        let began = Instant::now();
        let total = pending_nodes(dag, roots);
        let token = CancelToken::new();
        let (sender, receiver) = crossbeam_channel::unbounded::<Message>();
        let thread = {
            let dag = Arc::clone(dag);
            let roots = roots.to_vec();
            let limits = *self.engine.limits();
            let token = token.clone();
            std::thread::Builder::new()
                .name("exprflow-sequential".into())
                .stack_size(8 << 20)
                .spawn(move || {
                    let began = Instant::now();
                    let mut outcomes = Vec::with_capacity(roots.len());
                    for root in roots {
                        let offset = began.elapsed();
                        let outcome = evaluate_sequential(&dag, root, &limits, &token, &mut |e| {
                            let _ = sender.send(Message::Node(NodeEvent {
                                start: e.start + offset,
                                end: e.end + offset,
                                ..e
                            }));
                        });
                        outcomes.push(outcome);
                    }
                    let _ = sender.send(Message::Done(outcomes, began.elapsed()));
                })
        };
        let cancelled_outcomes = |kind: ErrorKind| -> Vec<Outcome> {
            roots
                .iter()
                .map(|&r| Err(Error::new(kind, dag.node(r).span)))
                .collect()
        };
        if let Err(e) = thread {
            let error = Error::with_detail(
                ErrorKind::Internal,
                Default::default(),
                format!("cannot start the sequential evaluator: {e}"),
            );
            return Finished {
                outcomes: roots.iter().map(|_| Err(error.clone())).collect(),
                wall: began.elapsed(),
                recorded: Recorded::Sequential(Vec::new()),
                stopped: None,
                workers: 1,
            };
        }
        let deadline = self.timeout.and_then(|t| began.checked_add(t));
        let mut progress = Progress::new(total, began, self.progress, self.columns);
        let mut events: Vec<NodeEvent> = Vec::new();
        let mut seen = 0usize;
        let mut stopped: Option<Stopped> = None;
        let mut give_up_at: Option<Instant> = None;
        let (outcomes, wall) = loop {
            let note = if stopped.is_some() {
                ", stopping…"
            } else {
                ""
            };
            progress.update(seen, note);
            select! {
                recv(receiver) -> message => match message {
                    Ok(Message::Node(event)) => {
                        seen += 1;
                        if self.keep_events {
                            events.push(event);
                        }
                    }
                    Ok(Message::Done(outcomes, wall)) => break (outcomes, wall),
                    Err(_) => break (cancelled_outcomes(ErrorKind::Internal), began.elapsed()),
                },
                recv(self.interrupts) -> _ => {
                    stopped = Some(Stopped::Interrupted);
                    token.cancel();
                },
                default(TICK) => {},
            }
            let now = Instant::now();
            if stopped.is_none() && deadline.is_some_and(|d| now >= d) {
                stopped = Some(Stopped::TimedOut);
                token.cancel();
            }
            if stopped.is_some() && give_up_at.is_none() {
                give_up_at = now.checked_add(GRACE);
            }
            if give_up_at.is_some_and(|g| now >= g) {
                // The evaluator is inside one long operation: leave it to
                // finish on its own thread (its results still land in the
                // DAG) and give the prompt back now.
                let kind = match stopped {
                    Some(Stopped::TimedOut) => ErrorKind::TimedOut,
                    _ => ErrorKind::Cancelled,
                };
                break (cancelled_outcomes(kind), began.elapsed());
            }
        };
        progress.clear();
        let outcomes = outcomes
            .into_iter()
            .map(|outcome| match outcome {
                Err(mut e)
                    if e.kind == ErrorKind::Cancelled && stopped == Some(Stopped::TimedOut) =>
                {
                    e.kind = ErrorKind::TimedOut;
                    Err(e)
                }
                other => other,
            })
            .collect();
        Finished {
            outcomes,
            wall,
            recorded: Recorded::Sequential(events),
            stopped,
            workers: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exprflow::Session;

    static BUSY: AtomicBool = AtomicBool::new(false);

    fn runner<'a>(engine: &'a Engine, interrupts: &'a Receiver<()>) -> Runner<'a> {
        Runner {
            busy: &BUSY,
            engine,
            interrupts,
            timeout: None,
            progress: false,
            columns: 80,
            keep_events: true,
        }
    }

    #[test]
    fn both_modes_agree_and_record_events() {
        let engine = Engine::with_workers(2).expect("engine");
        let (_tx, rx) = crossbeam_channel::bounded(1);
        for mode in [Mode::Parallel, Mode::Sequential] {
            let mut session = Session::new();
            let added = session
                .add("(3+7)*(2+8)*((2*3)-1)")
                .expect("parses")
                .expect("a statement");
            let finished = runner(&engine, &rx).run(session.dag(), &[added.node], mode);
            assert_eq!(
                finished.outcomes[0].as_ref().map(|v| v.to_string()),
                Ok("500".into())
            );
            assert_eq!(finished.stopped, None);
            assert!(!finished.trace().is_empty(), "{mode:?}");
        }
    }

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
            let began = Instant::now();
            let finished = runner(&engine, &rx).run(session.dag(), &[added.node], mode);
            // Cancellation takes milliseconds; without it the run takes ten
            // minutes: this bound catches only that hang.
            assert!(began.elapsed() < Duration::from_secs(60), "{mode:?}");
            assert_eq!(finished.stopped, Some(Stopped::Interrupted));
            assert_eq!(
                finished.outcomes[0].as_ref().map_err(|e| e.kind),
                Err(ErrorKind::Cancelled)
            );
            let _ = pressed.join();
        }
    }

    #[test]
    fn an_interrupt_drops_delay_timers() {
        let engine = Engine::with_workers(2).expect("engine");
        let (tx, rx) = crossbeam_channel::bounded(1);
        let mut session = Session::new();
        let added = session
            .add("delay(1, 60000) + delay(2, 60000)")
            .expect("parses")
            .expect("a statement");
        let pressed = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            let _ = tx.send(());
        });
        let finished = runner(&engine, &rx).run(session.dag(), &[added.node], Mode::Parallel);
        assert_eq!(finished.stopped, Some(Stopped::Interrupted));
        let _ = pressed.join();
        // The timer thread drops them asynchronously: give it a moment.
        let waited = Instant::now();
        while engine.pending_timers() > 0 && waited.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(engine.pending_timers(), 0);
    }

    #[test]
    fn the_timeout_gives_timed_out() {
        let engine = Engine::with_workers(2).expect("engine");
        let (_tx, rx) = crossbeam_channel::bounded(1);
        for mode in [Mode::Parallel, Mode::Sequential] {
            let mut session = Session::new();
            let added = session
                .add("delay(1, 20000)")
                .expect("parses")
                .expect("a statement");
            let mut runner = runner(&engine, &rx);
            runner.timeout = Some(Duration::from_millis(100));
            let finished = runner.run(session.dag(), &[added.node], mode);
            assert_eq!(finished.stopped, Some(Stopped::TimedOut));
            assert_eq!(
                finished.outcomes[0].as_ref().map_err(|e| e.kind),
                Err(ErrorKind::TimedOut)
            );
        }
    }

    #[test]
    fn pending_nodes_skips_known_results() {
        let mut session = Session::new();
        let added = session
            .add("(1+2)*(3+4)")
            .expect("parses")
            .expect("a statement");
        assert_eq!(pending_nodes(session.dag(), &[added.node]), 3);
    }
}
