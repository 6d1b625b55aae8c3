//! Ctrl-C in `eval` and `batch`: the first press cancels the run (the lines
//! that finished are still printed, the others are `cancelled`) or stops
//! the printing; a second press ends the process at once. Either way the
//! exit status is 130, as for any program a SIGINT ended.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Exit status after Ctrl-C: 128 + SIGINT, as a shell reports it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Counts Ctrl-C presses.
#[derive(Clone, Debug, Default)]
pub struct Interrupts {
    presses: Arc<AtomicUsize>,
}

impl Interrupts {
    /// Catches Ctrl-C from now on. Without a handler (it could not be
    /// installed) Ctrl-C ends the process as usual and no press is ever
    /// counted.
    pub fn install() -> Interrupts {
        let interrupts = Interrupts::default();
        let presses = Arc::clone(&interrupts.presses);
        let _ = ctrlc::set_handler(move || {
            if presses.fetch_add(1, Ordering::SeqCst) >= 1 {
                // The second press: the first did not stop things soon
                // enough for the person waiting.
                std::process::exit(i32::from(EXIT_INTERRUPTED));
            }
        });
        interrupts
    }

    /// How many times Ctrl-C was pressed so far.
    pub fn presses(&self) -> usize {
        self.presses.load(Ordering::SeqCst)
    }

    /// Whether Ctrl-C was pressed at all.
    pub fn pressed(&self) -> bool {
        self.presses() > 0
    }
}
