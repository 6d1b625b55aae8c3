//! The workloads of the performance issue, measured on exprflow itself.
//! Each prints one JSON line per measurement (same shape as the Python
//! peers under `benches/peers/`), so `benches/compare.py` can put them side
//! by side in BENCHMARKS.md.
//!
//! ```text
//! cargo bench --bench workloads                 # every workload
//! cargo bench --bench workloads -- delays tree  # some of them
//! ```
//! Each workload runs in a fresh child process so peak memory is its own.
//! Every exprflow line says what its `wall_s` times (`extra.timed`): the
//! evaluation alone (`"eval"`: parsing and the DAG build done before the
//! clock starts) or everything from text to value (`"text_to_value"`);
//! evaluation-only lines carry the end-to-end figure beside them
//! (`extra.end_to_end_s`), since the peers' timings include building their
//! graphs, futures and coroutines. Every figure is the best of [`RUNS`].

#[path = "../tests/support/sleep.rs"]
mod sleep;

use exprflow::testing::EngineInternals;
use std::sync::Arc;
use std::time::{Duration, Instant};

use exprflow::testing::dag::{Dag, Scope};
use exprflow::testing::eval::{CancelToken, evaluate_sequential};
use exprflow::testing::syntax::{Ast, parse_statement};
use exprflow::{DagLimits, NodeId};
use exprflow::{Engine, EvalLimits};

mod frontend;
mod phases;

/// Repetitions of every measurement (the Python peers use the same).
const RUNS: usize = 3;

const ALL: &[&str] = &[
    "delays1k",
    "delays10k",
    "busy",
    "busydelay",
    "tree",
    "samesize",
    "pernode",
    "factorial",
    "parse",
    "frontend",
    "frontend-process",
    "phases",
    "host1k",
    "hostbody",
];

/// The workloads `EXPRFLOW_BENCH_QUICK` (CI) runs when none is named: the
/// ones that take well under a second each, to check their answers.
const QUICK: &[&str] = &["delays1k", "busy", "busydelay", "host1k", "hostbody"];

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if let Some(name) = args.iter().find_map(|a| a.strip_prefix("child:")) {
        run(name);
        return;
    }
    let quick = std::env::var_os("EXPRFLOW_BENCH_QUICK").is_some();
    let chosen: Vec<&str> = if args.is_empty() && quick {
        QUICK.to_vec()
    } else if args.is_empty() {
        ALL.to_vec()
    } else {
        ALL.iter()
            .copied()
            .filter(|w| args.iter().any(|a| w.starts_with(a.as_str())))
            .collect()
    };
    let exe = std::env::current_exe().expect("bench executable path");
    let mut failed = Vec::new();
    for name in chosen {
        let status = std::process::Command::new(&exe)
            .arg(format!("child:{name}"))
            .status()
            .expect("run a workload child");
        if !status.success() {
            eprintln!("workload {name} failed: {status}");
            failed.push(name);
        }
    }
    // A failed workload (a wrong answer asserts) fails the bench.
    if !failed.is_empty() {
        std::process::exit(1);
    }
}

fn run(name: &str) {
    match name {
        "delays1k" => delays(1_000),
        "delays10k" => delays(10_000),
        "busy" => busy(),
        "busydelay" => busy_and_delay(),
        "tree" => tree(),
        "samesize" => same_size(),
        "pernode" => per_node(),
        "factorial" => factorial(),
        "parse" => parse(),
        "frontend" => frontend::run(),
        "frontend-process" => frontend::run_processes(),
        "phases" => phases::run(),
        "host1k" => host_calls(1_000),
        "hostbody" => waits_in_bodies(200),
        _ => eprintln!("unknown workload {name}"),
    }
}

fn emit(workload: &str, peer: &str, n: usize, wall: Duration, extra: &str) {
    println!(
        "{{\"workload\": \"{workload}\", \"peer\": \"{peer}\", \"n\": {n}, \"wall_s\": {:.6}, \"extra\": {{{extra}}}}}",
        wall.as_secs_f64()
    );
    eprintln!(
        "{workload:>10} {peer:<28} n={n:<9} {:>10.3} ms  {extra}",
        wall.as_secs_f64() * 1e3
    );
}

