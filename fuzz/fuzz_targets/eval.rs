//! Fuzz target: arbitrary bytes as a batch (one statement per line).
//! The check itself, and what it asserts, is `tests/support/eval_check.rs`
//! (also run on `seeds/` by `tests/fuzz_seeds.rs`).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/eval_check.rs"]
mod eval_check;

fuzz_target!(|data: &[u8]| eval_check::check(data));
