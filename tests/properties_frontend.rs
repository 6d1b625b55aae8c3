//! The parallel front end gives exactly what the serial one gives: for
//! generated batches (valid lines, assignments, definitions, calls,
//! errors, blank and comment lines, invalid UTF-8), `Batch::parse` (lines
//! parsed in parallel) and `Batch::parse_serial` build the same DAG (same
//! nodes, inputs and spans, in the same order) and the same lines (the
//! same nodes, targets and errors with their spans).

use exprflow::testing::{Batch, BatchOptions};
use proptest::prelude::*;
use proptest::test_runner::Config;

const PIECES: &[&[u8]] = &[
    b"1",
    b"23",
    b"0.5",
    b"1e3",
    b"1_000",
    b"x",
    b"y",
    b"pi",
    b"max(1, x)",
    b"f(2)",
    b"(1 + y)",
    b"+",
    b"-",
    b"*",
    b"/",
    b"^",
    b"!",
    b"==",
    b"<",
    b" ",
    b"(",
    b")",
    b",",
    b"# c",
    b"\xff",
    b"x = ",
    b"y = ",
    b"f(a) = a * ",
    b"if(x < 1, 2, 3)",
    b"zz",
    b"1/0",
];

fn line() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(proptest::sample::select(PIECES), 0..10).prop_map(|p| p.concat())
}

fn batch() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(line(), 16..120).prop_map(|lines| lines.join(&b'\n'))
}

/// An operation's text without definition ids (`FuncDef::id` counts
/// every definition compiled in the process, so two parses differ there):
/// `id: N` and the `("name", N)` entries of an environment's signature.
fn without_ids(op: &exprflow::testing::dag::Op) -> String {
    let mut text = format!("{op:?}");
    for marker in ["id: ", "\", "] {
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(marker) {
            out.push_str(&rest[..at + marker.len()]);
            rest = rest[at + marker.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
        }
        out.push_str(rest);
        text = out;
    }
    text
}

fn same(text: &[u8]) -> Result<(), TestCaseError> {
    let options = BatchOptions::default();
    let (parallel, serial) = (
        Batch::parse(text, options),
        Batch::parse_serial(text, options),
    );
    prop_assert_eq!(&parallel.source, &serial.source);
    prop_assert_eq!(
        format!("{:?}", parallel.lines),
        format!("{:?}", serial.lines)
    );
    prop_assert_eq!(parallel.dag.len(), serial.dag.len());
    for id in serial.dag.ids() {
        let (p, s) = (parallel.dag.node(id), serial.dag.node(id));
        prop_assert_eq!(without_ids(&p.op), without_ids(&s.op));
        prop_assert_eq!(&p.inputs, &s.inputs);
        prop_assert_eq!(p.span, s.span);
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 200, ..Config::default() })]

    #[test]
    fn parallel_front_end_matches_the_serial_one(text in batch()) {
        same(&text)?;
    }
}

/// A big batch, past one block of lines, with names bound across blocks.
#[test]
fn a_big_batch_matches_across_blocks() {
    let mut text = String::new();
    for i in 0..10_000 {
        match i % 4 {
            0 => text.push_str(&format!("x = {i} * (x + 1)\n")),
            1 => text.push_str(&format!("({i} + x) * 2\n")),
            2 => text.push_str("1 +\n"),
            _ => text.push_str(&format!("max({i}, x) # comment\n")),
        }
    }
    same(text.as_bytes()).unwrap();
}