/// Peak resident memory of this process so far, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn build(text: &str) -> (Arc<Dag>, NodeId, Duration, Duration) {
    let limits = DagLimits::default();
    let t0 = Instant::now();
    let mut ast = Ast::new();
    let statement = parse_statement(&mut ast, text, 0, 10_000)
        .expect("benchmark input parses")
        .expect("benchmark input is a statement");
    let parsed = t0.elapsed();
    let t1 = Instant::now();
    let mut dag = Dag::with_limits(limits);
    let root = dag
        .add_statement(&ast, &statement, &mut Scope::new())
        .expect("benchmark DAG builds");
    (Arc::new(dag), root, parsed, t1.elapsed())
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> (Duration, T)) -> (Duration, T) {
    let mut best: Option<(Duration, T)> = None;
    for _ in 0..runs {
        let (d, t) = f();
        if best.as_ref().is_none_or(|(b, _)| d < *b) {
            best = Some((d, t));
        }
    }
    best.expect("at least one run")
}

/// What a measurement's clock covers.
#[derive(Clone, Copy)]
enum Timed {
    /// The evaluation alone: parsing and the DAG build happen first.
    Eval,
    /// Everything from text to value.
    TextToValue,
}

/// Evaluates `text` on `engine` (the pool) or, with `None`, with the
/// sequential evaluator; times what `timed` says.
fn measure(engine: Option<&Engine>, text: &str, timed: Timed) -> (Duration, String) {
    let start = Instant::now();
    let (dag, root, _, _) = build(text);
    let start = match timed {
        Timed::Eval => Instant::now(),
        Timed::TextToValue => start,
    };
    let value = match engine {
        Some(engine) => engine.submit_node(&dag, root).wait(),
        None => evaluate_sequential(
            &dag,
            root,
            &EvalLimits::default(),
            &CancelToken::new(),
            &mut |_| {},
        ),
    }
    .expect("workload evaluates");
    (start.elapsed(), value.to_string())
}

/// The evaluation alone on the pool.
fn parallel(engine: &Engine, text: &str) -> (Duration, String) {
    measure(Some(engine), text, Timed::Eval)
}

/// The evaluation alone, sequentially.
fn sequential(text: &str) -> (Duration, String) {
    measure(None, text, Timed::Eval)
}

/// Text to value on the pool: parse, build and evaluate, all timed.
fn end_to_end(engine: &Engine, text: &str) -> (Duration, String) {
    measure(Some(engine), text, Timed::TextToValue)
}

/// Text to value with the sequential evaluator, all timed.
fn end_to_end_sequential(text: &str) -> (Duration, String) {
    measure(None, text, Timed::TextToValue)
}

/// The `extra` fields of an evaluation-only line: what is timed, and the
/// end-to-end figure beside it.
fn eval_only(end_to_end: Duration) -> String {
    format!(
        "\"timed\": \"eval\", \"end_to_end_s\": {:.6}",
        end_to_end.as_secs_f64()
    )
}

fn delays(n: usize) {
    let text: Vec<String> = (1..=n).map(|i| format!("delay({i},50)")).collect();
    let text = text.join("+");
    let engine = Engine::with_workers(2).expect("engine");
    let before = peak_rss_kib();
    let (wall, value) = best_of(RUNS, || parallel(&engine, &text));
    let (e2e, _) = best_of(RUNS, || end_to_end(&engine, &text));
    let expected = (n * (n + 1) / 2).to_string();
    let ratio = wall.as_secs_f64() / 0.050;
    emit(
        if n == 1000 { "delays" } else { "delays10k" },
        "exprflow-2-workers",
        n,
        wall,
        &format!(
            "\"correct\": {}, \"ratio_to_critical_path\": {ratio:.3}, \"peak_rss_kib\": {}, \"rss_before_kib\": {before}, \"rss_growth_kib\": {}, {}",
            value == expected,
            peak_rss_kib(),
            peak_rss_kib() - before,
            eval_only(e2e)
        ),
    );
}

fn busy() {
    let text: Vec<String> = (1..=16).map(|i| format!("busy({i},25)")).collect();
    let text = text.join("+");
    let engine = Engine::with_workers(2).expect("engine");
    let (wall, value) = best_of(RUNS, || parallel(&engine, &text));
    let (e2e, _) = best_of(RUNS, || end_to_end(&engine, &text));
    emit(
        "busy",
        "exprflow-2-workers",
        16,
        wall,
        &format!(
            "\"correct\": {}, \"two_core_bound_s\": 0.2, \"fraction_of_bound\": {:.3}, {}",
            value == "136",
            0.2 / wall.as_secs_f64(),
            eval_only(e2e)
        ),
    );
    let (wall, _) = best_of(RUNS, || sequential(&text));
    let (e2e, _) = best_of(RUNS, || end_to_end_sequential(&text));
    emit("busy", "exprflow-sequential", 16, wall, &eval_only(e2e));
}

