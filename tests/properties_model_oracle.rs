//! Models against an oracle that shares none of their planning or cycle
//! detection (proptest): a cell's expected outcome is its formula with
//! every cell it reads written out in place (inputs as literals, formulas
//! recursively, in parentheses), evaluated as one plain expression by
//! `Engine::eval`; cycles are found by this file's own depth-first search.
//! A wrong dependency order, a stale cell after an edit, or a cycle seen
//! where there is none (or missed) shows up as a difference. Random edits
//! follow the first reads, so incremental recomputes are checked too.
//!
//! Uses only the public API.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use exprflow::{Engine, Error, ErrorKind, Model, Value};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// The cell names; `q` is never defined.
const NAMES: [&str; 5] = ["a", "b", "c", "d", "g"];

/// Inlined text past this size is not checked (formulas reading each
/// other many times grow exponentially when written out).
const MAX_INLINED: usize = 50_000;

fn engine(two: bool) -> &'static Engine {
    static ENGINES: OnceLock<[Engine; 2]> = OnceLock::new();
    let engines = ENGINES.get_or_init(|| {
        [
            Engine::with_workers(1).expect("engine"),
            Engine::with_workers(2).expect("engine"),
        ]
    });
    &engines[usize::from(two)]
}

fn formula() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => prop::sample::select(NAMES.to_vec()).prop_map(str::to_string),
        3 => (0i64..5).prop_map(|n| n.to_string()),
        1 => Just("0.5".to_string()),
        1 => Just("q".to_string()),
    ];
    leaf.prop_recursive(3, 10, 3, |inner| {
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
            inner.prop_map(|x| format!("-{x}")),
        ]
    })
}

#[derive(Clone, Debug)]
enum Cell {
    Formula(String),
    Input(i64),
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        3 => formula().prop_map(Cell::Formula),
        1 => (-3i64..4).prop_map(Cell::Input),
    ]
}

/// The words of `text` that are cell names (not function names).
fn reads(text: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphabetic()) {
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .unwrap_or(tail.len());
        let word = &tail[..end];
        if !tail[end..].starts_with('(')
            && let Some(name) = NAMES.iter().find(|n| **n == word)
        {
            out.push(*name);
        }
        rest = &tail[end..];
    }
    out
}

/// The cells on a cycle of reads (this file's own search: a cell is on a
/// cycle when it can reach itself).
fn on_cycles(cells: &BTreeMap<&'static str, Cell>) -> Vec<&'static str> {
    let edges = |name: &str| match cells.get(name) {
        Some(Cell::Formula(f)) => reads(f),
        _ => Vec::new(),
    };
    NAMES
        .iter()
        .copied()
        .filter(|&start| {
            let mut seen = Vec::new();
            let mut stack = edges(start);
            while let Some(n) = stack.pop() {
                if n == start {
                    return true;
                }
                if !seen.contains(&n) {
                    seen.push(n);
                    stack.extend(edges(n));
                }
            }
            false
        })
        .collect()
}

/// `name` written out: an input as a literal, a formula in parentheses with
/// the cells it reads written out; `None` when it reads a cell on a cycle
/// or grows past [`MAX_INLINED`].
fn inline(
    name: &str,
    cells: &BTreeMap<&'static str, Cell>,
    cycles: &[&str],
    size: &mut usize,
) -> Option<String> {
    if cycles.contains(&name) {
        return None;
    }
    let text = match cells.get(name) {
        None => name.to_string(),
        Some(Cell::Input(v)) => format!("({v})"),
        Some(Cell::Formula(f)) => {
            let mut out = String::from("(");
            let mut word = String::new();
            for ch in f.chars().chain(std::iter::once(' ')) {
                if ch.is_ascii_alphanumeric() || ch == '_' {
                    word.push(ch);
                    continue;
                }
                if !word.is_empty() && ch != '(' && NAMES.contains(&word.as_str()) {
                    out.push_str(&inline(&word, cells, cycles, size)?);
                } else {
                    out.push_str(&word);
                }
                word.clear();
                out.push(ch);
            }
            out.pop();
            out.push(')');
            out
        }
    };
    *size += text.len();
    (*size <= MAX_INLINED).then_some(text)
}

/// A value as its debug text; an error as its kind and message (spans
/// differ: the oracle's text is not the model's source).
fn comparable(outcome: Result<Value, Error>) -> Result<String, (ErrorKind, String)> {
    outcome
        .map(|v| format!("{v:?}"))
        .map_err(|e| (e.kind, e.to_string()))
}

/// Every defined cell of `model` against the oracle; how many were
/// compared in full.
fn check_all(
    model: &Model,
    cells: &BTreeMap<&'static str, Cell>,
    two: bool,
    what: &str,
) -> Result<usize, TestCaseError> {
    let cycles = on_cycles(cells);
    let mut compared = 0;
    for &name in NAMES.iter().filter(|n| cells.contains_key(*n)) {
        let got = model.get(name);
        if cycles.contains(&name) {
            let kind = got.as_ref().map_err(|e| e.kind);
            prop_assert_eq!(kind, Err(ErrorKind::Cycle), "{} on a cycle, {}", name, what);
            continue;
        }
        let Some(text) = inline(name, cells, &cycles, &mut 0) else {
            continue;
        };
        let want = comparable(engine(two).eval(&text));
        prop_assert_eq!(comparable(got), want, "{} = {}, {}", name, text, what);
        compared += 1;
    }
    Ok(compared)
}

fn define(model: &Model, name: &str, cell: &Cell) {
    match cell {
        Cell::Formula(f) => model.define(format!("{name} = {f}")).expect("define"),
        Cell::Input(v) => model.set(name, Value::from(*v)).expect("set"),
    }
}

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    #[test]
    fn a_model_equals_its_cells_written_out(
        start in prop::collection::vec((prop::sample::select(NAMES.to_vec()), cell()), 1..8),
        edits in prop::collection::vec((prop::sample::select(NAMES.to_vec()), cell()), 0..6),
        two in any::<bool>(),
    ) {
        let model = engine(two).model();
        let mut cells = BTreeMap::new();
        for (name, cell) in &start {
            define(&model, name, cell);
            cells.insert(*name, cell.clone());
        }
        check_all(&model, &cells, two, "after the first definitions")?;
        for (k, (name, cell)) in edits.iter().enumerate() {
            define(&model, name, cell);
            cells.insert(*name, cell.clone());
            check_all(&model, &cells, two, &format!("after edit {k}: {cells:?}"))?;
        }
    }
}
