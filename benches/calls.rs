//! Parallel recursion in user functions (issue 12), Cilk's classic `pfib`,
//! measured on exprflow itself; one JSON line per measurement, the shape of
//! `benches/workloads.rs` and of the Python peer `benches/peers/pfib.py`.
//!
//! ```text
//! cargo bench --bench calls                  # n = 18, 0.5 ms of CPU per leaf
//! cargo bench --bench calls -- 20 0.25       # other n and leaf milliseconds
//! cargo bench --bench calls -- 12 2 delay    # leaves that sleep: `delay`
//! ```
//!
//! `busy` leaves burn CPU, so on a loaded machine (or under a CPU quota)
//! their speedup shows only what the scheduler grants; `delay` leaves
//! wait on the timer holding no worker (the body's expansion is parked),
//! so their row shows how many leaves wait at once whatever the load.
//!
//! The workload: `pfib(n, k) = if(n < 2, busy(n, MS), pfib(n-1, 2*k) +
//! pfib(n-2, 2*k+1))`, called as `pfib(N, 1)`. The second argument is the
//! call's path in the call tree, so every call is distinct: with
//! `pfib(n)` alone, calls are memoised by value and `pfib(n-1)` already
//! computes `pfib(n-2)`, so the whole recursion is `n` calls and there is
//! nothing to run in parallel. With `k`, the calls form the full tree of
//! the naive recursion (fib(N+1) leaves of `MS` ms of CPU each), as in
//! Cilk's and Python's versions, which do not memoise.
//!
//! Each line times the evaluation alone (the definition and the call are
//! parsed into a fresh batch, so a fresh memo, before the clock starts),
//! the best of [`RUNS`].

use std::time::{Duration, Instant};

use exprflow::Engine;
use exprflow::testing::{Batch, EngineInternals};

/// Repetitions of every measurement (the Python peer uses the same).
const RUNS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let n: u32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(18);
    let ms: f64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(0.5);
    let leaf = match args.get(2).map(String::as_str) {
        Some("delay") => "delay",
        _ => "busy",
    };
    let workload = if leaf == "busy" { "pfib" } else { "pfib-delay" };
    let text = format!(
        "pfib(n, k) = if(n < 2, {leaf}(n, {ms}), pfib(n-1, 2*k) + pfib(n-2, 2*k+1))\npfib({n}, 1)"
    );
    let leaves = fib(n + 1);
    let expected = fib(n).to_string();
    let cpu = Duration::from_secs_f64(leaves as f64 * ms / 1000.0);
    let mut one_worker = None;
    for (peer, workers) in [
        ("exprflow-sequential", 0),
        ("exprflow-1-worker", 1),
        ("exprflow-2-workers", 2),
    ] {
        let engine = (workers > 0).then(|| Engine::with_workers(workers).expect("engine"));
        let mut runs = Vec::with_capacity(RUNS);
        let mut correct = true;
        for _ in 0..RUNS {
            let (wall, value) = once(engine.as_ref(), &text);
            correct &= value == expected;
            runs.push(wall);
        }
        let best = runs.iter().copied().min().unwrap_or_default();
        if workers == 1 {
            one_worker = Some(best);
        }
        let speedup = match (workers, one_worker) {
            (2, Some(one)) => format!(
                ", \"speedup_vs_1_worker\": {:.3}",
                one.as_secs_f64() / best.as_secs_f64()
            ),
            _ => String::new(),
        };
        let runs_s: Vec<String> = runs
            .iter()
            .map(|r| format!("{:.6}", r.as_secs_f64()))
            .collect();
        println!(
            "{{\"workload\": \"{workload}\", \"peer\": \"{peer}\", \"n\": {n}, \"wall_s\": {:.6}, \"extra\": {{\"timed\": \"eval\", \"leaf_ms\": {ms}, \"leaves\": {leaves}, \"leaf_work_s\": {:.6}, \"correct\": {correct}, \"runs_s\": [{}]{speedup}}}}}",
            best.as_secs_f64(),
            cpu.as_secs_f64(),
            runs_s.join(", ")
        );
        eprintln!(
            "pfib({n}, 1) {leaf} {peer:<22} best {:>9.3} ms of {RUNS} (leaf work {:.3} s){}",
            best.as_secs_f64() * 1e3,
            cpu.as_secs_f64(),
            if correct { "" } else { "  WRONG VALUE" }
        );
    }
}

/// The call timed once: parse into a fresh batch, then evaluate.
fn once(engine: Option<&Engine>, text: &str) -> (Duration, String) {
    let batch = Batch::parse(text.as_bytes(), Default::default());
    let roots = batch.roots();
    let call = *roots.last().expect("the call is the last line");
    let start = Instant::now();
    let value = match engine {
        Some(engine) => engine.submit_all(&batch.dag, &[call], Default::default())[0].wait(),
        None => exprflow::testing::eval::evaluate_sequential(
            &batch.dag,
            call,
            &Default::default(),
            &exprflow::testing::eval::CancelToken::new(),
            &mut |_| {},
        ),
    };
    let wall = start.elapsed();
    (
        wall,
        value
            .map(|v| v.to_string())
            .unwrap_or_else(|e| e.to_string()),
    )
}

fn fib(n: u32) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}
