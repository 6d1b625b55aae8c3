//! Properties of the whole pipeline over generated expressions (proptest):
//!
//! - the parallel engine (1 to 8 workers, fusion on and off) gives exactly
//!   the sequential reference's outcome: the same value, or the same error
//!   (kind, span and message), for single expressions and for batches with
//!   variables;
//! - `parse(print(e))` has the same shape as `e`, and printing is idempotent;
//! - the DAG has one node per distinct subexpression, and building the same
//!   expression again adds no node;
//! - rebalancing exact `+`/`*` chains never changes an outcome;
//! - exact arithmetic laws;
//! - arbitrary text and bytes never panic, and both evaluators agree on them.
//!
//! Sized to run in a few seconds in release mode (`cargo test --release`).

#[path = "support/engines.rs"]
mod support_engines;

use exprflow::testing::{EngineInternals, SessionInternals};
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use exprflow::DagLimits;
use exprflow::testing::dag::{Dag, Scope};
use exprflow::testing::eval::{CancelToken, evaluate_sequential};
use exprflow::testing::syntax::{Ast, ExprId, ExprKind, parse_expr, print};
use exprflow::testing::value::{BinOp, Builtin, UnOp, constant, parse_literal};
use exprflow::testing::{Batch, BatchOptions};
use exprflow::{Engine, Error, ErrorKind};
use exprflow::{EvalLimits, SubmitOptions};
use exprflow::{Value, ValueLimits as Limits};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// A bit limit small enough that no generated operation is slow.
const BITS: u64 = 1 << 14;

fn limits() -> EvalLimits {
    EvalLimits {
        value: Limits { max_bits: BITS },
        max_wait: Duration::from_millis(5),
    }
}

fn dag_limits() -> DagLimits {
    DagLimits {
        value: limits().value,
        max_nodes: 200_000,
        ..DagLimits::default()
    }
}

/// Engines for 1..=8 workers, each with fusion off (`fuse_ns(0)`) and on.
fn engine(workers: usize, fuse: bool) -> &'static Engine {
    static ENGINES: OnceLock<Vec<Engine>> = OnceLock::new();
    let engines = ENGINES.get_or_init(|| support_engines::by_workers_and_fusion(8, limits()));
    &engines[(workers.clamp(1, 8) - 1) * 2 + usize::from(fuse)]
}

type Outcome = Result<Value, Error>;

/// Parses and builds one expression into a fresh DAG.
fn build(text: &str, dag_limits: DagLimits) -> Result<(Dag, exprflow::NodeId), Error> {
    let (ast, root) = parse_expr(text)?;
    let mut dag = Dag::with_limits(dag_limits);
    let node = dag.add_expr(&ast, root, &Scope::new())?;
    Ok((dag, node))
}

fn sequential(text: &str) -> Outcome {
    let (dag, root) = build(text, dag_limits())?;
    evaluate_sequential(&dag, root, &limits(), &CancelToken::new(), &mut |_| {})
}

fn parallel(text: &str, workers: usize, fuse: bool) -> Outcome {
    let (dag, root) = build(text, dag_limits())?;
    let future = engine(workers, fuse).submit_node(&Arc::new(dag), root);
    let outcome = future.wait_timeout(Duration::from_secs(60));
    if let Err(e) = &outcome {
        assert_ne!(
            e.kind,
            ErrorKind::TimedOut,
            "{text:?}: the parallel run hung"
        );
    }
    outcome
}