/// `busy(1,300) + delay(2,300)` on one worker, in both orders: the delay's
/// timer starts at once, without waiting for the worker, so either order
/// takes about 300 ms (the longer of the two), not 600 ms.
fn busy_and_delay() {
    let engine = Engine::with_workers(1).expect("engine");
    // `busy` counts CPU time: on a loaded machine its wall time is longer
    // than 300 ms, so the pair is compared with `busy` alone as well.
    let (alone, _) = best_of(3, || parallel(&engine, "busy(1,300)"));
    emit("busydelay", "exprflow-1-worker-busy-alone", 1, alone, "");
    for (order, text) in [
        ("busy-first", "busy(1,300) + delay(2,300)"),
        ("delay-first", "delay(2,300) + busy(1,300)"),
    ] {
        let (wall, value) = best_of(3, || parallel(&engine, text));
        emit(
            "busydelay",
            &format!("exprflow-1-worker-{order}"),
            2,
            wall,
            &format!(
                "\"correct\": {}, \"ratio_to_300ms\": {:.3}, \"ratio_to_busy_alone\": {:.3}",
                value == "3",
                wall.as_secs_f64() / 0.3,
                wall.as_secs_f64() / alone.as_secs_f64()
            ),
        );
    }
}

/// The peers' tree (benches/peers/tree.expr, from tree.py --emit) or, if
/// absent, a balanced random tree of the same size from a fixed seed.
fn tree_text() -> (String, &'static str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peers/tree.expr");
    if let Ok(text) = std::fs::read_to_string(path) {
        return (text.trim().to_string(), "peers/tree.expr");
    }
    let mut seed = 42u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    // Post-order generation with an explicit stack of pending subtrees.
    let leaves = 1usize << 20;
    let mut stack: Vec<String> = Vec::new();
    for i in 0..leaves {
        stack.push(((next() % 9) + 1).to_string());
        let mut size = i + 1;
        while size.is_multiple_of(2) {
            let (b, a) = (
                stack.pop().unwrap_or_default(),
                stack.pop().unwrap_or_default(),
            );
            let op = if next().is_multiple_of(2) { "+" } else { "*" };
            stack.push(format!("({a}{op}{b})"));
            size /= 2;
        }
    }
    (stack.pop().unwrap_or_default(), "generated")
}

fn tree() {
    let (text, source) = tree_text();
    let source_nodes = text
        .bytes()
        .filter(|b| b.is_ascii_digit() || *b == b'+' || *b == b'*')
        .count();
    let (dag, root, parsed, built) = build(&text);
    let dag_nodes = dag.len();
    let _ = root;
    let (seq, seq_value) = best_of(RUNS, || sequential(&text));
    let (seq_e2e, _) = best_of(RUNS, || end_to_end_sequential(&text));
    let engine = Engine::with_workers(2).expect("engine");
    let (par, par_value) = best_of(RUNS, || parallel(&engine, &text));
    let (par_e2e, _) = best_of(RUNS, || end_to_end(&engine, &text));
    let per = |d: Duration| d.as_secs_f64() * 1e6 / source_nodes as f64;
    let digits = seq_value.len();
    emit(
        "tree",
        "exprflow-sequential",
        source_nodes,
        seq,
        &format!(
            "\"us_per_node\": {:.4}, \"dag_nodes\": {dag_nodes}, \"digits\": {digits}, \"source\": \"{source}\", \"parse_s\": {:.3}, \"build_s\": {:.3}, \"end_to_end_us_per_node\": {:.4}, {}",
            per(seq),
            parsed.as_secs_f64(),
            built.as_secs_f64(),
            per(seq_e2e),
            eval_only(seq_e2e)
        ),
    );
    emit(
        "tree",
        "exprflow-2-workers",
        source_nodes,
        par,
        &format!(
            "\"us_per_node\": {:.4}, \"speedup_vs_sequential\": {:.3}, \"same_value\": {}, \"end_to_end_us_per_node\": {:.4}, {}",
            per(par),
            seq.as_secs_f64() / par.as_secs_f64(),
            seq_value == par_value,
            per(par_e2e),
            eval_only(par_e2e)
        ),
    );
}

