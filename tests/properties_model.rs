//! Models (SPEC section 5), as properties over random models and random
//! edit sequences (proptest): after any sequence of `define` (new cells,
//! redefinitions, cycles, unknown names, errors) and `set` (values, and
//! formulas turned into values), an incremental `get` gives exactly what a
//! fresh model with the same cells gives, that one evaluating every cell by
//! the reference path instead of compiled formulas (the value, or the error's kind,
//! message and the text its span points at), on 1, 2 and 8 workers; a
//! second `get` with nothing changed recomputes nothing; and a `get`
//! evaluates no more cells than its answer needs.
//!
//! Uses only the public API. Sized to run in a few seconds in release mode.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use exprflow::{Engine, Error, Model, Value};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// The cell names the generated models use; `q` is never defined, so
/// reading it is `unknown variable`.
const NAMES: [&str; 6] = ["a", "b", "c", "d", "e", "f"];

fn engine(workers: usize) -> &'static Engine {
    static ENGINES: OnceLock<Vec<Engine>> = OnceLock::new();
    let engines = ENGINES.get_or_init(|| {
        [1, 2, 8]
            .iter()
            .map(|&n| Engine::with_workers(n).expect("engine"))
            .collect()
    });
    match workers {
        1 => &engines[0],
        2 => &engines[1],
        _ => &engines[2],
    }
}

/// A formula over the cell names: arithmetic with errors (`/`, `sqrt`),
/// floats, comparisons and `if`.
fn formula() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => prop::sample::select(NAMES.to_vec()).prop_map(str::to_string),
        3 => (0i64..5).prop_map(|n| n.to_string()),
        1 => Just("0.5".to_string()),
        1 => Just("q".to_string()),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/", "//", "<", "=="]),
                inner.clone()
            )
                .prop_map(|(l, op, r)| format!("({l} {op} {r})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("if({c}, {a}, {b})")),
            inner.clone().prop_map(|x| format!("sqrt({x})")),
            inner.clone().prop_map(|x| format!("float({x})")),
            inner.prop_map(|x| format!("-{x}")),
        ]
    })
}

/// One edit of a model, or a `get`.
#[derive(Clone, Debug)]
enum Edit {
    /// One or more `name = formula` lines in one `define`.
    Define(Vec<(&'static str, String)>),
    Set(&'static str, i64),
    Get(&'static str),
}

fn edit() -> impl Strategy<Value = Edit> {
    let name = || prop::sample::select(NAMES.to_vec());
    prop_oneof![
        3 => prop::collection::vec((name(), formula()), 1..4).prop_map(Edit::Define),
        2 => (name(), -3i64..4).prop_map(|(n, v)| Edit::Set(n, v)),
        3 => name().prop_map(Edit::Get),
    ]
}

/// What a cell is now: a formula or a value.
#[derive(Clone, Debug)]
enum Cell {
    Formula(String),
    Value(i64),
}

/// An outcome as comparable across models: spans differ (each model has
/// its own source), so an error is its message and the text at its span.
fn comparable(model: &Model, outcome: Result<Value, Error>) -> Result<String, (String, String)> {
    match outcome {
        Ok(value) => Ok(format!("{value:?}")),
        Err(e) => {
            let source = model.source();
            let at = source
                .get(e.span.start..e.span.end)
                .unwrap_or("")
                .to_string();
            Err((e.to_string(), at))
        }
    }
}

/// A fresh model with `cells`, evaluated by the reference path (every
/// cell's DAG built and walked, no compiled formulas).
fn fresh(workers: usize, cells: &BTreeMap<&'static str, Cell>) -> Model {
    let model = engine(workers).model_interpreted();
    for (name, cell) in cells {
        match cell {
            Cell::Formula(text) => model.define(format!("{name} = {text}")).expect("define"),
            Cell::Value(v) => model.set(name, Value::from(*v)).expect("set"),
        }
    }
    model
}

fn check(workers: usize, edits: &[Edit]) -> Result<(), TestCaseError> {
    let model = engine(workers).model();
    let mut cells: BTreeMap<&'static str, Cell> = BTreeMap::new();
    for edit in edits {
        match edit {
            Edit::Define(lines) => {
                let text: Vec<String> = lines.iter().map(|(n, f)| format!("{n} = {f}")).collect();
                model.define(text.join("\n")).expect("define");
                for (name, formula) in lines {
                    cells.insert(name, Cell::Formula(formula.clone()));
                }
            }
            Edit::Set(name, v) => {
                model.set(name, Value::from(*v)).expect("set");
                cells.insert(name, Cell::Value(*v));
            }
            Edit::Get(name) => {
                let got = comparable(&model, model.get(name));
                let first = model.last_recompute();
                let reference = fresh(workers, &cells);
                let want = comparable(&reference, reference.get(name));
                prop_assert_eq!(&got, &want, "get({}) after {:?}", name, edits);
                // Never more work than from scratch.
                let scratch = reference.last_recompute();
                prop_assert!(first.recomputed <= scratch.recomputed);
                prop_assert_eq!(
                    first.recomputed + first.reused,
                    scratch.recomputed + scratch.reused
                );
                // Nothing changed: nothing recomputed, the same answer.
                let again = comparable(&model, model.get(name));
                prop_assert_eq!(&again, &got);
                prop_assert_eq!(model.last_recompute().recomputed, 0);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    #[test]
    fn incremental_equals_fresh_on_1_worker(edits in prop::collection::vec(edit(), 1..40)) {
        check(1, &edits)?;
    }

    #[test]
    fn incremental_equals_fresh_on_2_workers(edits in prop::collection::vec(edit(), 1..40)) {
        check(2, &edits)?;
    }

    #[test]
    fn incremental_equals_fresh_on_8_workers(edits in prop::collection::vec(edit(), 1..40)) {
        check(8, &edits)?;
    }
}
