//! Showing errors with `file:line:column` and a caret under the span.

use crate::Error;
pub(crate) use crate::caret::{call_notes, render_error};

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

/// Whether stdout and stderr are the same terminal (the usual interactive
/// case), so that an error's caret report on stderr need not be repeated as
/// an `error:` line on stdout.
pub fn same_terminal() -> bool {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(out), Ok(err)) = (
            std::fs::metadata("/dev/stdout"),
            std::fs::metadata("/dev/stderr"),
        ) {
            return out.rdev() == err.rdev();
        }
    }
    true
}

/// A `timed out` error worded the same in `eval`, `batch` and the REPL:
/// `timed out: the limit of 100 ms passed` (when the limit is known).
pub fn with_limit(error: &Error, limit: Option<std::time::Duration>) -> Error {
    match limit {
        Some(limit) if error.kind == crate::ErrorKind::TimedOut && error.detail.is_none() => {
            Error::with_detail(
                error.kind,
                error.span,
                format!(
                    "the limit of {} passed",
                    crate::report::format_duration(limit)
                ),
            )
        }
        _ => error.clone(),
    }
}
