//! The front-end workloads of issue 15: big inputs from text to value.
//!
//! `cargo bench --bench workloads -- frontend` writes the inputs to
//! `target/frontend-inputs/` and prints one JSON line per row:
//! - in this process, per input: parse, DAG build and evaluation (2 workers)
//!   times, MB/s from text to value, DAG nodes, peak RSS per DAG node;
//! - (`frontend-process`, run after it in a fresh, small child so that the
//!   peak RSS the kernel reports is the binary's own, not inherited from a
//!   process holding the inputs) whole processes of the release binary (`exprflow batch FILE`, stdout
//!   to `/dev/null`): wall time and peak RSS (from `wait4`), best of 3;
//!   the tree with `--sequential` and with `-j 2`; and Python's
//!   `math.factorial(100000)` alone beside `1*2*…*100000`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use exprflow::Engine;
use exprflow::testing::{Batch, BatchOptions, EngineInternals};

use super::{RUNS, best_of, build, emit};

/// The inputs: name, text.
fn inputs() -> Vec<(&'static str, String)> {
    let join = |sep: &str, terms: Vec<String>| terms.join(sep);
    vec![
        (
            "flat",
            join("+", (0..592_000).map(|i| (i % 1000).to_string()).collect()),
        ),
        ("tree", super::tree_text().0),
        (
            "fact",
            join("*", (1..=100_000).map(|i: u64| i.to_string()).collect()),
        ),
        (
            "products",
            join(
                "+",
                (0..1_000_000u64)
                    .map(|i| format!("({i}*{})", i + 1))
                    .collect(),
            ),
        ),
    ]
}

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/frontend-inputs")
}

/// The release binary next to this bench (`target/release/exprflow`).
fn binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let bin = exe.parent()?.parent()?.join("exprflow");
    bin.exists().then_some(bin)
}

/// Runs `command` to the end with stdout discarded: wall time, the peak
/// RSS of that process alone (KiB) and its CPU time (user and system, all
/// threads: less sensitive to a loaded machine than the wall time).
/// `wait4` reaps the child (clippy cannot see that).
#[allow(clippy::zombie_processes)]
fn whole_process(command: &mut Command) -> (Duration, (u64, Duration)) {
    let start = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the process");
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child with valid out-pointers.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(pid, child.id() as i32, "wait4");
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let cpu = time(usage.ru_utime) + time(usage.ru_stime);
    (wall, (usage.ru_maxrss as u64, cpu))
}

pub fn run() {
    let dir = folder();
    std::fs::create_dir_all(&dir).expect("create target/frontend-inputs");
    let engine = Engine::with_workers(2).expect("engine");
    for (name, text) in inputs() {
        let path = dir.join(format!("{name}.expr"));
        std::fs::write(&path, format!("{text}\n")).expect("write input");
        let mb = text.len() as f64 / 1e6;
        // In process: the phases, best of RUNS each.
        let (_, (parse, build_time, nodes)) = best_of(RUNS, || {
            let start = Instant::now();
            let (dag, _, parsed, built) = build(&text);
            (start.elapsed(), (parsed, built, dag.len()))
        });
        let (total, _) = best_of(RUNS, || {
            let start = Instant::now();
            let (dag, root, _, _) = build(&text);
            let value = engine.submit_node(&dag, root).wait().expect("evaluates");
            (start.elapsed(), value)
        });
        emit(
            "frontend",
            &format!("exprflow-in-process-{name}"),
            text.len(),
            total,
            &format!(
                "\"timed\": \"text_to_value\", \"mb\": {mb:.2}, \"mb_per_s\": {:.2}, \"parse_s\": {:.4}, \"build_s\": {:.4}, \"dag_nodes\": {nodes}",
                mb / total.as_secs_f64(),
                parse.as_secs_f64(),
                build_time.as_secs_f64()
            ),
        );
        // The front end alone (text to DAG) as the CLI runs it: the split
        // front end (chunks parsed on rayon's workers while the DAG is
        // built) against every line parsed whole on this thread.
        let line = format!("{text}\n");
        let options = BatchOptions::default();
        let (split, split_nodes) = best_of(RUNS, || {
            let start = Instant::now();
            let batch = Batch::parse(line.as_bytes(), options);
            (start.elapsed(), batch.dag.len())
        });
        let (serial, _) = best_of(RUNS, || {
            let start = Instant::now();
            let batch = Batch::parse_serial(line.as_bytes(), options);
            (start.elapsed(), batch.dag.len())
        });
        assert_eq!(
            split_nodes, nodes,
            "the split front end builds the same DAG"
        );
        emit(
            "frontend",
            &format!("exprflow-front-end-{name}"),
            text.len(),
            split,
            &format!(
                "\"timed\": \"text_to_dag\", \"mb_per_s\": {:.2}, \"serial_s\": {:.4}, \"serial_mb_per_s\": {:.2}, \"speedup_vs_serial\": {:.2}, \"threads\": {}",
                mb / split.as_secs_f64(),
                serial.as_secs_f64(),
                mb / serial.as_secs_f64(),
                serial.as_secs_f64() / split.as_secs_f64(),
                rayon::current_num_threads()
            ),
        );
        // Text to value through the library's entry point, `Engine::submit`
        // (the split front end for a big statement), against the same
        // engine with the serial front end.
        let serial_engine = engine.with_split(None);
        let (submit, value) = best_of(RUNS, || {
            let start = Instant::now();
            let value = engine.submit(&text).and_then(|f| f.wait());
            (start.elapsed(), value.map(|v| v.to_string().len()))
        });
        let (submit_serial, serial_value) = best_of(RUNS, || {
            let start = Instant::now();
            let value = serial_engine.submit(&text).and_then(|f| f.wait());
            (start.elapsed(), value.map(|v| v.to_string().len()))
        });
        assert_eq!(value, serial_value, "the same value either way");
        emit(
            "frontend",
            &format!("exprflow-submit-{name}"),
            text.len(),
            submit,
            &format!(
                "\"timed\": \"text_to_value\", \"mb_per_s\": {:.2}, \"serial_s\": {:.4}, \"speedup_vs_serial\": {:.2}",
                mb / submit.as_secs_f64(),
                submit_serial.as_secs_f64(),
                submit_serial.as_secs_f64() / submit.as_secs_f64()
            ),
        );
        std::fs::write(dir.join(format!("{name}.nodes")), nodes.to_string())
            .expect("write node count");
    }
}

