//! The split front end (one big `+`/`*` chain planned into chunks parsed
//! on rayon's workers) at the library's entry points: `Engine::submit`,
//! `Engine::map` and a `Session` (so the REPL). Whatever the text, the
//! split path gives what the serial parse gives: the same DAG (nodes,
//! inputs, spans, in the same order), the same values, the same errors
//! (kind and place) and the same names (a session's variables, functions
//! and `_`). Hostile big inputs (deep nesting, NUL bytes, errors inside
//! chunks and at their boundaries, unbalanced parentheses, huge numbers,
//! unknown names, calls across a boundary) end with the serial error, and
//! a submit from an engine worker, a host function, a completion callback
//! or an async task, or while rayon's global pool is busy, does not hang.
//! Each test that could hang runs under a generous bound ([`bounded`]).

use std::sync::{Arc, OnceLock};

use exprflow::testing::syntax::plan;
use exprflow::testing::{EngineInternals, SessionInternals, splits_on_this_thread};
use exprflow::{Engine, Error, ErrorKind, Value};
use proptest::prelude::*;
use proptest::test_runner::Config;

#[path = "support/bounded.rs"]
mod support_bounded;
use support_bounded::bounded;

#[path = "support/split_check.rs"]
mod split_check;
use split_check::dags::first_difference;

/// The shortest statement the entry points split (`split_parse::SPLIT_MIN`).
const SPLIT_MIN: usize = 1 << 18;

/// One engine for the whole file (2 workers), with a host function `h`.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::builder()
            .workers(2)
            .function("h", 1, |args: &[Value]| Ok(args[0].clone()))
            .build()
            .unwrap()
    })
}

/// What a session says to each of `statements`, and the session.
fn run_session(engine: &Engine, statements: &[String]) -> (Vec<String>, exprflow::Session) {
    let mut session = engine.session();
    let outcomes = statements
        .iter()
        .map(|s| format!("{:?}", session.eval(s)))
        .collect();
    (outcomes, session)
}

/// `statements` in a session that splits every chain into chunks of about
/// `grain` bytes give what the serial front end gives: outcomes (values,
/// errors with their spans), variables, functions and DAG.
fn same_session(statements: &[String], grain: usize) -> Result<(), TestCaseError> {
    let (split, a) = run_session(&engine().with_split(Some(grain)), statements);
    let (serial, b) = run_session(&engine().with_split(None), statements);
    prop_assert_eq!(split, serial);
    prop_assert_eq!(
        format!("{:?}", a.variables()),
        format!("{:?}", b.variables())
    );
    prop_assert_eq!(a.functions(), b.functions());
    let difference = first_difference(a.dag(), b.dag());
    prop_assert!(difference.is_none(), "{:?}", difference);
    Ok(())
}

/// One term of a chain: leaves that are valid, unknown, huge, failing or
/// broken, and (recursively) parenthesised chains, signs and calls.
fn term() -> impl Strategy<Value = String> {
    let leaf = proptest::sample::select(
        &[
            "1",
            "23",
            "0",
            "0.5",
            "x",
            "y",
            "_",
            "f(2)",
            "h(3)",
            "zz",
            "f(1, 2)",
            "h()",
            "nosuch(1)",
            "99999999999999999999999999999999",
            "1e999999999999",
            "2^100000000000",
            "1/0",
            "(1",
            "2)",
            "\0",
            "max(x,",
            "max(1, 2 + x)",
            "if(x < 1, 2, 3)",
            "3!",
            "-4",
            "x = 1",
            "",
        ][..],
    )
    .prop_map(str::to_string);
    leaf.prop_recursive(3, 48, 6, |inner| {
        let op = proptest::sample::select(&["+", "*", "+", "*", "-", ","][..]);
        prop_oneof![
            4 => (proptest::collection::vec(inner.clone(), 1..6), op)
                .prop_map(|(terms, op)| format!("({})", terms.join(op))),
            1 => inner.clone().prop_map(|t| format!("-{t}")),
            1 => (inner.clone(), inner).prop_map(|(a, b)| format!("f({a} + {b})")),
        ]
    })
}