/// Asserts two outcomes are the same value (same kind of number, same digits)
/// or the same error (kind, span, message).
fn same(expected: &Outcome, got: &Outcome, what: &str) -> Result<(), TestCaseError> {
    match (expected, got) {
        (Ok(a), Ok(b)) => {
            prop_assert_eq!(a, b, "{}", what);
            prop_assert_eq!(a.to_string(), b.to_string(), "{}", what);
        }
        (Err(a), Err(b)) => {
            prop_assert_eq!(a, b, "{}", what);
            prop_assert_ne!(a.kind, ErrorKind::Internal, "{}: {}", what, a);
        }
        _ => prop_assert!(false, "{what}: {expected:?} vs {got:?}"),
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

/// Number literals: small and huge integers, decimals, exponents, underscores.
fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u32..20).prop_map(|n| n.to_string()),
        2 => (0u32..100_000).prop_map(|n| n.to_string()),
        1 => "[1-9][0-9]{18,25}",
        1 => "[1-9][0-9]{60,90}",
        1 => (0u32..1000, 1u32..1000).prop_map(|(a, b)| format!("{a}.{b}")),
        1 => (1u32..100).prop_map(|b| format!(".{b}")),
        1 => (1u32..100, -12i32..12).prop_map(|(m, e)| format!("{m}e{e}")),
        1 => (1u32..100, 0u32..100, 0i32..5).prop_map(|(a, b, e)| format!("{a}.{b}E-{e}")),
        1 => (1u32..1000, 0u32..1000).prop_map(|(a, b)| format!("{a}_{b:03}")),
    ]
}

/// Leaves: literals, constants, a rational, and (rarely) names that fail.
fn leaf(vars: usize) -> BoxedStrategy<String> {
    let mut options: Vec<(u32, BoxedStrategy<String>)> = vec![
        (12, literal().boxed()),
        (
            2,
            prop_oneof![Just("pi"), Just("e"), Just("tau")]
                .prop_map(String::from)
                .boxed(),
        ),
        (
            2,
            (1u32..50, 1u32..50)
                .prop_map(|(p, q)| format!("({p}/{q})"))
                .boxed(),
        ),
        // Big values (4,096 bits or more), which evaluations hold only
        // until their last use instead of keeping them in the DAG.
        (
            1,
            (4096u32..4200, 0u32..3)
                .prop_map(|(n, k)| format!("(2^{n}+{k})"))
                .boxed(),
        ),
        (
            1,
            prop_oneof![
                Just("nosuch"),
                Just("nofn(1)"),
                Just("gcd(1)"),
                Just("min()"),
                Just("sqrt(1, 2)"),
                Just("1e99999999"),
            ]
            .prop_map(String::from)
            .boxed(),
        ),
    ];
    if vars > 0 {
        options.push((4, (0..vars).prop_map(|i| format!("v{i}")).boxed()));
    }
    proptest::strategy::Union::new_weighted(options).boxed()
}

const BINARY: &[&str] = &["+", "-", "*", "/", "//", "%", "^", "**"];
const UNARY_FNS: &[&str] = &[
    "abs", "fact", "fib", "isqrt", "sqrt", "floor", "ceil", "round", "num", "den", "float",
    "exact", "ln", "exp", "log2", "log10", "sin", "cos", "tan",
];
const BINARY_FNS: &[&str] = &["gcd", "lcm", "binom"];

/// Wraps `s` in parentheses, or not: both are valid, with different trees.
fn maybe_paren(s: &str, paren: bool) -> String {
    if paren {
        format!("({s})")
    } else {
        s.to_string()
    }
}

