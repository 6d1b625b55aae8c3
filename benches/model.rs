//! Models (issue 13): 1,000 chains of 100 cells, one `set` + `get` against
//! a full evaluation, a `get` with nothing changed, and early cutoff.
//! Prints the rows of the BENCHMARKS.md table "Models".
//!
//! ```text
//! flock /work/wt/notes/bench.lock cargo bench --bench model       # 2 workers
//! flock /work/wt/notes/bench.lock cargo bench --bench model -- 1  # 1 worker
//! ```
//!
//! The model: inputs `x0..x999`; chain `j` is `c{j}_0 = x{j} * 2` and
//! `c{j}_{i} = c{j}_{i-1} + 1` up to `c{j}_99` (100 formula cells); `total`
//! sums the 1,000 chain ends; a separate chain `z0 = w * 0`, `z{i} =
//! z{i-1} + 1` up to `z99` shows the early cutoff. 100,101 formula cells in
//! all.

use std::time::{Duration, Instant};

use exprflow::{Engine, Model, Recompute, Value};

const LENGTH: usize = 100;

/// `EXPRFLOW_BENCH_QUICK` set (CI): a small model, each measurement once,
/// only to check that the answers are right and nothing fails.
fn quick() -> bool {
    std::env::var_os("EXPRFLOW_BENCH_QUICK").is_some()
}

/// Chains of cells (1,000; 20 when quick).
fn chains() -> usize {
    if quick() { 20 } else { 1000 }
}

/// Repetitions of the full evaluation (best of 3; 1 when quick).
fn full_runs() -> usize {
    if quick() { 1 } else { 3 }
}

/// Edits measured, each on another chain (300; 10 when quick).
fn edits_measured() -> usize {
    if quick() { 10 } else { 300 }
}

/// `get`s with nothing changed (100,000; 100 when quick).
fn noops() -> usize {
    if quick() { 100 } else { 100_000 }
}

fn text() -> String {
    let mut text = String::new();
    for j in 0..chains() {
        text.push_str(&format!("c{j}_0 = x{j} * 2\n"));
        for i in 1..LENGTH {
            text.push_str(&format!("c{j}_{i} = c{j}_{} + 1\n", i - 1));
        }
    }
    let ends: Vec<String> = (0..chains())
        .map(|j| format!("c{j}_{}", LENGTH - 1))
        .collect();
    text.push_str(&format!("total = {}\n", ends.join(" + ")));
    text.push_str("z0 = w * 0\n");
    for i in 1..LENGTH {
        text.push_str(&format!("z{i} = z{} + 1\n", i - 1));
    }
    text
}

fn build(engine: &Engine, text: &str) -> (Model, Duration) {
    let model = engine.model();
    let began = Instant::now();
    model.define(text).expect("define");
    for j in 0..chains() {
        model
            .set(&format!("x{j}"), Value::from(j as i64))
            .expect("set");
    }
    model.set("w", Value::from(1)).expect("set");
    (model, began.elapsed())
}

fn micros(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

fn row(what: &str, time: Duration, counts: Recompute, note: &str) {
    println!(
        "| {what} | {} | {} | {} | {note} |",
        micros(time),
        counts.recomputed,
        counts.reused
    );
}

fn main() {
    let workers: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2);
    let engine = Engine::with_workers(workers).expect("engine");
    let text = text();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("workers: {workers}; load average at start: {}", load.trim());
    println!();
    println!("| measurement | time | recomputed | reused | note |");
    println!("|---|---|---|---|---|");

    // Full evaluation: a fresh model's first `get` of everything.
    let mut full = Duration::MAX;
    let mut define = Duration::MAX;
    let mut model = None;
    for _ in 0..full_runs() {
        let (fresh, defined) = build(&engine, &text);
        define = define.min(defined);
        let began = Instant::now();
        let total = fresh.get("total").expect("total");
        full = full.min(began.elapsed());
        // Chain j ends at 2j + 99: a wrong answer fails the bench.
        let n = chains() as i64;
        assert_eq!(total, Value::from(n * (n - 1) + 99 * n), "total");
        assert_eq!(fresh.get("z99").expect("z99"), Value::from(99), "z99");
        model = Some(fresh);
    }
    let model = model.expect("a model");
    row(
        "define + set the whole model (100,101 formula cells, 1,001 inputs)",
        define,
        Recompute::default(),
        "parse and compile every cell; best of 3",
    );
    row(
        "full evaluation: first `get(\"total\")` of a fresh model",
        full,
        Recompute {
            recomputed: chains() * LENGTH + 1,
            reused: 0,
        },
        "best of 3",
    );

    // One `set` + `get` of the chain's end.
    let (edit, counts) = edits(&model, |k| {
        let j = (k * 7) % chains();
        (format!("x{j}"), k + 10_000, format!("c{j}_{}", LENGTH - 1))
    });
    row(
        "one `set` + `get` of that chain's end",
        edit,
        counts,
        &format!(
            "median of {}; {:.0}× faster than the full evaluation",
            edits_measured(),
            full.as_secs_f64() / edit.as_secs_f64()
        ),
    );

    // One `set` + `get` of the total (the chain and the sum).
    model.get("total").expect("total");
    let (time, counts) = edits(&model, |k| {
        (
            format!("x{}", (k * 13) % chains()),
            k + 20_000,
            "total".into(),
        )
    });
    row(
        "one `set` + `get(\"total\")`",
        time,
        counts,
        &format!("median of {}; the sum reads 1,000 cells", edits_measured()),
    );

    // Nothing changed.
    for (what, name) in [
        (
            "`get` of a chain's end, nothing changed",
            format!("c0_{}", LENGTH - 1),
        ),
        ("`get(\"total\")`, nothing changed", "total".into()),
    ] {
        model.get(&name).expect("get");
        let began = Instant::now();
        for _ in 0..noops() {
            model.get(&name).expect("get");
        }
        let time = began.elapsed() / noops() as u32;
        row(
            what,
            time,
            model.last_recompute(),
            &format!("mean of {}", noops()),
        );
    }

    // Early cutoff: `z0 = w * 0` absorbs the edit.
    let (time, counts) = edits(&model, |k| ("w".into(), k + 2, "z99".into()));
    row(
        "early cutoff: `set(\"w\")` + `get(\"z99\")`, `z0 = w * 0`",
        time,
        counts,
        &format!("median of {}; nothing past z0 recomputed", edits_measured()),
    );
}

/// [`edits_measured`] times: `set` of the input and `get` of the cell that
/// `edit(k)` names (with the value it gives), timed together; the median
/// time and the last recompute counts.
fn edits(model: &Model, edit: impl Fn(usize) -> (String, usize, String)) -> (Duration, Recompute) {
    let mut times = Vec::with_capacity(edits_measured());
    for k in 0..edits_measured() {
        let (input, value, target) = edit(k);
        let began = Instant::now();
        model.set(&input, Value::from(value as i64)).expect("set");
        model.get(&target).expect("get");
        times.push(began.elapsed());
    }
    (median(times), model.last_recompute())
}