/// A big statement: terms joined mostly by one of `+` and `*`, now and
/// then by another operator, with spaces, newlines and comments.
fn chain() -> impl Strategy<Value = String> {
    let joint = proptest::sample::select(
        &[
            "+",
            "+",
            "+",
            "*",
            "*",
            " + ",
            "\n+ ",
            " # (c)\n* ",
            "-",
            "==",
            "+ +",
            "(",
        ][..],
    );
    (
        proptest::sample::select(&["+", "*"][..]),
        proptest::collection::vec((term(), joint, 0..6u8), 1..14),
        0..3usize,
    )
        .prop_map(|(main, parts, wrap)| {
            let mut text = "(".repeat(wrap);
            for (k, (term, joint, pick)) in parts.iter().enumerate() {
                if k > 0 {
                    text.push_str(if *pick < 5 { main } else { joint });
                }
                text.push_str(term);
            }
            text.push_str(&")".repeat(wrap));
            text
        })
}

/// Statements that bind `x`, `y`, `_` and `f` (or fail to) first.
fn prelude() -> impl Strategy<Value = Vec<String>> {
    const PRELUDES: &[&[&str]] = &[
        &[],
        &["x = 2"],
        &["x = 0.5", "y = x + 1", "y * 2"],
        &["f(a) = a * 2", "x = 3"],
        &["x = 1 +", "f(a) = a +"],
        &["x = 2 ^ 70", "y = x * x", "1/0"],
    ];
    proptest::sample::select(PRELUDES).prop_map(|s| s.iter().map(|s| s.to_string()).collect())
}

proptest! {
    #![proptest_config(Config { cases: 300, ..Config::default() })]

    /// A session's statements, every chain split into chunks of a few
    /// bytes (so every cut a big input would have is exercised), give the
    /// serial front end's outcomes, names and DAG.
    #[test]
    fn a_split_session_matches_the_serial_one(
        prelude in prelude(),
        big in proptest::collection::vec(chain(), 1..3),
        grain in 1..24usize,
    ) {
        let mut statements = prelude;
        statements.extend(big);
        statements.push("_ + 1".to_string());
        same_session(&statements, grain)?;
    }

    /// `Engine::submit` and `Engine::map` of split chains: the serial
    /// front end's values and errors.
    #[test]
    fn split_submits_match_serial_ones(texts in proptest::collection::vec(chain(), 1..4), grain in 1..24usize) {
        let (split, serial) = (engine().with_split(Some(grain)), engine().with_split(None));
        for text in &texts {
            let a = split.submit(text).and_then(|f| f.wait());
            let b = serial.submit(text).and_then(|f| f.wait());
            prop_assert_eq!(format!("{a:?}"), format!("{b:?}"));
        }
        prop_assert_eq!(format!("{:?}", split.map(&texts)), format!("{:?}", serial.map(&texts)));
    }
}

/// The property's inputs do split (so it cannot pass by declining them),
/// and each entry point counts the statements it split.
#[test]
fn every_entry_point_takes_the_split_path() {
    let engine = engine().with_split(Some(4));
    let text = "(1 + 2) * 3 + x * 5 + (6 + (7 + 8))";
    assert!(plan(text, 0, 4).is_some());
    let before = splits_on_this_thread();
    assert_eq!(
        engine.submit("1 + 2 + 3 + 4 + 5").unwrap().wait().unwrap(),
        Value::from(15)
    );
    assert_eq!(splits_on_this_thread(), before + 1);
    assert!(engine.map(["1 * 2 * 3 * 4", "5 * 6 * 7 * 8"])[0].is_ok());
    assert_eq!(splits_on_this_thread(), before + 3);
    let mut session = engine.session();
    session.eval("x = 4").unwrap();
    assert_eq!(session.eval(text).unwrap(), Some(Value::from(50)));
    assert_eq!(splits_on_this_thread(), before + 4);
    // Assignments and definitions are parsed whole.
    session.eval("y = 1 + 2 + 3 + 4").unwrap();
    session.eval("g(a) = a + 1 + 2 + 3").unwrap();
    assert_eq!(splits_on_this_thread(), before + 4);
    // One submit or session statement is one statement: nothing to parse
    // beside it.
    assert_eq!(engine.submit("1\n2").unwrap_err().kind, ErrorKind::Syntax);
    assert_eq!(session.eval("1\n2").unwrap_err().kind, ErrorKind::Syntax);
    // The serial front end never splits.
    let serial = engine.with_split(None);
    serial.eval("1 + 2 + 3 + 4 + 5").unwrap();
    serial.session().eval(text).unwrap_err();
    assert_eq!(splits_on_this_thread(), before + 4);
}