/// Expressions over every operator and function of the spec (short `delay`
/// and `busy` only), with shared subexpressions and errors. `vars` names
/// `v0..v{vars-1}` may appear as leaves.
fn expr(vars: usize) -> BoxedStrategy<String> {
    leaf(vars)
        .prop_recursive(5, 40, 3, |inner| {
            let binop = (
                inner.clone(),
                proptest::sample::select(BINARY),
                inner.clone(),
                any::<bool>(),
            )
                .prop_map(|(a, op, b, p)| {
                    format!("{} {op} {}", maybe_paren(&a, p), maybe_paren(&b, true))
                });
            let loose = (
                inner.clone(),
                proptest::sample::select(BINARY),
                inner.clone(),
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}"));
            let small_pow = (inner.clone(), -4i32..9).prop_map(|(a, k)| format!("({a})^{k}"));
            let unary = (inner.clone(), 0..4).prop_map(|(a, k)| match k {
                0 => format!("-{a}"),
                1 => format!("-({a})"),
                2 => format!("+({a})"),
                _ => format!("({a})!"),
            });
            let small_fact = (0u32..30, 0usize..3)
                .prop_map(|(n, bangs)| format!("{n}{}", "!".repeat(bangs + 1)));
            let f1 = (proptest::sample::select(UNARY_FNS), inner.clone())
                .prop_map(|(f, a)| format!("{f}({a})"));
            let f2 = (
                proptest::sample::select(BINARY_FNS),
                inner.clone(),
                inner.clone(),
            )
                .prop_map(|(f, a, b)| format!("{f}({a}, {b})"));
            let small_f2 = (proptest::sample::select(BINARY_FNS), 0u32..200, 0u32..120)
                .prop_map(|(f, a, b)| format!("{f}({a}, {b})"));
            let minmax = (
                prop_oneof![Just("min"), Just("max")],
                proptest::collection::vec(inner.clone(), 1..5),
            )
                .prop_map(|(f, args)| format!("{f}({})", args.join(", ")));
            let wait = (
                prop_oneof![Just("delay"), Just("busy")],
                inner.clone(),
                0u32..3,
            )
                .prop_map(|(f, a, ms)| {
                    let ms = if f == "busy" { ms.min(1) } else { ms };
                    format!("{f}({a}, {ms})")
                });
            let bad_wait = (
                inner.clone(),
                prop_oneof![Just("-1"), Just("1e300"), Just("1/0")],
            )
                .prop_map(|(a, ms)| format!("delay({a}, {ms})"));
            // Shared subexpressions: the same text twice.
            let shared = (inner.clone(), proptest::sample::select(BINARY))
                .prop_map(|(a, op)| format!("({a}) {op} ({a})"));
            let shared_call = (
                prop_oneof![Just("gcd"), Just("min"), Just("binom")],
                inner.clone(),
            )
                .prop_map(|(f, a)| format!("{f}({a}, {a})"));
            let chain = (
                proptest::collection::vec(inner.clone(), 3..7),
                prop_oneof![Just(" + "), Just(" * ")],
            )
                .prop_map(|(terms, op)| terms.join(op));
            prop_oneof![
                6 => binop,
                2 => loose,
                2 => small_pow,
                2 => unary,
                1 => small_fact,
                3 => f1,
                1 => f2,
                1 => small_f2,
                1 => minmax,
                1 => wait,
                1 => bad_wait,
                2 => shared,
                1 => shared_call,
                1 => chain,
            ]
        })
        .boxed()
}

/// Batches: statements `vK = expr` (using earlier variables, possibly
/// redefined) and bare expressions, with an occasional broken line.
fn batch() -> impl Strategy<Value = Vec<String>> {
    (1usize..7).prop_flat_map(|n| {
        let lines: Vec<BoxedStrategy<String>> = (0..n)
            .map(|i| {
                let vars = i.min(4);
                prop_oneof![
                    6 => (expr(vars), 0..=vars).prop_map(|(e, v)| format!("v{v} = {e}")),
                    3 => expr(vars),
                    1 => prop_oneof![Just("v0 = 1 +"), Just("(((")]
                        .prop_map(String::from),
                    1 => Just(String::new()),
                ]
                .boxed()
            })
            .collect();
        lines
    })
}

/// Exact values as text: integers small and big, rationals, decimals.
fn exact_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (-1000i64..1000).prop_map(|n| format!("({n})")),
        any::<i64>().prop_map(|n| format!("({n})")),
        "-?[1-9][0-9]{19,70}".prop_map(|s| format!("({s})")),
        (-500i64..500, 1i64..500).prop_map(|(p, q)| format!("({p}/{q})")),
        ("-?[1-9][0-9]{19,40}", "[1-9][0-9]{10,40}").prop_map(|(p, q)| format!("({p}/{q})")),
        (0u32..1000, 1u32..1000, any::<bool>())
            .prop_map(|(a, b, neg)| format!("({}{a}.{b})", if neg { "-" } else { "" })),
        (1u32..1000, -20i32..20).prop_map(|(m, e)| format!("({m}e{e})")),
    ]
}

