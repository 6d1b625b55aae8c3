//! Formulas and models on arbitrary text and hostile values: the check of
//! the `formula_model` fuzz target (`fuzz/fuzz_targets/formula_model.rs`),
//! also run on its seeds (`fuzz/seeds_formula_model/`) by
//! `tests/fuzz_seeds.rs`.
//!
//! The first byte picks the workers (1 or 2) and a value table offset; the
//! rest is text, one line each:
//! - the first line is compiled as a formula (`Engine::compile`); when it
//!   compiles, rows of hostile values (zero, -0.0, huge exact numbers,
//!   `f64::MAX`, thirds, negative numbers) give the same outcome through
//!   `eval_row`, `eval_many` and `eval` by name, and never an `internal
//!   error`;
//! - the other lines are model edits: `name := N` sets a value (N indexes
//!   the value table), anything else is `define`d. After every edit each
//!   defined name is read (`get`); at the end every name must read the
//!   same in a fresh model given the same edits without the reads in
//!   between (recomputing only what changed never changes a result).
//!
//! Nothing may panic, hang or abort; host functions in cells (`h`,
//! `ah`) and endless definitions are fine (the node limit is small).

use std::sync::OnceLock;

use std::time::Duration;

use exprflow::{DagLimits, Engine, ErrorKind, EvalLimits, Model, Value};

fn engines() -> &'static [Engine; 2] {
    static ENGINES: OnceLock<[Engine; 2]> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let engine = |workers| {
            Engine::builder()
                .workers(workers)
                .dag_limits(DagLimits {
                    max_nodes: 20_000,
                    ..DagLimits::default()
                })
                .limits(EvalLimits {
                    max_wait: Duration::from_millis(2),
                    ..EvalLimits::default()
                })
                .function("h", 1, |args: &[Value]| match args {
                    [x] if x.is_zero() => Err("h of zero".into()),
                    [x] => Ok(x.clone()),
                    _ => Err("arity".into()),
                })
                .async_function("ah", 1, |args: Vec<Value>| async move {
                    args.first().cloned().ok_or_else(|| "arity".to_string())
                })
                .build()
                .expect("engine")
        };
        [engine(1), engine(2)]
    })
}

/// Hostile values, picked by index.
fn value(i: usize) -> Value {
    static TABLE: OnceLock<Vec<Value>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let exact = Engine::with_workers(1).expect("engine");
        let mut table: Vec<Value> = ["0", "1", "-1", "2^200", "-(10^300)", "1/3", "-7/2", "2^-64"]
            .iter()
            .map(|t| exact.eval(t).expect("table value"))
            .collect();
        for f in [-0.0, 0.5, f64::MAX, -1e-300, 1e15 + 0.5] {
            table.push(Value::try_from(f).expect("finite"));
        }
        table
    });
    table[i % table.len()].clone()
}

fn check_formula(engine: &Engine, text: &str, seed: usize) {
    let Ok(formula) = engine.compile(text) else {
        return;
    };
    let n = formula.inputs().len();
    let rows: Vec<Vec<Value>> = (0..4)
        .map(|r| (0..n).map(|k| value(seed + r * 7 + k * 3)).collect())
        .collect();
    let many = formula.eval_many(&rows);
    for (row, outcome) in rows.iter().zip(&many) {
        let one = formula.eval_row(row);
        let named: Vec<(&str, Value)> = formula
            .inputs()
            .iter()
            .map(String::as_str)
            .zip(row.iter().cloned())
            .collect();
        let by_name = formula.eval(&named);
        assert_eq!(&one, outcome, "{text:?} on {row:?}");
        assert_eq!(one, by_name, "{text:?} on {row:?}");
        if let Err(e) = &one {
            assert_ne!(e.kind, ErrorKind::Internal, "{text:?}: {e}");
        }
    }
}

/// One edit: `name := N` sets a value, anything else is a definition.
fn edit(model: &Model, line: &str) {
    match line.split_once(":=") {
        Some((name, n)) => {
            let index = n.trim().parse::<usize>().unwrap_or(0);
            let _ = model.set(name.trim(), value(index));
        }
        None => {
            let _ = model.define(line);
        }
    }
}

/// The names the edits define or set (the left of `=` or `:=`).
fn names(lines: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            l.split_once('=')
                .map(|(n, _)| n.trim_end_matches(':').trim().to_string())
        })
        .filter(|n| !n.is_empty() && !n.contains('('))
        .collect();
    names.sort();
    names.dedup();
    names
}

fn resource(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::TooLarge | ErrorKind::MemoryBudget | ErrorKind::TimedOut
    )
}

/// The check on one input: panics on any disagreement.
pub fn check(data: &[u8]) {
    let Some((&config, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let engine = &engines()[usize::from(config & 1)];
    let seed = usize::from(config >> 1);
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        check_formula(engine, first, seed);
    }
    let edits: Vec<&str> = lines.take(32).collect();
    let names = names(&edits);
    let incremental = engine.model();
    for line in &edits {
        edit(&incremental, line);
        for name in &names {
            let _ = incremental.get(name);
        }
    }
    let fresh = engine.model();
    for line in &edits {
        edit(&fresh, line);
    }
    for name in &names {
        let (a, b) = (incremental.get(name), fresh.get(name));
        match (&a, &b) {
            // Resource verdicts depend on what ran when (SPEC section 2).
            (Err(x), Err(y)) if resource(x.kind) && resource(y.kind) => {}
            _ => assert_eq!(a, b, "cell {name} after {edits:?}"),
        }
    }
}