/// A flat sum of `n` ones past [`SPLIT_MIN`]: `1+1+…`.
fn big_sum(terms: usize) -> String {
    let mut text = "1".to_string();
    for _ in 1..terms {
        text.push_str("+1");
    }
    text
}

/// With the default engine (big statements split), `text` gives the
/// serial front end's outcome through `submit` and a session, and it
/// split (when `splits`) or did not.
fn same_big(text: &str, splits: bool) -> Result<Value, Error> {
    assert!(text.len() >= SPLIT_MIN, "{} bytes", text.len());
    let (split, serial) = (engine(), engine().with_split(None));
    let before = splits_on_this_thread();
    let a = split.submit(text).and_then(|f| f.wait());
    let b = serial.submit(text).and_then(|f| f.wait());
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    let statements = ["x = 2".to_string(), text.to_string(), "_".to_string()];
    let (outcomes, session) = run_session(split, &statements);
    let (serial_outcomes, serial_session) = run_session(&serial, &statements);
    assert_eq!(outcomes, serial_outcomes);
    assert_eq!(first_difference(session.dag(), serial_session.dag()), None);
    let taken = splits_on_this_thread() - before;
    assert_eq!(taken, if splits { 2 } else { 0 }, "splits taken");
    a
}

/// Where `text`'s chunks start (the plan `Engine::submit` makes).
fn boundaries(text: &str) -> Vec<usize> {
    let grain = (text.len() / 64).max(16 << 10);
    let plan = plan(text, 0, grain).expect("a plan");
    plan.chunks().skip(1).map(|r| r.start).collect()
}

/// `text` with the byte at `at` replaced by `with` (same length, so the
/// plan's boundaries stay where they were).
fn replaced(text: &str, at: usize, with: &str) -> String {
    format!("{}{with}{}", &text[..at], &text[at + with.len()..])
}

#[test]
fn a_big_sum_splits_at_every_entry_point() {
    bounded(120, || {
        let text = big_sum(SPLIT_MIN / 2 + 1);
        let value = same_big(&text, true).unwrap();
        assert_eq!(value, Value::from((SPLIT_MIN / 2 + 1) as i64));
        let mut session = engine().session();
        session.eval("x = 1").unwrap();
        let with_x = text.replacen("1+1", "x+1", 1);
        assert_eq!(session.eval(&with_x).unwrap(), Some(value));
    });
}

#[test]
fn errors_inside_chunks_and_at_their_boundaries_are_the_serial_ones() {
    bounded(300, || {
        let text = big_sum(SPLIT_MIN / 2 + 1);
        let cuts = boundaries(&text);
        assert!(cuts.len() > 8, "{} chunks", cuts.len() + 1);
        let middle = cuts[cuts.len() / 2];
        // `at` points at a term's `1` (the chunk starts with a term).
        let end = text.len();
        // (where, what, the error's kind, about where it is reported)
        for (at, with, kind, place) in [
            (middle, ")", ErrorKind::Syntax, middle),
            (middle, "(", ErrorKind::Syntax, end),
            (middle - 1, "(", ErrorKind::Syntax, middle - 1),
            (middle - 1, ")", ErrorKind::Syntax, middle - 1),
            (middle - 2, ")", ErrorKind::Syntax, middle - 2),
            (middle + 4, "*", ErrorKind::Syntax, middle + 4),
            (middle + 1000, "\0", ErrorKind::Syntax, middle + 1000),
            (middle, "q", ErrorKind::UnknownVariable, middle),
            (
                middle + 1000,
                "z",
                ErrorKind::UnknownVariable,
                middle + 1000,
            ),
            (cuts[0] - 2, "z", ErrorKind::UnknownVariable, cuts[0] - 2),
            (end - 1, "w", ErrorKind::UnknownVariable, end - 1),
        ] {
            let hostile = replaced(&text, at, with);
            let splits = kind == ErrorKind::UnknownVariable;
            let error = same_big(&hostile, splits).unwrap_err();
            assert_eq!(error.kind, kind, "{with:?} at {at}: {error}");
            let near = place.saturating_sub(2)..=place + 2;
            assert!(
                near.contains(&error.span.start),
                "{with:?} at {at}: {error:?}"
            );
        }
    });
}

