//! A session that runs for days (issue 23, item 3): a million statements
//! in one `Session`, with the time per statement, the most nodes the
//! session held and the peak resident memory of the process. Each case
//! runs in a child process of its own, so each peak is its own.
//!
//! ```text
//! cargo bench --bench session            # 1,000,000 statements a case
//! cargo bench --bench session -- 100000  # fewer
//! ```
//!
//! Cases:
//! - `shadowed`: `v = {i}*3+1`, sequential session (`Session::new`): one
//!   name rebound a million times; what it shadows is garbage.
//! - `shadowed-pool`: the same on a 2-worker engine's session.
//! - `set`: `session.set("v", i)`, then `v + 1`.
//! - `window`: `v{i} = {i}*3+1` and `forget("v{i-1000}")`: 1,000 names
//!   live at a time.
//! - `all-live`: `v{i} = {i}*3+1`, nothing forgotten: every statement's
//!   nodes stay reachable, so nothing can be given back; this is how every
//!   session grew before collection (about three nodes a statement).

use std::process::Command;
use std::time::Instant;

use exprflow::{Engine, Session, Value};

const CASES: [&str; 5] = ["shadowed", "shadowed-pool", "set", "window", "all-live"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    if let Some(at) = args.iter().position(|a| a == "--case") {
        let case = args.get(at + 1).map(String::as_str).unwrap_or("");
        run(case, n);
        return;
    }
    let exe = std::env::current_exe().expect("the bench's own path");
    for case in CASES {
        let status = Command::new(&exe)
            .args(["--case", case, &n.to_string()])
            .status()
            .expect("the case runs");
        assert!(status.success(), "{case}: {status}");
    }
}

fn run(case: &str, n: usize) {
    let engine = Engine::with_workers(2).expect("an engine");
    let mut session = match case {
        "shadowed-pool" => engine.session(),
        _ => Session::new(),
    };
    let mut most_nodes = 0;
    let start = Instant::now();
    for i in 0..n {
        let outcome = match case {
            "shadowed" | "shadowed-pool" => session.eval(format!("v = {i}*3+1")),
            "set" => session
                .set("v", Value::from(i))
                .and_then(|()| session.eval("v + 1")),
            "window" => {
                if i >= 1000 {
                    session.forget(&format!("v{}", i - 1000));
                }
                session.eval(format!("v{i} = {i}*3+1"))
            }
            "all-live" => session.eval(format!("v{i} = {i}*3+1")),
            other => panic!("unknown case {other}"),
        };
        assert!(outcome.is_ok(), "{case}, statement {i}: {outcome:?}");
        if i % 1024 == 0 {
            most_nodes = most_nodes.max(session.node_count());
        }
    }
    let wall = start.elapsed();
    most_nodes = most_nodes.max(session.node_count());
    println!(
        "{{\"case\": \"{case}\", \"statements\": {n}, \"wall_s\": {:.3}, \"us_per_statement\": {:.3}, \
         \"most_nodes\": {most_nodes}, \"final_nodes\": {}, \"source_bytes\": {}, \"peak_rss_kib\": {}}}",
        wall.as_secs_f64(),
        wall.as_secs_f64() * 1e6 / n as f64,
        session.node_count(),
        session.source().len(),
        peak_rss_kib()
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
