//! Showing errors with `file:line:column` and a caret under the span.

use std::fmt::Write;

use exprflow::Error;
use exprflow::syntax::LineIndex;

/// Renders `error` against `source` (named `origin`), e.g.
///
/// ```text
/// error: division by zero
///  --> <stdin>:3:5
///   |
/// 3 | 1 + 1/0
///   |     ^^^
/// ```
pub fn render_error(error: &Error, source: &str, index: &LineIndex, origin: &str) -> String {
    let at = index.position(source, error.span.start);
    let line = index.line_of(error.span.start.min(source.len()));
    let range = index.line_range(source, line);
    let text = &source[range.clone()];
    let gutter = at.line.to_string().len();
    let caret_start = at.column - 1;
    let end = error
        .span
        .end
        .clamp(error.span.start + 1, range.end.max(error.span.start + 1));
    let caret_len = source
        .get(error.span.start.min(source.len())..end.min(source.len()))
        .map_or(1, |s| s.chars().count())
        .max(1);
    let mut out = String::new();
    let _ = writeln!(out, "error: {error}");
    let _ = writeln!(out, "{:gutter$}--> {origin}:{at}", "");
    let _ = writeln!(out, "{:gutter$} |", "");
    let _ = writeln!(out, "{} | {}", at.line, shorten(text));
    let _ = writeln!(
        out,
        "{:gutter$} | {:caret_start$}{}",
        "",
        "",
        "^".repeat(caret_len.min(200))
    );
    out
}

/// Keeps a long line readable (the caret may then point past it).
fn shorten(text: &str) -> String {
    const MAX: usize = 400;
    if text.chars().count() <= MAX {
        return text.replace('\t', " ");
    }
    let mut s: String = text.chars().take(MAX).collect();
    s.push('…');
    s.replace('\t', " ")
}

/// The batch progress bar: lines done out of all, on stderr, shown only
/// when stderr is a terminal and the run has taken longer than
/// [`Progress::DELAY`]; cleared when the run ends.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    stop: Option<crossbeam_channel::Sender<()>>,
    shower: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// How long a run goes before its bar appears.
    pub const DELAY: std::time::Duration = std::time::Duration::from_millis(250);

    /// A bar for `total` lines; a no-op unless `enabled` and stderr is a
    /// terminal.
    pub fn start(total: usize, enabled: bool) -> Progress {
        use std::io::IsTerminal;
        if !enabled || total == 0 || !std::io::stderr().is_terminal() {
            return Progress {
                bar: None,
                stop: None,
                shower: None,
            };
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total as u64),
            indicatif::ProgressDrawTarget::hidden(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner:.cyan} {elapsed:>4} [{wide_bar:.cyan/blue}] {pos}/{len} lines",
        ) {
            bar.set_style(style.progress_chars("━╸─"));
        }
        let (stop, stopped) = crossbeam_channel::bounded::<()>(1);
        let shown = bar.clone();
        let shower = std::thread::Builder::new()
            .name("exprflow-progress".into())
            .spawn(move || {
                if let Err(crossbeam_channel::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(Progress::DELAY)
                {
                    shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    shown.enable_steady_tick(std::time::Duration::from_millis(100));
                }
            })
            .ok();
        Progress {
            bar: Some(bar),
            stop: Some(stop),
            shower,
        }
    }

    /// One more line is done.
    pub fn inc(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Runs `f` (which writes to the terminal) with the bar out of the way.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Removes the bar.
    pub fn finish(mut self) {
        self.close();
    }

    fn close(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(shower) = self.shower.take() {
            let _ = shower.join();
        }
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.close();
    }
}
