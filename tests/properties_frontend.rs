//! The parallel front end gives exactly what the serial one gives: for
//! generated batches (valid lines, assignments, definitions, calls,
//! errors, blank and comment lines, invalid UTF-8), `Batch::parse` (lines
//! parsed in parallel) and `Batch::parse_serial` build the same DAG (same
//! nodes, inputs and spans, in the same order) and the same lines (the
//! same nodes, targets and errors with their spans). The same holds for
//! one expression split into chunks parsed on several workers
//! (`Batch::parse_split`): chains of `+`/`*` with nested groups, signs,
//! `^`, `!`, calls, comparisons, names, comments, whitespace and syntax
//! errors anywhere, at chunk boundaries too, and node limits met anywhere
//! (chunks are built on the workers into DAGs of their own and merged).
//! Node for node means the same operation, inputs, span, estimates and
//! use count. Targeted tests below build and merge chunks directly (so
//! they do not depend on the machine having two cores).

use exprflow::testing::{Batch, BatchOptions};
use proptest::prelude::*;
use proptest::test_runner::Config;

#[path = "support/dags.rs"]
mod support_dags;
use support_dags::first_difference;

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

fn same(text: &[u8]) -> Result<(), TestCaseError> {
    same_as_serial(text, Batch::parse(text, BatchOptions::default()))
}

/// `parallel` (a parse of `text`) is exactly the serial parse of `text`.
fn same_as_serial(text: &[u8], parallel: Batch) -> Result<(), TestCaseError> {
    same_as_serial_with(text, parallel, BatchOptions::default())
}

/// `parallel` (a parse of `text` with `options`) is exactly the serial
/// parse: the same lines (nodes and errors), and node for node the same
/// operation, inputs, span, estimates and use count.
fn same_as_serial_with(
    text: &[u8],
    parallel: Batch,
    options: BatchOptions,
) -> Result<(), TestCaseError> {
    let serial = Batch::parse_serial(text, options);
    prop_assert_eq!(&parallel.source, &serial.source);
    prop_assert_eq!(
        format!("{:?}", parallel.lines),
        format!("{:?}", serial.lines)
    );
    let difference = first_difference(&parallel.dag, &serial.dag);
    prop_assert!(difference.is_none(), "{:?}", difference);
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 200, ..Config::default() })]

    #[test]
    fn parallel_front_end_matches_the_serial_one(text in batch()) {
        same(&text)?;
    }
}

/// One term of a chain: a leaf, or (for `depth > 0`) a parenthesised
/// chain, a signed or raised term, a call.
fn term() -> impl Strategy<Value = String> {
    let leaf = proptest::sample::select(
        &[
            "1",
            "23",
            "0",
            "7",
            "0.5",
            "1e3",
            "2_0",
            "x",
            "y",
            "pi",
            "zz",
            "3!",
            "max(1, x)",
            "f(2)",
            "g(1)",
            "if(x < 1, 2, 3)",
            "(1)",
            "-1",
            "1/0",
            "2^3",
            "4 - 1",
            "x % 3",
            // Literals on and past the builder's small-integer fast path:
            // the same value written another way, the longest and the
            // shortest literal past it, one too big for the bit limit.
            "007",
            "999999999999999999",
            "1000000000000000000",
            "1e999999999999",
            "w",
        ][..],
    )
    .prop_map(str::to_string);
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            4 => (chain(inner.clone()), blank()).prop_map(|(c, b)| format!("({b}{c})")),
            1 => inner.clone().prop_map(|t| format!("-{t}")),
            1 => inner.clone().prop_map(|t| format!("({t})^2")),
            1 => inner.clone().prop_map(|t| format!("({t})!")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
            1 => (inner.clone(), inner).prop_map(|(a, b)| format!("({a} < {b})")),
        ]
    })
}

/// Spaces, tabs, newlines and comments, or nothing.
fn blank() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(&["", "", "", " ", "  ", "\t", " # (c) +\n", "\n"][..])
}

