//! Where a whole `exprflow batch FILE` process spends its time on the big
//! front-end inputs (issue 15), phase by phase, in this process:
//! `cargo bench --bench workloads -- phases` (after `-- frontend`, which
//! writes `target/frontend-inputs/`). Per input and evaluator (the tree
//! with both, the products with 2 workers), best of RUNS by total:
//! parse, DAG build, starting the run (`Engine::start`, as the CLI calls
//! it: plan and first tasks), evaluation to the last outcome, and dropping
//! the DAG (which the CLI no longer does at exit). Reading the file and
//! printing the value are left out (both well under a millisecond here).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use exprflow::Engine;
use exprflow::testing::{EngineInternals, Evaluator, RunOptions};

use super::{RUNS, build, emit};

/// One run's phases.
#[derive(Clone, Copy, Default)]
struct Phases {
    parse: Duration,
    build: Duration,
    start: Duration,
    eval: Duration,
    drop: Duration,
}

impl Phases {
    fn total(&self) -> Duration {
        self.parse + self.build + self.start + self.eval
    }
}

fn once(engine: &Engine, text: &str, evaluator: Evaluator) -> Phases {
    let (dag, root, parse, build) = build(text);
    let t = Instant::now();
    let mut run = engine.start(
        &dag,
        &[root],
        RunOptions {
            evaluator,
            ..RunOptions::default()
        },
    );
    let start = t.elapsed();
    let outcomes: Vec<_> = run.by_ref().collect();
    let eval = t.elapsed() - start;
    assert!(outcomes.iter().all(|(_, o)| o.is_ok()), "evaluates");
    drop(run);
    drop(outcomes);
    // The run's last tasks and threads let go of the DAG just after the
    // last outcome: wait for that, then time dropping the DAG itself.
    while Arc::strong_count(&dag) > 1 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let t = Instant::now();
    drop(dag);
    Phases {
        parse,
        build,
        start,
        eval,
        drop: t.elapsed(),
    }
}

pub fn run() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/frontend-inputs");
    let engine = Engine::with_workers(2).expect("engine");
    let cases = [
        ("tree", Evaluator::Sequential, "sequential"),
        ("tree", Evaluator::Parallel, "2-workers"),
        ("products", Evaluator::Parallel, "2-workers"),
    ];
    for (name, evaluator, how) in cases {
        let Ok(text) = std::fs::read_to_string(dir.join(format!("{name}.expr"))) else {
            eprintln!("phases: run the `frontend` workload first");
            return;
        };
        let text = text.trim();
        let mut best: Option<Phases> = None;
        for _ in 0..RUNS {
            let phases = once(&engine, text, evaluator);
            if best.is_none_or(|b| phases.total() < b.total()) {
                best = Some(phases);
            }
        }
        let Some(p) = best else { return };
        let s = |d: Duration| d.as_secs_f64();
        emit(
            "phases",
            &format!("exprflow-{name}-{how}"),
            text.len(),
            p.total(),
            &format!(
                "\"timed\": \"parse + build + start + eval\", \"parse_s\": {:.4}, \"build_s\": {:.4}, \"start_s\": {:.4}, \"eval_s\": {:.4}, \"drop_s\": {:.4}",
                s(p.parse),
                s(p.build),
                s(p.start),
                s(p.eval),
                s(p.drop)
            ),
        );
    }
}
