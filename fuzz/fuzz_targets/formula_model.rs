//! Fuzz target: formulas and models on arbitrary text and hostile values.
//! The check itself, and what it asserts, is `tests/support/formula_model_check.rs`
//! (also run on `seeds_formula_model/` by `tests/fuzz_seeds.rs`).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/formula_model_check.rs"]
mod formula_model_check;

fuzz_target!(|data: &[u8]| formula_model_check::check(data));