/// Terms joined by operators, mostly `+` or mostly `*`, with now and then
/// another operator or a syntax error.
fn chain(term: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    let op = proptest::sample::select(
        &[
            "+", "+", "+", "+", "*", "*", "*", "-", "/", "^", "==", "+ +", "*)", "+ (", ",",
        ][..],
    );
    (
        proptest::sample::select(&["+", "*"][..]),
        proptest::collection::vec((term, op, blank(), blank(), 0..8u8), 1..12),
    )
        .prop_map(|(main, parts)| {
            let mut text = String::new();
            for (k, (term, op, b1, b2, pick)) in parts.iter().enumerate() {
                if k > 0 {
                    text.push_str(b1);
                    text.push_str(if *pick < 7 { main } else { op });
                    text.push_str(b2);
                }
                text.push_str(term);
            }
            text
        })
}

/// Lines that bind `x`, `y` and `f` before the big line.
fn prelude() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(
        &[
            "",
            "x = 2\n",
            "x = 0.5\ny = x + 1\n",
            "f(a) = a * 2\nx = 3\n",
            "x = 1 +\n",
            "x = 2 ^ 70\ny = x * x\n",
        ][..],
    )
}

proptest! {
    #![proptest_config(Config { cases: 1000, ..Config::default() })]

    /// One expression split into chunks of a few bytes (so every cut and
    /// group a real input would split at is exercised) builds exactly the
    /// DAG, spans and errors of the serial parse.
    #[test]
    fn split_expression_matches_the_serial_one(
        prelude in prelude(),
        body in chain(term()),
        wrap in 0..3usize,
        grain in 1..24usize,
        max_nodes in prop_oneof![3 => Just(None), 1 => (0..80usize).prop_map(Some)],
    ) {
        let text = format!("{prelude}{}{body}{}\n1 + 2", "(".repeat(wrap), ")".repeat(wrap));
        let mut options = BatchOptions::default();
        if let Some(max_nodes) = max_nodes {
            // The node limit met anywhere: in a chunk's own build, in its
            // merge, in the join, in the prelude.
            options.dag.max_nodes = max_nodes;
        }
        let parallel = Batch::parse_split(text.as_bytes(), options, grain);
        same_as_serial_with(text.as_bytes(), parallel, options)?;
    }
}

/// The split front end does split the shapes it is for (so the property
/// above cannot pass by declining everything).
#[test]
fn chains_and_trees_split() {
    use exprflow::testing::syntax::plan;
    for (text, chunks) in [
        ("1 + 2 + 3 + 4", 4),
        ("(1 + 2) * 3 + 4 * 5 + x", 3),
        ("((1 + 2) + (3 + 4))", 4),
        ("(((1 * 2) * (3 * 4)))", 4),
        ("(0*1)+(1*2)+(2*3)", 6),
        ("((1 * 2) + (3 * 4 * 5))", 5),
        ("1 + (2 + 3) # c\n + 4", 4),
    ] {
        let plan = plan(text, 0, 1).unwrap_or_else(|| panic!("no plan for {text:?}"));
        assert_eq!(plan.chunks().count(), chunks, "{text:?}: {plan:?}");
    }
    // Many of the property's inputs split (the rest check the fallback).
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = chain(term());
    let split = (0..1000)
        .filter(|_| {
            let body = strategy.new_tree(&mut runner).unwrap().current();
            plan(&body, 0, 4).is_some()
        })
        .count();
    assert!(split > 300, "only {split} of 1000 split");
    for text in [
        "1 - 2 - 3",
        "1 + 2 < 3",
        "x = 1 + 2",
        "1 +",
        "-(1 + 2 + 3)",
        "(1 + 2)!",
    ] {
        assert!(plan(text, 0, 1).is_none(), "{text:?}");
    }
    // Deep text takes the serial path (the planner's memory grows with the
    // nesting); shallow wrapping still splits.
    let wrapped = |depth: usize| format!("{}1 + 2 + 3{}", "(".repeat(depth), ")".repeat(depth));
    assert!(plan(&wrapped(200), 0, 1).is_some());
    assert!(plan(&wrapped(300), 0, 1).is_none());
}

