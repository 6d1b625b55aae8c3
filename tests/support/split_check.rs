//! The split front end (one `+`/`*` chain planned into chunks parsed
//! and built on several threads) against the serial parse, on arbitrary
//! bytes: the check of the `split` fuzz target, also run on its seeds by
//! `tests/adversarial_split.rs`.
//!
//! The first byte picks the grain (chunks of 1 to 32 bytes, so every
//! statement that splits at all is cut everywhere a big one could be)
//! and whether a prelude binding `x`, `y` and `f` comes first; the rest is
//! statements, one per line. [`check`] asserts that
//! - a session that splits and one that does not (`EngineInternals::
//!   with_split`) give every statement the same node or the same error
//!   (kind, span, message), bind the same names, and build the same DAG
//!   (node by node: operation, inputs, span, estimates);
//! - a batch of the same text, split (`Batch::parse_split`) and serial
//!   (`Batch::parse_serial`), gives the same lines and the same DAG;
//! - nothing panics, hangs or overflows the stack.
//!
//! Nothing is evaluated: the split path changes how text becomes a DAG.

use std::sync::OnceLock;

use exprflow::testing::{Batch, BatchOptions, EngineInternals, SessionInternals};
use exprflow::{Engine, Value};

#[path = "dags.rs"]
pub mod dags;

/// Statements before the input when the first byte's top bit is set.
const PRELUDE: &[&str] = &["x = 2", "f(a) = a * x + 1", "y = f(3) + x", "z = 1 +"];

/// One engine (2 workers) with a host function `h`, built once.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::builder()
            .workers(2)
            .max_depth(64)
            .function("h", 1, |args: &[Value]| Ok(args[0].clone()))
            .build()
            .expect("engine")
    })
}

/// Each statement's outcome in a session of `engine`, and the session.
fn add_all(engine: &Engine, statements: &[&str]) -> (Vec<String>, exprflow::Session) {
    let mut session = engine.session();
    let outcomes = statements
        .iter()
        .map(|s| format!("{:?}", session.add_only(s)))
        .collect();
    (outcomes, session)
}

/// A batch of `text`, split into chunks of about `grain` bytes, is the
/// serial one.
fn same_batch(text: &[u8], grain: usize) {
    let split = Batch::parse_split(text, BatchOptions::default(), grain);
    let serial = Batch::parse_serial(text, BatchOptions::default());
    assert_eq!(format!("{:?}", split.lines), format!("{:?}", serial.lines));
    assert_eq!(dags::first_difference(&split.dag, &serial.dag), None);
}

/// Checks `data` (see the module's documentation); panics on a difference.
pub fn check(data: &[u8]) {
    let Some((&config, text)) = data.split_first() else {
        return;
    };
    let grain = usize::from(config & 31) + 1;
    let Ok(text) = std::str::from_utf8(text) else {
        // Invalid UTF-8 only reaches a batch (a session takes `&str`).
        same_batch(text, grain);
        return;
    };
    let mut statements: Vec<&str> = Vec::new();
    if config & 0x80 != 0 {
        statements.extend(PRELUDE);
    }
    statements.extend(text.split('\n'));

    let (split, a) = add_all(&engine().with_split(Some(grain)), &statements);
    let (serial, b) = add_all(&engine().with_split(None), &statements);
    assert_eq!(split, serial);
    assert_eq!(
        format!("{:?}", a.variables()),
        format!("{:?}", b.variables())
    );
    assert_eq!(a.functions(), b.functions());
    assert_eq!(dags::first_difference(a.dag(), b.dag()), None);
    same_batch(statements.join("\n").as_bytes(), grain);
}
