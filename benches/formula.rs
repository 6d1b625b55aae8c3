//! Compile once, evaluate many (issue 13): `Formula::eval_many` of the
//! quadratic root `(-z + (z^2 - 4*x*y)^0.5) / (2*x)` over 400,000 float rows,
//! against fasteval, exmex and evalexpr, each compiled once and evaluated one
//! row at a time (they have no batch API and evaluate in f64 only). Also
//! exprflow on exact-integer rows (same formula, and `a*x^2 + b*x + c`,
//! exact throughout).
//!
//! `cargo bench --bench formula` prints one Markdown table row per
//! measurement (the best of `REPEATS` passes, so a busy neighbour costs less);
//! `FORMULA_ROWS=N` changes the row count. Run it under the bench lock:
//! `flock /work/wt/notes/bench.lock cargo bench --bench formula`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use exprflow::{Engine, Value};

const QUADRATIC: &str = "(-z + (z^2 - 4*x*y)^0.5) / (2*x)";
const REPEATS: usize = 5;

/// A small deterministic generator (no dependency): numbers in `[0, 1)`.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The best time of `REPEATS` runs of `pass`.
fn best(mut pass: impl FnMut()) -> Duration {
    (0..REPEATS)
        .map(|_| {
            let start = Instant::now();
            pass();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn row(workload: &str, engine: &str, workers: &str, rows: usize, time: Duration) {
    println!(
        "| {workload} | {engine} | {workers} | {rows} | {:.1} | {:.1} |",
        time.as_nanos() as f64 / rows as f64,
        time.as_secs_f64() * 1000.0
    );
}

fn main() {
    let rows: usize = std::env::var("FORMULA_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400_000);
    let mut rng = Lcg(42);
    // z in [10, 20), x and y in [0.5, 2): the discriminant is positive.
    let floats: Vec<[f64; 3]> = (0..rows)
        .map(|_| {
            [
                10.0 + 10.0 * rng.next(),
                0.5 + 1.5 * rng.next(),
                0.5 + 1.5 * rng.next(),
            ]
        })
        .collect();
    println!("| workload | engine | workers | rows | ns/row | total ms |");
    println!("|---|---|---|---:|---:|---:|");
    let reference = exprflow_floats(&floats, rows);
    fasteval_floats(&floats, &reference, rows);
    exmex_floats(&floats, &reference, rows);
    evalexpr_floats(&floats, &reference, rows);
    exprflow_integers(&mut rng, rows);
}

/// exprflow on float rows at 1 and 2 workers; returns the outcomes as f64.
fn exprflow_floats(floats: &[[f64; 3]], rows: usize) -> Vec<f64> {
    let mut reference = Vec::new();
    for workers in [1, 2] {
        let engine = Engine::with_workers(workers).expect("engine");
        let formula = engine.compile(QUADRATIC).expect("compiles");
        assert_eq!(formula.inputs(), ["z", "x", "y"]);
        let values: Vec<Vec<Value>> = floats
            .iter()
            .map(|r| {
                r.iter()
                    .map(|&v| Value::try_from(v).expect("finite"))
                    .collect()
            })
            .collect();
        // Like the peers: f64 rows in, f64 answers out, both conversions
        // inside the clock.
        let mut out = Vec::with_capacity(rows);
        let time = best(|| {
            let values: Vec<Vec<Value>> = black_box(floats)
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|&v| Value::try_from(v).unwrap_or(Value::from(0)))
                        .collect()
                })
                .collect();
            out.clear();
            out.extend(formula.eval_many(&values).iter().map(|o| {
                o.as_ref()
                    .ok()
                    .and_then(|v| f64::try_from(v).ok())
                    .unwrap_or(f64::NAN)
            }));
            black_box(&out);
        });
        row(
            "quadratic, float rows",
            "exprflow `eval_many` (f64 in and out)",
            &workers.to_string(),
            rows,
            time,
        );
        // The evaluation alone, rows already `Value`s (not comparable with
        // the peers' rows: they convert nothing).
        let time = best(|| {
            black_box(formula.eval_many(black_box(&values)));
        });
        row(
            "quadratic, float rows",
            "exprflow `eval_many`, `Value` rows ready",
            &workers.to_string(),
            rows,
            time,
        );
        reference = formula
            .eval_many(&values)
            .iter()
            .map(|o| {
                o.as_ref()
                    .ok()
                    .and_then(|v| f64::try_from(v).ok())
                    .unwrap_or(f64::NAN)
            })
            .collect();
    }
    reference
}

/// Counts rows where a peer's answer differs from exprflow's by more than
/// a few ulps (they compute the same IEEE operations, perhaps reordered).
fn check(peer: &str, got: &[f64], reference: &[f64]) {
    let off = got
        .iter()
        .zip(reference)
        .filter(|(a, b)| ((*a - *b) / b.abs().max(1e-300)).abs() > 1e-12)
        .count();
    assert_eq!(off, 0, "{peer} disagrees with exprflow on {off} rows");
}

fn fasteval_floats(floats: &[[f64; 3]], reference: &[f64], rows: usize) {
    use fasteval::{Compiler, Evaler};
    let parser = fasteval::Parser::new();
    let mut slab = fasteval::Slab::new();
    let compiled = parser
        .parse(QUADRATIC, &mut slab.ps)
        .expect("fasteval parses")
        .from(&slab.ps)
        .compile(&slab.ps, &mut slab.cs);
    let run = |out: &mut Vec<f64>| {
        out.clear();
        for &[z, x, y] in floats {
            let mut ns = |name: &str, _: Vec<f64>| match name {
                "x" => Some(x),
                "y" => Some(y),
                "z" => Some(z),
                _ => None,
            };
            out.push(compiled.eval(&slab, &mut ns).unwrap_or(f64::NAN));
        }
    };
    let mut out = Vec::with_capacity(rows);
    let time = best(|| run(black_box(&mut out)));
    row(
        "quadratic, float rows",
        "fasteval (compiled)",
        "1",
        rows,
        time,
    );
    check("fasteval", &out, reference);
}

fn exmex_floats(floats: &[[f64; 3]], reference: &[f64], rows: usize) {
    use exmex::Express;
    let expr = exmex::parse::<f64>(QUADRATIC).expect("exmex parses");
    let names = expr.var_names().to_vec();
    let index = |n: &str| names.iter().position(|m| m == n).expect("a variable");
    let (iz, ix, iy) = (index("z"), index("x"), index("y"));
    let run = |out: &mut Vec<f64>| {
        out.clear();
        let mut vars = [0.0; 3];
        for &[z, x, y] in floats {
            (vars[iz], vars[ix], vars[iy]) = (z, x, y);
            out.push(expr.eval(&vars).unwrap_or(f64::NAN));
        }
    };
    let mut out = Vec::with_capacity(rows);
    let time = best(|| run(black_box(&mut out)));
    row("quadratic, float rows", "exmex (FlatEx)", "1", rows, time);
    check("exmex", &out, reference);
}

fn evalexpr_floats(floats: &[[f64; 3]], reference: &[f64], rows: usize) {
    use evalexpr::{ContextWithMutableVariables, HashMapContext, Value as V};
    let tree = evalexpr::build_operator_tree(QUADRATIC).expect("evalexpr parses");
    let run = |out: &mut Vec<f64>| {
        out.clear();
        let mut context = HashMapContext::new();
        for &[z, x, y] in floats {
            let _ = context.set_value("z".into(), V::Float(z));
            let _ = context.set_value("x".into(), V::Float(x));
            let _ = context.set_value("y".into(), V::Float(y));
            out.push(tree.eval_float_with_context(&context).unwrap_or(f64::NAN));
        }
    };
    let mut out = Vec::with_capacity(rows);
    let time = best(|| run(black_box(&mut out)));
    row("quadratic, float rows", "evalexpr (tree)", "1", rows, time);
    check("evalexpr", &out, reference);
}

/// exprflow on exact-integer rows: the quadratic (its `^0.5` makes a float
/// from exact operands) and `a*x^2 + b*x + c` (exact throughout).
fn exprflow_integers(rng: &mut Lcg, rows: usize) {
    let mut int = |lo: i64, hi: i64| lo + ((hi - lo) as f64 * rng.next()) as i64;
    // z in [100, 1000), x and y in [1, 50): the discriminant is positive.
    let quadratic: Vec<Vec<Value>> = (0..rows)
        .map(|_| vec![int(100, 1000).into(), int(1, 50).into(), int(1, 50).into()])
        .collect();
    let polynomial: Vec<Vec<Value>> = (0..rows)
        .map(|_| (0..4).map(|_| Value::from(int(-1000, 1000))).collect())
        .collect();
    for workers in [1, 2] {
        let engine = Engine::with_workers(workers).expect("engine");
        for (workload, text, values) in [
            ("quadratic, integer rows", QUADRATIC, &quadratic),
            (
                "`a*x^2 + b*x + c`, integer rows",
                "a*x^2 + b*x + c",
                &polynomial,
            ),
        ] {
            let formula = engine.compile(text).expect("compiles");
            assert!(formula.eval_many(&values[..10]).iter().all(Result::is_ok));
            let time = best(|| {
                black_box(formula.eval_many(black_box(values)));
            });
            row(
                workload,
                "exprflow `eval_many`",
                &workers.to_string(),
                rows,
                time,
            );
        }
    }
}