/// Text made of the language's tokens in random order: mostly nonsense, but
/// much of it parses, so evaluation is reached far more often than with
/// arbitrary characters.
fn token_soup() -> impl Strategy<Value = String> {
    const TOKENS: &[&str] = &[
        "1",
        "2",
        "0",
        "9",
        "10",
        "99",
        "1e9",
        "1e-9",
        ".5",
        "2.5",
        "1_0",
        "123456789012345678901",
        "+",
        "-",
        "*",
        "/",
        "//",
        "%",
        "^",
        "**",
        "!",
        "(",
        ")",
        ",",
        " ",
        "=",
        "#",
        "\n",
        "x",
        "y",
        "pi",
        "e",
        "tau",
        "fact(",
        "fib(",
        "binom(",
        "gcd(",
        "lcm(",
        "min(",
        "max(",
        "abs(",
        "sqrt(",
        "isqrt(",
        "exact(",
        "float(",
        "floor(",
        "ceil(",
        "round(",
        "num(",
        "den(",
        "ln(",
        "exp(",
        "log2(",
        "log10(",
        "sin(",
        "cos(",
        "tan(",
        "delay(",
        "busy(",
        "x =",
        "nofn(",
    ];
    proptest::collection::vec(proptest::sample::select(TOKENS), 0..40).prop_map(|t| t.concat())
}

// ---------------------------------------------------------------------------
// Sequential = parallel
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(Config { cases: 1024, ..Config::default() })]

    /// The parallel outcome equals the sequential one for 1..=8 workers,
    /// with fusion on and off.
    #[test]
    fn parallel_equals_sequential(
        text in expr(0),
        w1 in 1usize..=8,
        w2 in 1usize..=8,
        fuse in any::<bool>(),
    ) {
        let expected = sequential(&text);
        same(&expected, &parallel(&text, w1, fuse), &format!("{text:?}, {w1} workers, fuse {fuse}"))?;
        same(&expected, &parallel(&text, w2, !fuse), &format!("{text:?}, {w2} workers, fuse {}", !fuse))?;
        // The sequential evaluator is deterministic too.
        same(&expected, &sequential(&text), &format!("{text:?}, sequential again"))?;
    }
}

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    /// The same for batches: one DAG for all lines, variables, redefinitions,
    /// broken lines, lines reached from failed definitions. The reference
    /// is parsed by the serial front end and evaluated sequentially; the
    /// other side is parsed by the split front end (every line cut into
    /// chunks of `grain` bytes) and run on the pool.
    #[test]
    fn batches_parallel_equal_sequential(
        lines in batch(),
        workers in 1usize..=8,
        fuse in any::<bool>(),
        grain in 1usize..=24,
    ) {
        let text = lines.join("\n");
        let options = BatchOptions { dag: dag_limits(), ..BatchOptions::default() };
        let seq = Batch::parse_serial(text.as_bytes(), options);
        let par = Batch::parse_split(text.as_bytes(), options, grain);
        prop_assert_eq!(seq.dag.len(), par.dag.len());
        prop_assert_eq!(seq.lines.len(), par.lines.len());
        let futures = engine(workers, fuse).submit_all(&par.dag, &par.roots(), SubmitOptions::default());
        let mut futures = futures.into_iter();
        for (s, p) in seq.lines.iter().zip(&par.lines) {
            let what = format!("{text:?} line {}, {workers} workers, fuse {fuse}", s.line);
            let (expected, got) = match (&s.node, &p.node) {
                (Ok(root), Ok(_)) => (
                    evaluate_sequential(&seq.dag, *root, &limits(), &CancelToken::new(), &mut |_| {}),
                    futures.next().expect("a future per root").wait_timeout(Duration::from_secs(60)),
                ),
                (a, b) => {
                    prop_assert_eq!(a, b, "{}", what);
                    continue;
                }
            };
            same(&expected, &got, &what)?;
        }
    }
}