#[test]
fn hostile_big_terms_give_the_serial_outcome() {
    bounded(300, || {
        let base = big_sum(SPLIT_MIN / 2 + 1);
        let middle = boundaries(&base)[8];
        let huge_number = format!("{}+{}", &base[..middle], "9".repeat(200_000));
        let too_big = format!("{base}+2^100000000000+1e99999999999");
        let call_across = format!("{}+max(1, {})", &base[..middle - 1], &base[middle..]);
        let host_across = format!("h({base})+{base}");
        let unknown_call = format!("{base}+nosuch({base})");
        let bad_arity = format!("{base}+h(1, 2)");
        let under_minus = format!("{base}-1");
        let in_assignment = format!("y = {base}");
        for (text, splits) in [
            (&huge_number, true),
            (&too_big, true),
            (&call_across, true),
            (&host_across, true),
            (&unknown_call, true),
            (&bad_arity, true),
            (&under_minus, false),
        ] {
            let _ = same_big(text, splits);
        }
        // An assignment is parsed whole, with the same names.
        let mut session = engine().session();
        assert!(session.eval(&in_assignment).unwrap().is_some());
        assert!(session.variables().iter().any(|(name, _)| name == "y"));
    });
}

#[test]
fn deep_nesting_takes_the_serial_path_without_overflow() {
    bounded(300, || {
        let sum = big_sum(SPLIT_MIN / 2 + 1);
        // Past the planner's 256 levels but within the nesting limit.
        let deep = format!("{}{sum}{}", "(".repeat(300), ")".repeat(300));
        let value = same_big(&deep, false).unwrap();
        assert_eq!(value, Value::from((SPLIT_MIN / 2 + 1) as i64));
        // Within 256 levels it still splits.
        let shallow = format!("{}{sum}{}", "(".repeat(200), ")".repeat(200));
        same_big(&shallow, true).unwrap();
        // Far past the nesting limit: an error at the first too-deep
        // parenthesis, not a stack overflow.
        let deeper = format!("1+{}{sum}{}", "(".repeat(100_000), ")".repeat(100_000));
        let error = same_big(&deeper, false).unwrap_err();
        assert_eq!(error.kind, ErrorKind::NestingTooDeep, "{error}");
        // Unbalanced at the end, deep inside a chunk, and nested chains of
        // the other operator each ending in an error.
        let open = format!("{sum}+{}1", "(".repeat(200));
        assert_eq!(same_big(&open, false).unwrap_err().kind, ErrorKind::Syntax);
        let nested = format!("({sum})*({sum})*(2+zz)");
        let error = same_big(&nested, true).unwrap_err();
        assert_eq!(error.kind, ErrorKind::UnknownVariable);
    });
}

// ---------------------------------------------------------------------------
// No deadlock, wherever the submit comes from
// ---------------------------------------------------------------------------

/// A big sum, built once.
fn big() -> &'static str {
    static BIG: OnceLock<String> = OnceLock::new();
    BIG.get_or_init(|| big_sum(SPLIT_MIN / 2 + 1))
}

/// The value of [`big`].
fn big_value() -> Value {
    Value::from((SPLIT_MIN / 2 + 1) as i64)
}

#[test]
fn a_host_function_can_submit_a_big_statement() {
    bounded(120, || {
        static INNER: OnceLock<Engine> = OnceLock::new();
        for workers in [1, 2] {
            let outer = Engine::builder()
                .workers(workers)
                .function("submit_big", 1, |_: &[Value]| {
                    let engine = INNER.get().ok_or("no engine")?;
                    // On a worker the chunks parse one by one on it.
                    let before = splits_on_this_thread();
                    let value = engine.eval(big()).map_err(|e| e.to_string())?;
                    assert_eq!(splits_on_this_thread(), before + 1);
                    Ok(value)
                })
                .build()
                .unwrap();
            let _ = INNER.set(Engine::with_workers(2).unwrap());
            assert_eq!(outer.eval("submit_big(1)").unwrap(), big_value());
            // A session of the same engine, used from its own worker.
            let session = Arc::new(std::sync::Mutex::new(outer.session()));
            let future = outer.submit("1").unwrap();
            let (tx, rx) = std::sync::mpsc::channel();
            let inside = Arc::clone(&session);
            let engine = outer.clone();
            future.on_complete(move |_| {
                let before = splits_on_this_thread();
                let submitted = inside
                    .lock()
                    .is_ok_and(|mut s| s.submit(&engine, big()).is_ok());
                let _ = tx.send((submitted, splits_on_this_thread() - before));
            });
            assert_eq!(rx.recv().unwrap(), (true, 1));
            let value = session.lock().unwrap().eval("_").unwrap();
            assert_eq!(value, Some(big_value()));
        }
    });
}