/// The whole-process rows, from the files [`run`] wrote.
pub fn run_processes() {
    let dir = folder();
    let Some(bin) = binary() else {
        eprintln!("frontend: no release binary next to the bench; `cargo build --release`");
        return;
    };
    for name in ["flat", "tree", "fact", "products"] {
        let path = dir.join(format!("{name}.expr"));
        let (Ok(bytes), Ok(nodes)) = (
            std::fs::metadata(&path).map(|m| m.len() as usize - 1),
            std::fs::read_to_string(dir.join(format!("{name}.nodes"))),
        ) else {
            eprintln!("frontend-process: run the `frontend` workload first");
            return;
        };
        let nodes: f64 = nodes.trim().parse().unwrap_or(f64::NAN);
        let mb = bytes as f64 / 1e6;
        let runs: Vec<(&str, Vec<&str>)> = if name == "tree" {
            vec![
                ("sequential", vec!["--sequential"]),
                ("2-workers", vec!["-j", "2"]),
            ]
        } else {
            vec![("2-workers", vec!["-j", "2"])]
        };
        let mut walls = Vec::new();
        for (how, args) in runs {
            let (wall, (rss, cpu)) = best_of(RUNS, || {
                whole_process(Command::new(&bin).arg("batch").args(&args).arg(&path))
            });
            walls.push(wall);
            let speedup = match walls.as_slice() {
                [seq, par] => format!(
                    ", \"speedup_vs_sequential\": {:.3}",
                    seq.as_secs_f64() / par.as_secs_f64()
                ),
                _ => String::new(),
            };
            emit(
                "frontend",
                &format!("exprflow-process-{name}-{how}"),
                bytes,
                wall,
                &format!(
                    "\"timed\": \"whole_process\", \"mb\": {mb:.2}, \"mb_per_s\": {:.2}, \"peak_rss_kib\": {rss}, \"dag_nodes\": {nodes}, \"peak_rss_bytes_per_dag_node\": {:.0}, \"cpu_s\": {:.3}{speedup}",
                    mb / wall.as_secs_f64(),
                    rss as f64 * 1024.0 / nodes,
                    cpu.as_secs_f64()
                ),
            );
        }
        if name == "fact" {
            python_factorial(walls[0]);
        }
    }
}

/// Python's `math.factorial(100000)` alone (inside the interpreter, best
/// of RUNS), beside the whole `exprflow batch` process for `1*2*…*100000`.
fn python_factorial(ours: Duration) {
    let script = "import math, time\nbest = 1e9\nfor _ in range(3):\n    t = time.perf_counter(); math.factorial(100000); best = min(best, time.perf_counter() - t)\nprint(best)";
    let Ok(out) = Command::new("python3").args(["-c", script]).output() else {
        eprintln!("frontend: python3 not found");
        return;
    };
    let Ok(secs) = String::from_utf8_lossy(&out.stdout).trim().parse::<f64>() else {
        return;
    };
    emit(
        "frontend",
        "python-math-factorial",
        100_000,
        Duration::from_secs_f64(secs),
        &format!(
            "\"timed\": \"math.factorial(100000) alone\", \"exprflow_process_over_python\": {:.3}",
            ours.as_secs_f64() / secs
        ),
    );
}
