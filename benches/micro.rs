//! Micro-benchmarks (divan): the per-call costs behind the workloads.
//! `cargo bench --bench micro`

use exprflow::testing::EngineInternals;
use std::sync::Arc;

use exprflow::testing::dag::{Dag, Scope};
use exprflow::testing::eval::{CancelToken, evaluate_sequential};
use exprflow::testing::syntax::parse_expr;
use exprflow::{Engine, EvalLimits};

fn main() {
    divan::main();
}

fn flat_sum(n: usize) -> String {
    (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join("+")
}

fn sequential(dag: &Dag, node: exprflow::NodeId) -> exprflow::testing::dag::Outcome {
    evaluate_sequential(
        dag,
        node,
        &EvalLimits::default(),
        &CancelToken::new(),
        &mut |_| {},
    )
}

fn dag_of(text: &str) -> (Dag, exprflow::NodeId) {
    let (ast, root) = parse_expr(text).expect("parses");
    let mut dag = Dag::default();
    let node = dag.add_expr(&ast, root, &Scope::new()).expect("builds");
    (dag, node)
}

/// Parsing (pest + fold) of a 20,000-term sum, ~110 KB.
#[divan::bench]
fn parse_20k_terms(bencher: divan::Bencher) {
    let text = flat_sum(20_000);
    bencher
        .counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| parse_expr(divan::black_box(&text)).expect("parses"));
}

/// Building the hash-consed, rebalanced DAG of the same sum.
#[divan::bench]
fn build_20k_terms(bencher: divan::Bencher) {
    let text = flat_sum(20_000);
    let (ast, root) = parse_expr(&text).expect("parses");
    bencher.bench(|| {
        let mut dag = Dag::default();
        dag.add_expr(&ast, root, &Scope::new()).expect("builds")
    });
}

/// The mission expression, sequentially, from a fresh DAG each time.
#[divan::bench]
fn mission_sequential(bencher: divan::Bencher) {
    let (dag, node) = dag_of("(3+7)*(2+8)*((2*3)-1)");
    bencher
        .with_inputs(|| dag.clone())
        .bench_values(|dag| sequential(&dag, node));
}

/// The mission expression submitted to a 2-worker pool and waited for:
/// the latency of one small future.
#[divan::bench]
fn mission_future_round_trip(bencher: divan::Bencher) {
    let engine = Engine::with_workers(2).expect("engine");
    let (dag, node) = dag_of("(3+7)*(2+8)*((2*3)-1)");
    bencher
        .with_inputs(|| Arc::new(dag.clone()))
        .bench_values(|dag| engine.submit_node(&dag, node).wait());
}

/// 20,000 distinct additions with fusion off: every node a task.
#[divan::bench(args = [1, 2])]
fn every_node_a_task(bencher: divan::Bencher, workers: usize) {
    let engine = Engine::builder()
        .workers(workers)
        .fuse_ns(0)
        .build()
        .expect("engine");
    let (dag, node) = dag_of(&flat_sum(20_000));
    bencher
        .counter(divan::counter::ItemsCount::new(dag.len()))
        .with_inputs(|| Arc::new(dag.clone()))
        .bench_values(|dag| engine.submit_node(&dag, node).wait());
}

/// The same additions evaluated sequentially, for comparison.
#[divan::bench]
fn every_node_sequential(bencher: divan::Bencher) {
    let (dag, node) = dag_of(&flat_sum(20_000));
    bencher
        .counter(divan::counter::ItemsCount::new(dag.len()))
        .with_inputs(|| dag.clone())
        .bench_values(|dag| sequential(&dag, node));
}