#[test]
fn async_tasks_can_submit_big_statements() {
    bounded(120, || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let values = runtime.block_on(async {
            let tasks: Vec<_> = (0..4)
                .map(|_| tokio::spawn(async { engine().submit(big()).unwrap().await }))
                .collect();
            let mut values = Vec::new();
            for task in tasks {
                values.push(task.await.unwrap().unwrap());
            }
            values
        });
        assert_eq!(values, vec![big_value(); 4]);
        // On a current-thread runtime, and polled by `futures`' executor.
        let local = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let value = local.block_on(async { engine().submit(big()).unwrap().await });
        assert_eq!(value.unwrap(), big_value());
        let value = futures::executor::block_on(async {
            let mut session = engine().session();
            session.submit(engine(), big()).unwrap().unwrap().await
        });
        assert_eq!(value.unwrap(), big_value());
    });
}

#[test]
fn an_async_host_function_can_submit_a_big_statement() {
    bounded(120, || {
        let outer = Engine::builder()
            .workers(1)
            .async_function("later", 1, |_: Vec<Value>| async {
                let future = engine().submit(big()).map_err(|e| e.to_string())?;
                future.await.map_err(|e| e.to_string())
            })
            .build()
            .unwrap();
        let expected = engine().eval(format!("{}+1", big())).unwrap();
        assert_eq!(outer.eval("later(1) + 1").unwrap(), expected);
    });
}

#[test]
fn a_busy_global_pool_does_not_block_a_submit() {
    bounded(120, || {
        // Every worker of rayon's global pool waits until the submit below
        // is done: its chunks must still get parsed.
        let threads = rayon::current_num_threads();
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(std::sync::Mutex::new(wait));
        let (started, all_started) = std::sync::mpsc::channel();
        for _ in 0..threads {
            let wait = Arc::clone(&wait);
            let started = started.clone();
            rayon::spawn(move || {
                let _ = started.send(());
                let _ = wait.lock().map(|w| w.recv());
            });
        }
        for _ in 0..threads {
            all_started.recv().unwrap();
        }
        let before = splits_on_this_thread();
        let value = engine().eval(big());
        for _ in 0..threads {
            let _ = release.send(());
        }
        assert_eq!(value.unwrap(), big_value());
        assert_eq!(splits_on_this_thread(), before + 1);
    });
}

/// The split fuzz target's check (`fuzz/fuzz_targets/split.rs`) on its
/// seeds, so that it runs in every test run and cannot rot.
#[test]
fn the_split_fuzz_seeds_pass() {
    bounded(120, || {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds_split");
        let mut seeds = 0;
        for entry in std::fs::read_dir(dir).expect("fuzz/seeds_split") {
            let path = entry.expect("a seed").path();
            split_check::check(&std::fs::read(&path).expect("read a seed"));
            seeds += 1;
        }
        assert!(seeds >= 5, "{seeds} seeds");
    });
}

/// `Engine::map` parses many texts in parallel (blocks of them, as a
/// batch's lines), with the serial outcomes; texts with newlines,
/// errors and a big one among them.
#[test]
fn map_parses_many_texts_in_parallel() {
    bounded(120, || {
        let mut texts: Vec<String> = (0..5000)
            .map(|i| match i % 5 {
                0 => format!("{i} * (1 + 2)"),
                1 => format!("max({i},\n 3) # a comment"),
                2 => "1 +".to_string(),
                3 => format!("x + {i}"),
                _ => format!("({i} + 1) * (1 + 2)"),
            })
            .collect();
        texts.push(big().to_string());
        texts.push(format!("{}+zz", big()));
        let before = exprflow::testing::parallel_blocks_on_this_thread();
        let splits = splits_on_this_thread();
        let parallel = engine().map(&texts);
        assert_eq!(
            exprflow::testing::parallel_blocks_on_this_thread(),
            before + 2
        );
        assert_eq!(splits_on_this_thread(), splits + 2);
        let serial = engine().with_split(None).map(&texts);
        assert_eq!(format!("{parallel:?}"), format!("{serial:?}"));
        assert_eq!(parallel[0].as_ref().unwrap(), &Value::from(0));
        assert_eq!(parallel[5000].as_ref().unwrap(), &big_value());
        let error = parallel[5001].as_ref().unwrap_err();
        assert_eq!(error.kind, ErrorKind::UnknownVariable);
    });
}