/// The trees the Python futures peers evaluate (`tree.py --emit-futures`,
/// 199,999 source nodes; `--emit-dask`, 19,999), evaluated here with every
/// DAG node its own task (fusion off) and fused: per source node, like for
/// like. Skipped when the files are absent (run `benches/peers/run_all.sh`).
fn same_size() {
    let engine_off = Engine::builder()
        .workers(2)
        .fuse_ns(0)
        .build()
        .expect("engine");
    let engine_on = Engine::with_workers(2).expect("engine");
    for file in ["tree-futures.expr", "tree-dask.expr"] {
        let path = format!("{}/benches/peers/{file}", env!("CARGO_MANIFEST_DIR"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("samesize: {path} is missing; run benches/peers/run_all.sh first");
            continue;
        };
        let text = text.trim();
        let source_nodes = text
            .bytes()
            .filter(|b| b.is_ascii_digit() || *b == b'+' || *b == b'*')
            .count();
        let (dag, _, _, _) = build(text);
        let dag_nodes = dag.len();
        for (name, engine) in [("fuse-off", &engine_off), ("fuse-on", &engine_on)] {
            let (wall, value) = best_of(RUNS, || parallel(engine, text));
            let (e2e, _) = best_of(RUNS, || end_to_end(engine, text));
            let per = |d: Duration| d.as_secs_f64() * 1e6 / source_nodes as f64;
            emit(
                "samesize",
                &format!("exprflow-2w-{name}"),
                source_nodes,
                wall,
                &format!(
                    "\"us_per_node\": {:.4}, \"end_to_end_us_per_node\": {:.4}, \"dag_nodes\": {dag_nodes}, \"digits\": {}, \"source\": \"peers/{file}\", {}",
                    per(wall),
                    per(e2e),
                    value.len(),
                    eval_only(e2e)
                ),
            );
        }
    }
}

fn per_node() {
    // 1+2+...+n: n-1 distinct cheap additions, rebalanced into a tree.
    let n = 200_000;
    let text: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
    let text = text.join("+");
    let (dag, _, _, _) = build(&text);
    let nodes = dag.len() - n;
    let (seq, _) = best_of(RUNS, || sequential(&text));
    for (workers, fuse) in [(1, 0), (2, 0), (2, exprflow::DEFAULT_FUSE_NS)] {
        let engine = Engine::builder()
            .workers(workers)
            .fuse_ns(fuse)
            .build()
            .expect("engine");
        let (wall, _) = best_of(RUNS, || parallel(&engine, &text));
        let (e2e, _) = best_of(RUNS, || end_to_end(&engine, &text));
        let overhead_ns =
            (wall.as_secs_f64() * workers as f64 - seq.as_secs_f64()) * 1e9 / nodes as f64;
        emit(
            "pernode",
            &format!(
                "exprflow-{workers}w-fuse-{}",
                if fuse == 0 { "off" } else { "on" }
            ),
            nodes,
            wall,
            &format!(
                "\"ns_per_node\": {:.1}, \"scheduling_overhead_ns_per_node\": {overhead_ns:.1}, {}",
                wall.as_secs_f64() * 1e9 / nodes as f64,
                eval_only(e2e)
            ),
        );
    }
    emit(
        "pernode",
        "exprflow-sequential",
        nodes,
        seq,
        &format!(
            "\"ns_per_node\": {:.1}, {}",
            seq.as_secs_f64() * 1e9 / nodes as f64,
            eval_only(best_of(RUNS, || end_to_end_sequential(&text)).0)
        ),
    );
    // rayon's own costs, for reference.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool");
    let spawns = 200_000;
    let start = Instant::now();
    pool.scope(|s| {
        for _ in 0..spawns {
            s.spawn(|_| {
                std::hint::black_box(1 + 1);
            });
        }
    });
    let spawn = start.elapsed();
    emit(
        "pernode",
        "rayon-scope-spawn",
        spawns,
        spawn,
        &format!(
            "\"ns_per_node\": {:.1}, \"timed\": \"spawns\"",
            spawn.as_secs_f64() * 1e9 / spawns as f64
        ),
    );
}

fn factorial() {
    let text: Vec<String> = (1..=100_000).map(|i| i.to_string()).collect();
    let text = text.join("*");
    let engine = Engine::with_workers(2).expect("engine");
    let (eval_alone, _) = best_of(RUNS, || parallel(&engine, &text));
    let (total, (eval, print, digits)) = best_of(RUNS, || {
        let start = Instant::now();
        let (dag, root, _, _) = build(&text);
        let value = engine
            .submit_node(&dag, root)
            .wait()
            .expect("100000! evaluates");
        let evaluated = start.elapsed();
        let t = Instant::now();
        let printed = value.to_string();
        let print = t.elapsed();
        (start.elapsed(), (evaluated, print, printed.len()))
    });
    emit(
        "factorial",
        "exprflow-flat-product-2-workers",
        100_000,
        total,
        &format!(
            "\"parse_build_eval_s\": {:.4}, \"print_s\": {:.4}, \"digits\": {digits}, \"eval_only_s\": {:.4}, \"timed\": \"text_to_value_and_print\"",
            eval.as_secs_f64(),
            print.as_secs_f64(),
            eval_alone.as_secs_f64()
        ),
    );
}

fn parse() {
    // A 10 MB expression of varied shape: sums and products of literals,
    // calls and parentheses.
    let mut text = String::with_capacity(10 << 20);
    let mut i = 0u64;
    while text.len() < 10 << 20 {
        if !text.is_empty() {
            text.push_str(if i.is_multiple_of(3) { " * " } else { " + " });
        }
        text.push_str(&format!("(max({i}, 7) - {}/3)", i % 1000));
        i += 1;
    }
    let mb = text.len() as f64 / (1 << 20) as f64;
    let (_, _, parsed, built) = build(&text);
    let raw = {
        let start = Instant::now();
        let ok = exprflow::testing::syntax::pest_only(&text).is_ok();
        (start.elapsed(), ok)
    };
    emit(
        "parse",
        "exprflow-parse-to-ast",
        text.len(),
        parsed,
        &format!(
            "\"timed\": \"parse\", \"mb\": {mb:.2}, \"mb_per_s\": {:.2}, \"dag_build_s\": {:.3}, \"build_to_parse\": {:.3}, \"pest_raw_s\": {:.3}, \"pest_raw_mb_per_s\": {:.2}",
            mb / parsed.as_secs_f64(),
            built.as_secs_f64(),
            built.as_secs_f64() / parsed.as_secs_f64(),
            raw.0.as_secs_f64(),
            mb / raw.0.as_secs_f64()
        ),
    );
}

/// Two workers and `io(x)`: an async host function that awaits a 50 ms
/// timer (a runtime-free timer thread, `tests/support/sleep.rs`) and
/// returns `x`.
fn io_engine() -> Engine {
    Engine::builder()
        .workers(2)
        .async_function("io", 1, |args: Vec<exprflow::Value>| async move {
            sleep::sleep(Duration::from_millis(50)).await;
            Ok(args[0].clone())
        })
        .build()
        .expect("engine")
}

/// `io(1) + … + io(n)`, each an async host function awaiting a 50 ms
/// timer (a runtime-free timer thread, `tests/support/sleep.rs`), on 2
/// workers: the calls wait together, holding no worker, so the whole sum
/// takes about 50 ms. Timed from text to value, a fresh DAG (and so a
/// fresh memo) each run.
fn host_calls(n: usize) {
    let engine = io_engine();
    let text: Vec<String> = (1..=n).map(|i| format!("io({i})")).collect();
    let text = text.join("+");
    let (wall, value) = best_of(RUNS, || {
        let start = Instant::now();
        let value = engine.eval(&text).expect("workload evaluates");
        (start.elapsed(), value.to_string())
    });
    let ratio = wall.as_secs_f64() / 0.050;
    emit(
        "host1k",
        "exprflow-2-workers",
        n,
        wall,
        &format!(
            "\"correct\": {}, \"ratio_to_50ms\": {ratio:.3}, \"timed\": \"text_to_value\"",
            value == (n * (n + 1) / 2).to_string()
        ),
    );
}

/// `w(1) + … + w(n)` with `w(x) = io(x)` (the async host function of
/// `host1k`, 50 ms each), then `d(1) + … + d(n)` with `d(x) = delay(x,
/// 50)`, on 2 workers: the waits are inside user-function bodies, whose
/// expansions are parked holding no worker, so each sum takes about
/// 50 ms. Timed from text to value in a fresh session (a fresh memo).
fn waits_in_bodies(n: usize) {
    let engine = io_engine();
    for (f, definition) in [("w", "w(x) = io(x)"), ("d", "d(x) = delay(x, 50)")] {
        let text: Vec<String> = (1..=n).map(|i| format!("{f}({i})")).collect();
        let text = text.join("+");
        let (wall, value) = best_of(RUNS, || {
            let mut session = engine.session();
            session.eval(definition).expect("definition");
            let start = Instant::now();
            let value = session.eval(&text).expect("workload evaluates");
            (start.elapsed(), format!("{value:?}"))
        });
        let correct = value
            == format!(
                "{:?}",
                Some(exprflow::Value::from((n * (n + 1) / 2) as i64))
            );
        emit(
            &format!("hostbody-{f}"),
            "exprflow-2-workers",
            n,
            wall,
            &format!(
                "\"correct\": {correct}, \"ratio_to_50ms\": {:.3}, \"timed\": \"text_to_value\"",
                wall.as_secs_f64() / 0.050
            ),
        );
    }
}