// ---------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(Config { cases: 512, ..Config::default() })]

    /// `parse(print(e))` is `e`, and printing what was printed changes nothing.
    #[test]
    fn print_round_trips(text in prop_oneof![3 => expr(3), 1 => token_soup()]) {
        let Ok((ast, root)) = parse_expr(&text) else { return Ok(()) };
        let printed = print(&ast, root);
        let (again, again_root) = parse_expr(&printed)
            .map_err(|e| TestCaseError::fail(format!("{text:?} printed as {printed:?}: {e}")))?;
        prop_assert!(
            ast.same_shape(root, &again, again_root),
            "{:?} printed as {:?}, which parses differently", text, printed
        );
        prop_assert_eq!(print(&again, again_root), printed);
    }
}

// ---------------------------------------------------------------------------
// Hash-consing
// ---------------------------------------------------------------------------

/// The canonical form of a subexpression as the DAG identifies it: constants
/// by kind and value (`2`, `2.0` and `20e-1` are one node), `+x` as `x`,
/// everything else by operation and canonical inputs. `None` when the
/// subexpression fails while building (unknown name, wrong arity, bad
/// literal): such nodes are deliberately not shared.
fn canonical(ast: &Ast, id: ExprId, memo: &mut Vec<Option<Option<String>>>) -> Option<String> {
    if let Some(known) = &memo[id.0 as usize] {
        return known.clone();
    }
    let lim = limits().value;
    let children: Vec<Option<String>> = ast
        .children(id)
        .iter()
        .map(|&c| canonical(ast, c, memo))
        .collect();
    let children: Option<Vec<String>> = children.into_iter().collect();
    let form = children.and_then(|children| match &ast.get(id).kind {
        ExprKind::Number(text) => parse_literal(text, &lim)
            .ok()
            .map(|v| format!("#{}:{v}", v.kind_name())),
        ExprKind::Var(name) => constant(name).map(|v| format!("#{}:{v}", v.kind_name())),
        ExprKind::Call { name, args, .. } => Builtin::from_name(name)
            .filter(|f| f.arity().accepts(args.len()))
            .map(|f| format!("({} {})", f.name(), children.join(" "))),
        ExprKind::Unary(UnOp::Plus, _) => Some(children[0].clone()),
        ExprKind::Unary(op, _) => Some(format!("({op:?} {})", children[0])),
        ExprKind::Binary(op, ..) => Some(format!("({op:?} {} {})", children[0], children[1])),
    });
    memo[id.0 as usize] = Some(form.clone());
    form
}

/// Whether some `+` (or `*`) has a `+` (or `*`) operand: a chain of more
/// than two terms, which the builder may rebalance.
fn has_long_chain(ast: &Ast, root: ExprId) -> bool {
    let mut work = vec![root];
    while let Some(id) = work.pop() {
        if let ExprKind::Binary(op @ (BinOp::Add | BinOp::Mul), l, r) = &ast.get(id).kind {
            for c in [l, r] {
                if matches!(&ast.get(*c).kind, ExprKind::Binary(o, ..) if o == op) {
                    return true;
                }
            }
        }
        work.extend(ast.children(id).iter().copied());
    }
    false
}

