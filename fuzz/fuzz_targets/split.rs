//! Fuzz target: the split front end against the serial parse on
//! arbitrary bytes; the check itself, and what it asserts, is
//! `tests/support/split_check.rs` (also run on `seeds_split/` by
//! `tests/adversarial_split.rs`).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/split_check.rs"]
mod split_check;

fuzz_target!(|data: &[u8]| split_check::check(data));
