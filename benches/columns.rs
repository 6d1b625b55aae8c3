//! Formulas over columns (issue 25): `Formula::eval_columns` on 1,000,000
//! rows against fasteval and exmex called once per row (Rust, f64 only).
//! The Python peers (numexpr on 2 threads, numpy) run the same workloads on
//! the same arrays in `benches/peers/columns.py`.
//!
//! Workloads (the arrays are built by the same formulas in the peer):
//! - quadratic, f64: `a*x^2 + b*x + c`, `x` a float column, `a`, `b`, `c`
//!   float scalars;
//! - quadratic, i64: the same on an integer column with integer scalars
//!   (exact, checked arithmetic);
//! - `if` and comparisons: `if(x > 0, x*a, b - x) + if(x <= y, y, 0.5*y)`,
//!   two float columns;
//! - a division that fails on 1% of the rows: `a / (x - c)` where every
//!   100th `x` equals `c` (`division by zero` for those rows).
//!
//! `cargo bench --bench columns` prints one Markdown row per measurement
//! (the best of `REPEATS` passes) and the load average before and after.

use std::hint::black_box;
use std::time::{Duration, Instant};

use exprflow::{Column, ColumnValues, Engine, Value};

const ROWS: usize = 1_000_000;
const REPEATS: usize = 5;
const QUADRATIC: &str = "a*x^2 + b*x + c";
const BRANCHES: &str = "if(x > 0, x*a, b - x) + if(x <= y, y, 0.5*y)";
const DIVISION: &str = "a / (x - c)";