proptest! {
    #![proptest_config(Config { cases: 512, ..Config::default() })]

    /// One node per distinct subexpression (for expressions whose `+`/`*`
    /// chains have at most two terms, so that no rebalancing happens), and
    /// building the same expression again, in the same DAG, adds nothing.
    #[test]
    fn one_node_per_distinct_subexpression(text in expr(0)) {
        let (ast, root) = parse_expr(&text).map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        let mut memo = vec![None; ast.len()];
        let root_form = canonical(&ast, root, &mut memo);
        let mut dag = Dag::with_limits(dag_limits());
        let node = dag.add_expr(&ast, root, &Scope::new()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let Some(_) = root_form else {
            // Build errors make unshared failure nodes: only check that
            // the expression still builds.
            return Ok(());
        };
        let size = dag.len();
        // Building again (same AST, then a re-parse) adds no node.
        prop_assert_eq!(dag.add_expr(&ast, root, &Scope::new()).ok(), Some(node));
        let (again, again_root) = parse_expr(&text).unwrap();
        prop_assert_eq!(dag.add_expr(&again, again_root, &Scope::new()).ok(), Some(node));
        prop_assert_eq!(dag.len(), size, "{:?}: building again added nodes", text);
        if !has_long_chain(&ast, root) {
            let distinct: HashSet<&String> = memo.iter().flatten().flatten().collect();
            prop_assert_eq!(size, distinct.len(), "{:?}: {:?}", text, distinct);
        }
    }

    /// Rebalancing exact chains changes the DAG's shape, never an outcome,
    /// as long as no partial sum or product gets near the bit limit.
    #[test]
    fn rebalancing_never_changes_an_outcome(
        terms in proptest::collection::vec(
            prop_oneof![
                4 => exact_text(),
                1 => Just("(1/0)".to_string()),
                1 => Just("(2/3 // 0)".to_string()),
                1 => (1u32..20).prop_map(|n| format!("fact({n})")),
            ],
            3..40,
        ),
        op in prop_oneof![Just(" + "), Just(" * ")],
    ) {
        let text = terms.join(op);
        let balanced = DagLimits { rebalance: true, value: Limits::default(), ..dag_limits() };
        let written = DagLimits { rebalance: false, ..balanced };
        let eval = |dl: DagLimits| {
            let (dag, root) = build(&text, dl)?;
            evaluate_sequential(&dag, root, &EvalLimits::default(), &CancelToken::new(), &mut |_| {})
        };
        let (a, b) = (eval(balanced), eval(written));
        match (&a, &b) {
            (Ok(x), Ok(y)) => prop_assert_eq!(x, y, "{}", text),
            (Err(x), Err(y)) => {
                prop_assert_eq!(x.kind, y.kind, "{}", text);
                prop_assert_eq!(x.span, y.span, "{}: the leftmost failing term is reported", text);
            }
            _ => prop_assert!(false, "{text}: {a:?} vs {b:?}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Exact arithmetic laws
// ---------------------------------------------------------------------------

fn value(text: &str) -> Result<Value, TestCaseError> {
    exprflow::eval(text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))
}

fn is_zero(text: &str) -> bool {
    exprflow::eval(text).is_ok_and(|v| v == Value::from_i64(0))
}

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    #[test]
    fn addition_and_multiplication_commute(a in exact_text(), b in exact_text()) {
        prop_assert_eq!(value(&format!("{a} + {b}"))?, value(&format!("{b} + {a}"))?);
        prop_assert_eq!(value(&format!("{a} * {b}"))?, value(&format!("{b} * {a}"))?);
        prop_assert_eq!(value(&format!("{a} - {b}"))?, value(&format!("-({b} - {a})"))?);
    }

    #[test]
    fn multiplication_then_division_is_identity(a in exact_text(), b in exact_text()) {
        prop_assume!(!is_zero(&b));
        prop_assert_eq!(value(&format!("({a} * {b}) / {b}"))?, value(&a)?);
        prop_assert_eq!(value(&format!("({a} / {b}) * {b}"))?, value(&a)?);
    }

    #[test]
    fn floor_division_and_remainder(a in exact_text(), b in exact_text()) {
        prop_assume!(!is_zero(&b));
        prop_assert_eq!(value(&format!("({a} // {b}) * {b} + {a} % {b}"))?, value(&a)?);
        // `//` gives an integer, `%` has the sign of b and is smaller than |b|
        let q = value(&format!("{a} // {b}"))?;
        prop_assert!(matches!(q, Value::Int(_)), "{} // {} = {:?}", a, b, q);
        // |a % b| < |b| (the language has no comparisons: use max)
        let r = value(&format!("{a} % {b}"))?;
        prop_assert_ne!(value(&format!("abs({a} % {b}) - abs({b})"))?, Value::from_i64(0));
        let bounded = value(&format!("max(abs({a} % {b}), abs({b})) - abs({b})"))?;
        prop_assert_eq!(bounded, Value::from_i64(0));
        let sign_ok = value(&format!("({a} % {b}) * {b}"))?;
        prop_assert!(
            exprflow::testing::value::exact_cmp(&sign_ok, &Value::from_i64(0)) != std::cmp::Ordering::Less,
            "{} % {} = {} has the wrong sign", a, b, r
        );
    }

    #[test]
    fn powers_add_exponents(a in exact_text(), n in -6i32..8, m in -6i32..8) {
        prop_assume!(!is_zero(&a) || (n >= 0 && m >= 0));
        let lhs = exprflow::eval(&format!("{a}^({n}) * {a}^({m})"));
        let rhs = exprflow::eval(&format!("{a}^({})", n + m));
        match (lhs, rhs) {
            (Ok(x), Ok(y)) => prop_assert_eq!(x, y),
            (Err(x), Err(y)) => prop_assert_eq!(x.kind, y.kind),
            (x, y) => prop_assert!(false, "{a}: {x:?} vs {y:?}"),
        }
    }

    #[test]
    fn integer_functions_agree(a in -10_000_000i64..10_000_000, b in -10_000_000i64..10_000_000) {
        // gcd * lcm = |a b|
        prop_assert_eq!(
            value(&format!("gcd({a}, {b}) * lcm({a}, {b})"))?,
            value(&format!("abs({a} * {b})"))?
        );
        // isqrt(n)^2 <= n < (isqrt(n) + 1)^2
        let n = a.unsigned_abs();
        let r = value(&format!("isqrt({n})"))?;
        let r: u64 = r.to_string().parse().unwrap();
        prop_assert!(r * r <= n && (r + 1) * (r + 1) > n);
        // sqrt of an exact square is exact
        prop_assert_eq!(value(&format!("sqrt(({a}/{})^2)", b.unsigned_abs().max(1)))?,
            value(&format!("abs({a}/{})", b.unsigned_abs().max(1)))?);
    }

    #[test]
    fn numerator_denominator_floor(a in exact_text()) {
        prop_assert_eq!(value(&format!("num({a}) / den({a})"))?, value(&a)?);
        // floor(q) <= q < floor(q) + 1, and ceil(q) = -floor(-q)
        let frac = value(&format!("{a} - floor({a})"))?;
        prop_assert!(exprflow::testing::value::exact_cmp(&frac, &Value::from_i64(0)) != std::cmp::Ordering::Less);
        prop_assert!(exprflow::testing::value::exact_cmp(&frac, &Value::from_i64(1)) == std::cmp::Ordering::Less);
        prop_assert_eq!(value(&format!("ceil({a})"))?, value(&format!("-floor(-{a})"))?);
        // float then exact is exact again (the float's binary value)
        prop_assert_eq!(value(&format!("float(exact(float({a})))"))?, value(&format!("float({a})"))?);
    }
}

// ---------------------------------------------------------------------------
// Arbitrary input never panics; both evaluators agree on it
// ---------------------------------------------------------------------------

/// Parses, builds and evaluates `text` both ways (as one expression and as a
/// batch), asserting agreement. For the batch, the reference is the serial
/// front end and the sequential evaluator; the other side is the split
/// front end (chunks of `grain` bytes) and the pool.
fn check_anything(
    text: &str,
    bytes: &[u8],
    workers: usize,
    fuse: bool,
) -> Result<(), TestCaseError> {
    let grain = 1 + text.len() % 16;
    let expected = sequential(text);
    same(
        &expected,
        &parallel(text, workers, fuse),
        &format!("{text:?}"),
    )?;
    let options = BatchOptions {
        dag: dag_limits(),
        ..BatchOptions::default()
    };
    let seq = Batch::parse_serial(bytes, options);
    let par = Batch::parse_split(bytes, options, grain);
    prop_assert_eq!(seq.dag.len(), par.dag.len());
    prop_assert_eq!(seq.lines.len(), par.lines.len());
    let futures =
        engine(workers, fuse).submit_all(&par.dag, &par.roots(), SubmitOptions::default());
    let mut futures = futures.into_iter();
    for (s, p) in seq.lines.iter().zip(&par.lines) {
        if let (Ok(root), Ok(_)) = (&s.node, &p.node) {
            let a =
                evaluate_sequential(&seq.dag, *root, &limits(), &CancelToken::new(), &mut |_| {});
            let b = futures
                .next()
                .expect("a future")
                .wait_timeout(Duration::from_secs(60));
            same(&a, &b, &format!("{bytes:?} line {}", s.line))?;
        } else {
            prop_assert_eq!(&s.node, &p.node);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 1024, ..Config::default() })]

    #[test]
    fn arbitrary_string_never_panics(text in any::<String>(), workers in 1usize..=8, fuse in any::<bool>()) {
        check_anything(&text, text.as_bytes(), workers, fuse)?;
    }

    #[test]
    fn token_soup_never_panics(text in token_soup(), workers in 1usize..=8, fuse in any::<bool>()) {
        check_anything(&text, text.as_bytes(), workers, fuse)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(
            prop_oneof![
                3 => any::<u8>(),
                3 => proptest::sample::select(b"0123456789+-*/^!(),.e_ =\n#\r\0x".to_vec()),
            ],
            0..120,
        ),
        workers in 1usize..=8,
        fuse in any::<bool>(),
    ) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        check_anything(&text, &bytes, workers, fuse)?;
    }
}

proptest! {
    #![proptest_config(Config { cases: 1024, ..Config::default() })]

    /// An evaluation error points at the subexpression that caused it: the
    /// text under its span is an expression that fails alone with the same
    /// kind of error.
    #[test]
    fn error_spans_point_at_a_failing_subexpression(text in expr(0)) {
        let Err(e) = sequential(&text) else { return Ok(()) };
        if !matches!(e.kind, ErrorKind::DivisionByZero | ErrorKind::Domain | ErrorKind::TooLarge) {
            return Ok(());
        }
        let part = text.get(e.span.start..e.span.end);
        prop_assert!(part.is_some(), "{:?}: span {:?} is not in the text", text, e.span);
        let part = part.unwrap_or_default();
        let alone = sequential(part);
        prop_assert_eq!(
            alone.as_ref().map_err(|e| e.kind).err(),
            Some(e.kind),
            "{:?}: the error {} is at {:?}, which alone gives {:?}", text, e, part, alone
        );
    }
}

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    /// Sessions (statements added one at a time to a growing DAG, `_` the
    /// last value) agree between the engine and the sequential evaluator.
    #[test]
    fn sessions_parallel_equal_sequential(lines in batch(), workers in 1usize..=8, fuse in any::<bool>()) {
        let engine = engine(workers, fuse);
        let mut parallel = exprflow::Session::with_limits(dag_limits());
        let mut sequential = exprflow::Session::with_limits(dag_limits());
        for line in lines.iter().chain([&"_ + 1".to_string()]) {
            let a = sequential.eval_sequential(engine, line, &CancelToken::new());
            let b = parallel.eval_on(engine, line);
            match (a, b) {
                (Ok(Some(x)), Ok(Some(y))) => prop_assert_eq!(x, y, "{:?}", line),
                (Ok(None), Ok(None)) => {}
                (Err(x), Err(y)) => {
                    prop_assert_eq!(&x, &y, "{:?}", line);
                    prop_assert_ne!(x.kind, ErrorKind::Internal);
                }
                (a, b) => prop_assert!(false, "{line:?}: {a:?} vs {b:?}"),
            }
        }
    }
}
