//! Evaluation every way at once: the sequential reference and the pool at
//! several worker counts must agree (shared by the spec-example tests).

use exprflow::Engine;

/// The worker counts every agreement check runs on.
pub const WORKERS: [usize; 5] = [1, 2, 3, 4, 8];

/// One engine per entry of [`WORKERS`].
pub fn engines() -> Vec<Engine> {
    WORKERS
        .iter()
        .map(|&n| Engine::with_workers(n).unwrap())
        .collect()
}

/// Evaluates `text` every way and checks they agree; returns the display form.
pub fn show(text: &str) -> String {
    let sequential = exprflow::eval(text);
    for engine in engines() {
        assert_eq!(
            engine.eval(text),
            sequential,
            "{text} on {} workers",
            engine.workers()
        );
    }
    match sequential {
        Ok(v) => v.to_string(),
        Err(e) => format!("error: {e}"),
    }
}
