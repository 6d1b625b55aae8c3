//! Printing values in the REPL: past 4,300 digits a one-line summary
//! (`:full` prints the last value whole, `:full on` every value), and a
//! long value written in pieces so that Ctrl-C stops it.

use super::super::shown::{Digits, shown, write_stoppable};
use super::*;
use crate::Value;

/// Past this many bytes a value is written without colour, in pieces.
const PLAIN_FROM: usize = 16 * 1024;

impl Repl {
    /// Prints `label` (`x = `, `3: `, or nothing) and `value`, summarised
    /// or whole as `:full` says.
    pub(super) fn print_value(&mut self, label: &str, value: &Value) {
        self.print_value_as(label, value, self.digits);
    }

    fn print_value_as(&mut self, label: &str, value: &Value, digits: Digits) {
        self.last_value = Some(value.clone());
        // Printing millions of digits takes a while (the decimal
        // conversion, then the terminal): Ctrl-C stops it. The handler
        // passes a press on only while `busy` is set when stdin is not a
        // terminal.
        self.busy.store(true, Ordering::SeqCst);
        let text = shown(value, digits, ":full");
        if digits == Digits::Summarised && text.starts_with('<') {
            println!("{label}{}", self.style.dim(&text));
            self.busy.store(false, Ordering::SeqCst);
            return;
        }
        if text.len() < PLAIN_FROM {
            println!("{label}{}", self.style.value(&text));
            self.busy.store(false, Ordering::SeqCst);
            return;
        }
        let interrupts = &self.interrupts;
        let mut stdout = std::io::stdout().lock();
        let whole = std::io::Write::write_all(&mut stdout, label.as_bytes())
            .and_then(|()| {
                write_stoppable(&mut stdout, &text, &mut || interrupts.try_recv().is_ok())
            })
            .unwrap_or(false);
        let _ = writeln!(stdout);
        let _ = stdout.flush();
        drop(stdout);
        self.busy.store(false, Ordering::SeqCst);
        if !whole {
            eprintln!(
                "{}",
                self.style
                    .dim("(printing stopped by Ctrl-C; the value is kept)")
            );
        }
    }

    /// `:full` prints the last value whole; `:full on|off` prints every
    /// value whole, or summarises those past 4,300 digits again.
    pub(super) fn full(&mut self, arg: &str) {
        match arg {
            "" => match self.last_value.clone() {
                Some(value) => self.print_value_as("", &value, Digits::Full),
                None => println!("{}", self.style.dim("no value yet")),
            },
            "on" => {
                self.digits = Digits::Full;
                println!("full on: every value is printed with all its digits");
            }
            "off" => {
                self.digits = Digits::Summarised;
                println!(
                    "full off: values of more than {} digits are summarised",
                    super::super::shown::thousands(super::super::shown::MAX_DIGITS as u64)
                );
            }
            other => self.complain(&format!(":full takes on or off, not `{other}`")),
        }
    }
}