fn best(repeats: usize, mut pass: impl FnMut()) -> Duration {
    (0..repeats)
        .map(|_| {
            let start = Instant::now();
            pass();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn row(workload: &str, engine: &str, workers: &str, time: Duration) {
    println!(
        "| {workload} | {engine} | {workers} | {:.2} | {:.2} |",
        time.as_nanos() as f64 / ROWS as f64,
        time.as_secs_f64() * 1000.0
    );
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn float(x: f64) -> Column<'static> {
    Column::Scalar(Value::try_from(x).expect("finite"))
}

fn main() {
    let x: Vec<f64> = (0..ROWS)
        .map(|i| ((i * 7919) % 2000) as f64 / 100.0 - 10.0)
        .collect();
    let y: Vec<f64> = (0..ROWS)
        .map(|i| ((i * 104_729) % 3000) as f64 / 100.0 - 15.0)
        .collect();
    let n: Vec<i64> = (0..ROWS)
        .map(|i| ((i * 7919) % 2001) as i64 - 1000)
        .collect();
    let xd: Vec<f64> = (0..ROWS)
        .map(|i| if i % 100 == 0 { 3.0 } else { x[i] + 0.005 })
        .collect();
    let (a, b, c) = (1.5, -2.25, 0.5);
    println!("load average at start: {}", load());
    println!();
    println!("| workload | engine | workers | ns/row | total ms |");
    println!("|---|---|---|---:|---:|");

    for workers in [2, 1] {
        let engine = Engine::with_workers(workers).expect("engine");
        let w = workers.to_string();
        let quadratic = engine.compile(QUADRATIC).expect("compiles");
        let columns = [float(a), Column::F64(&x), float(b), float(c)];
        let out = quadratic.eval_columns(&columns).expect("columns");
        let ColumnValues::F64(values) = &out.values else {
            panic!("floats expected")
        };
        let off = (0..ROWS)
            .filter(|&i| values[i].to_bits() != (a * (x[i] * x[i]) + b * x[i] + c).to_bits())
            .count();
        assert_eq!(off, 0, "the quadratic differs from f64 arithmetic");
        let time = best(REPEATS, || {
            black_box(
                quadratic
                    .eval_columns(black_box(&columns))
                    .expect("columns"),
            );
        });
        row("quadratic, f64", "exprflow `eval_columns`", &w, time);

        let columns = [
            Column::Scalar(Value::from(3)),
            Column::I64(&n),
            Column::Scalar(Value::from(-7)),
            Column::Scalar(Value::from(11)),
        ];
        let out = quadratic.eval_columns(&columns).expect("columns");
        let ColumnValues::I64(values) = &out.values else {
            panic!("integers expected")
        };
        assert!((0..ROWS).all(|i| values[i] == 3 * n[i] * n[i] - 7 * n[i] + 11));
        let time = best(REPEATS, || {
            black_box(
                quadratic
                    .eval_columns(black_box(&columns))
                    .expect("columns"),
            );
        });
        row("quadratic, i64", "exprflow `eval_columns`", &w, time);

        let branches = engine.compile(BRANCHES).expect("compiles");
        assert_eq!(branches.inputs(), ["x", "a", "b", "y"]);
        let columns = [Column::F64(&x), float(a), float(b), Column::F64(&y)];
        let out = branches.eval_columns(&columns).expect("columns");
        assert!(out.errors.is_empty() && matches!(out.values, ColumnValues::F64(_)));
        let time = best(REPEATS, || {
            black_box(branches.eval_columns(black_box(&columns)).expect("columns"));
        });
        row(
            "`if` and comparisons, f64",
            "exprflow `eval_columns`",
            &w,
            time,
        );

        let division = engine.compile(DIVISION).expect("compiles");
        let columns = [float(a), Column::F64(&xd), Column::Scalar(Value::from(3))];
        let out = division.eval_columns(&columns).expect("columns");
        assert_eq!(out.errors.len(), ROWS / 100);
        let time = best(REPEATS, || {
            black_box(division.eval_columns(black_box(&columns)).expect("columns"));
        });
        row(
            "division failing on 1% of rows",
            "exprflow `eval_columns`",
            &w,
            time,
        );
    }
    fasteval_quadratic(&x, (a, b, c));
    exmex_quadratic(&x, (a, b, c));
    println!();
    println!("load average at end: {}", load());
}

fn fasteval_quadratic(x: &[f64], (a, b, c): (f64, f64, f64)) {
    use fasteval::{Compiler, Evaler};
    let parser = fasteval::Parser::new();
    let mut slab = fasteval::Slab::new();
    let compiled = parser
        .parse(QUADRATIC, &mut slab.ps)
        .expect("fasteval parses")
        .from(&slab.ps)
        .compile(&slab.ps, &mut slab.cs);
    let mut out = Vec::with_capacity(ROWS);
    let time = best(3, || {
        out.clear();
        for &x in x {
            let mut ns = |name: &str, _: Vec<f64>| match name {
                "a" => Some(a),
                "b" => Some(b),
                "c" => Some(c),
                "x" => Some(x),
                _ => None,
            };
            out.push(compiled.eval(&slab, &mut ns).unwrap_or(f64::NAN));
        }
        black_box(&out);
    });
    row("quadratic, f64", "fasteval (compiled, per row)", "1", time);
}

fn exmex_quadratic(x: &[f64], (a, b, c): (f64, f64, f64)) {
    use exmex::Express;
    let expr = exmex::parse::<f64>(QUADRATIC).expect("exmex parses");
    let names = expr.var_names().to_vec();
    let index = |n: &str| names.iter().position(|m| m == n).expect("a variable");
    let (ia, ib, ic, ix) = (index("a"), index("b"), index("c"), index("x"));
    let mut out = Vec::with_capacity(ROWS);
    let time = best(3, || {
        out.clear();
        let mut vars = [0.0; 4];
        (vars[ia], vars[ib], vars[ic]) = (a, b, c);
        for &x in x {
            vars[ix] = x;
            out.push(expr.eval(&vars).unwrap_or(f64::NAN));
        }
        black_box(&out);
    });
    row("quadratic, f64", "exmex (FlatEx, per row)", "1", time);
}