/// A chain long enough for its join to look its pairs up on the pool
/// (repeated pairs found there, new ones made in order, a level that turns
/// the pool off), with node limits met in the chunks and inside the join:
/// the serial DAG and errors.
#[test]
fn a_long_chain_joins_as_in_the_serial_build() {
    // Repeated pairs at every level of the join, and now and then a new one.
    let terms = (0..100_000).map(|i: u64| match i % 997 {
        0 => (100_000 + i).to_string(),
        _ => (i % 300).to_string(),
    });
    let text = terms.collect::<Vec<_>>().join("+");
    let len = Batch::parse_serial(text.as_bytes(), BatchOptions::default())
        .dag
        .len();
    // Limits met in the chunks and at many places inside the join.
    let limits = (0..24).map(|j| len.saturating_sub(1 + j * 123));
    for max_nodes in limits.chain([100, len, len + 1]) {
        let mut options = BatchOptions::default();
        options.dag.max_nodes = max_nodes;
        let split = Batch::parse_split(text.as_bytes(), options, 8192);
        same_as_serial_with(text.as_bytes(), split, options).unwrap();
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

mod merged {
    use exprflow::testing::dag::{Binding, ChainBuilder, Dag, DagLimits, LocalChunk, Scope};
    use exprflow::testing::syntax::{Piece, parse_chunk, parse_expr, plan};

    /// `text` split into chunks of about `grain` bytes, each built into a
    /// DAG of its own and merged (or, where the merge declines, built into
    /// the shared DAG), after `prelude` (built serially into both DAGs).
    fn split(text: &str, grain: usize, limits: DagLimits, scope: &Scope) -> (Dag, String) {
        let mut dag = Dag::with_limits(limits);
        let plan = plan(text, 0, grain).expect("splits");
        let (mut chain, mut outer) = (ChainBuilder::new(plan.op), Vec::new());
        let mut merged = 0;
        for piece in &plan.pieces {
            let done = match piece {
                Piece::Open => {
                    chain.open();
                    Ok(())
                }
                Piece::Close(span) => {
                    chain.close(*span);
                    Ok(())
                }
                Piece::Begin(op) => {
                    outer.push(std::mem::replace(&mut chain, ChainBuilder::new(*op)));
                    Ok(())
                }
                Piece::End(span) => {
                    let enclosing = outer.pop().expect("balanced");
                    std::mem::replace(&mut chain, enclosing)
                        .finish(&mut dag)
                        .map(|node| chain.add_operand(node, *span))
                }
                Piece::Chunk(range) => {
                    let (ast, root) = parse_chunk(text, range.clone(), 0, 100).expect("parses");
                    let local = LocalChunk::build(&ast, root, chain.op(), scope, &dag);
                    match local.map(|local| chain.add_local(&mut dag, local)) {
                        Some(Ok(true)) => {
                            merged += 1;
                            Ok(())
                        }
                        Some(Err(e)) => Err(e),
                        _ => chain.add_chunk(&mut dag, &ast, root, scope),
                    }
                }
            };
            if let Err(e) = done {
                return (dag, format!("{:?} after {merged} merged", Err::<(), _>(e)));
            }
        }
        let root = chain.finish(&mut dag);
        (dag, format!("{root:?} after {merged} merged"))
    }

    fn serial(text: &str, limits: DagLimits, scope: &Scope) -> (Dag, String) {
        let mut dag = Dag::with_limits(limits);
        let (ast, root) = parse_expr(text).expect("parses");
        let root = dag.add_expr(&ast, root, scope);
        (dag, format!("{root:?}"))
    }

    fn assert_same(a: &Dag, b: &Dag) {
        assert_eq!(super::first_difference(a, b), None);
    }

    /// Subexpressions repeated within and across chunks (found again in
    /// the shared DAG, keeping their first span and counting their uses
    /// once per user), failures (never shared), floats (the written
    /// shape), calls, unbound names.
    const TEXTS: &[&str] = &[
        "(1+2)*3 + (1+2)*3 + ((1+2)*3 + 4) + (1+2)*3*5 + 4",
        "2^70 * 2^70 * (2^70 * 3) * 2^70 * 4 * 1e3 * 0.5 * 2^70",
        "max(1, 2) + zz + pi + zz + f(1) + (1/0 + 3) + max(1, 2) + sqrt(2)",
        "(((1 + 2) + (3 + 4)) + ((1 + 2) + (3 + 4))) + (((1 + 2) + (3 + 4)) + 5)",
        "0.5 + 1 + 0.5 + (1 + 2) + 0.5 + (1 + 2) + 007 + 7 + 99999999999999999999 + 99999999999999999999",
    ];

    #[test]
    fn merged_chunks_are_the_serial_dag() {
        for text in TEXTS {
            let expected = serial(text, DagLimits::default(), &Scope::new());
            for grain in [1, 3, 8, 20] {
                let got = split(text, grain, DagLimits::default(), &Scope::new());
                assert_same(&got.0, &expected.0);
                assert_eq!(got.1.split(" after").next(), Some(&*expected.1), "{text:?}");
                assert!(
                    got.1.ends_with("merged") && !got.1.ends_with(" 0 merged"),
                    "{got:?}"
                );
            }
        }
    }

    /// Every node limit fails with the serial build's error at the
    /// serial build's place (a merge that could reach it declines, and
    /// the chunk is built into the shared DAG), and leaves the same nodes.
    #[test]
    fn node_limits_fail_as_in_the_serial_build() {
        for text in TEXTS {
            let len = serial(text, DagLimits::default(), &Scope::new()).0.len();
            for max_nodes in 0..len + 3 {
                let limits = DagLimits {
                    max_nodes,
                    ..DagLimits::default()
                };
                let expected = serial(text, limits, &Scope::new());
                let got = split(text, 4, limits, &Scope::new());
                assert_same(&got.0, &expected.0);
                let result = got.1.split(" after").next().unwrap_or_default();
                assert_eq!(result, expected.1, "{text:?} at {max_nodes}");
            }
        }
    }

    /// A chunk that reads a name bound in the scope, or calls a user
    /// function, is not built on its own (its nodes depend on the shared
    /// DAG); a chunk that does not still is, whatever else is bound.
    #[test]
    fn chunks_that_read_the_scope_are_built_in_place() {
        let (ast, root) = parse_expr("1 + x + y").expect("parses");
        let op = exprflow::testing::value::BinOp::Add;
        let dag = Dag::default();
        assert!(LocalChunk::build(&ast, root, op, &Scope::new(), &dag).is_some());
        let mut scope = Scope::new();
        scope.bind("z", Binding::Node(Default::default()));
        assert!(LocalChunk::build(&ast, root, op, &scope, &dag).is_some());
        scope.bind("y", Binding::Node(Default::default()));
        assert!(LocalChunk::build(&ast, root, op, &scope, &dag).is_none());

        // With a prelude binding `x` and defining `f`, split and serial
        // agree (`x` is a node of the shared DAG; `f`'s calls see it).
        let text = b"x = 2 + 3\nf(a) = a * x\n(2 + 3) + x + 1 + f(1) + (2 + 3) * 2 + zz + 4\n";
        let split = exprflow::testing::Batch::parse_split(text, Default::default(), 4);
        let serial = exprflow::testing::Batch::parse_serial(text, Default::default());
        assert_eq!(format!("{:?}", split.lines), format!("{:?}", serial.lines));
        assert_same(&split.dag, &serial.dag);
    }
}
