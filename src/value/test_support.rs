//! Short constructors shared by the value module's unit tests.

use dashu::rational::RBig;

use super::{Limits, Value};

/// The default limits.
pub(crate) fn lim() -> Limits {
    Limits::default()
}

/// The integer `n`.
pub(crate) fn i(n: i64) -> Value {
    Value::from_i64(n)
}

/// The rational `n/d` (an integer when `d` divides `n`).
pub(crate) fn q(n: i64, d: u64) -> Value {
    Value::from_rbig(RBig::from_parts(n.into(), d.into()))
}

/// The float `x`.
pub(crate) fn f(x: f64) -> Value {
    Value::Float(x)
}

/// How long a check given to [`without_hanging`] may take: far beyond its
/// normal milliseconds, so only a hang (a refusal that computes first would
/// run for minutes or hours) reaches it, never a slow machine.
pub(crate) const HANG: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs `check` on a thread of its own and fails if it has not finished
/// within [`HANG`]; a panic of `check` fails the test as usual. The only
/// time bound in the value module's tests.
pub(crate) fn without_hanging(check: impl FnOnce() + Send + 'static) {
    let (done, finished) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        check();
        let _ = done.send(());
    });
    match finished.recv_timeout(HANG) {
        Ok(()) => {}
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("still running after {HANG:?}"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(panic) = thread.join() {
                std::panic::resume_unwind(panic);
            }
        }
    }
}
