//! Every fuzz target's check on its seeds, so that the checks run in every
//! test run and cannot rot: `eval` on `fuzz/seeds/`, `formula_model` on
//! `fuzz/seeds_formula_model/` (the `split` target's seeds run in
//! `tests/adversarial_split.rs`). The checks live in `tests/support/` and
//! the fuzz targets include them.

#[path = "support/bounded.rs"]
mod bounded;
#[path = "support/eval_check.rs"]
mod eval_check;
#[path = "support/formula_model_check.rs"]
mod formula_model_check;

use bounded::bounded;

/// Runs `check` on every file of `fuzz/DIR`; how many there were.
fn run_seeds(dir: &'static str, check: fn(&[u8])) -> usize {
    let dir = format!("{}/fuzz/{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut seeds = 0;
    for entry in std::fs::read_dir(&dir).expect("the seed directory") {
        let path = entry.expect("a seed").path();
        let bytes = std::fs::read(&path).expect("read a seed");
        check(&bytes);
        seeds += 1;
    }
    seeds
}

#[test]
fn the_eval_fuzz_seeds_pass() {
    let seeds = bounded(240, || run_seeds("seeds", eval_check::check));
    assert!(seeds >= 100, "{seeds} seeds");
}

#[test]
fn the_formula_model_fuzz_seeds_pass() {
    let seeds = bounded(120, || {
        run_seeds("seeds_formula_model", formula_model_check::check)
    });
    assert!(seeds >= 3, "{seeds} seeds");
}
