//! Arbitrary bytes as a batch (one statement per line): the check of the
//! `eval` fuzz target (`fuzz/fuzz_targets/eval.rs`), also run on its seeds
//! (`fuzz/seeds/`) by `tests/fuzz_seeds.rs`.
//!
//! For every input it checks that
//! - parsing, DAG building and both evaluators never panic, hang or abort;
//! - building the same batch twice gives the same DAG (same node count, same
//!   per-line build errors);
//! - the sequential reference evaluator and the parallel engine (1 to 4
//!   workers, fusion on and off, chosen by the first byte) give the same
//!   value, or the same error (kind, span and message), for every line;
//! - every statement that parses prints back (`syntax::print`) to text that
//!   parses to the same tree (`Ast::same_shape`).
//!
//! When the first byte's top bit is set, a prelude of function
//! definitions (recursive, mutually recursive, with `if`, comparisons and
//! a failing body) comes before the input, so that inputs calling `fibr`,
//! `sumto`, `inv`, `even`/`odd` or `w` exercise calls, the memo and errors
//! inside bodies (endless recursion is left out: where it stops depends on
//! timing, by design).
//!
//! Every engine has four host functions, which the input may call:
//! `h(x)` (sync; `domain error` for 0), `ah(x, y)` (async: its future
//! wakes itself once before it is ready with `y`, or an error when `x` is
//! 0), `vol()` (volatile, always 7, so both evaluators agree) and `hp(x)`
//! (panics for 0, else `x`: the only `internal error` allowed, and both
//! evaluators must report it alike).
//!
//! Limits are small (bit limit 2^8..2^16, `delay`/`busy` at most 2 ms) so
//! that one execution stays in the millisecond range; the default limits are
//! covered by `tests/adversarial.rs`.

use exprflow::testing::EngineInternals;
use std::sync::OnceLock;
use std::time::Duration;

use exprflow::testing::eval::{CancelToken, evaluate_sequential};
use exprflow::testing::syntax::{Ast, parse_statement, print};
use exprflow::testing::{Batch, BatchOptions};
use exprflow::{
    DagLimits, Engine, EngineBuilder, ErrorKind, EvalLimits, SubmitOptions, Value, ValueLimits,
};

const MAX_BITS: [u64; 4] = [1 << 8, 1 << 12, 1 << 16, 1 << 16];
const MAX_DEPTH: usize = 64;
/// Configurations: bits 0-1 workers - 1, bit 2 fusion, bits 3-4 bit limit.
const CONFIGS: u8 = 32;
/// Definitions put before the input when the first byte's top bit is set.
const PRELUDE: &str = "fibr(n) = if(n < 2, n, fibr(n-1) + fibr(n-2))
sumto(n) = if(n <= 0, 0, n + sumto(n-1))
inv(x) = 1 / x
even(n) = if(n == 0, 1, odd(n - 1))
odd(n) = if(n == 0, 0, even(n - 1))
w(x, y) = inv(x) * y + v
v = 3
";

fn limits(config: u8) -> EvalLimits {
    EvalLimits {
        value: ValueLimits {
            max_bits: MAX_BITS[usize::from(config >> 3) & 3],
        },
        max_wait: Duration::from_millis(2),
    }
}

/// One engine per configuration, built once.
fn engine(config: u8) -> &'static Engine {
    static ENGINES: OnceLock<Vec<Engine>> = OnceLock::new();
    let engines = ENGINES.get_or_init(|| {
        quiet_hp_panics();
        (0..CONFIGS)
            .map(|c| {
                with_host_functions(Engine::builder())
                    .workers(usize::from(c & 3) + 1)
                    .fuse_ns(if c & 4 == 0 { 0 } else { 50_000 })
                    .limits(limits(c))
                    .build()
                    .expect("engine")
            })
            .collect()
    });
    &engines[usize::from(config)]
}

/// libFuzzer's panic hook aborts on every panic, even one exprflow catches:
/// `hp`'s own panic passes through quietly, every other still aborts.
fn quiet_hp_panics() {
    let fuzzer_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<&str>() != Some(&"hp of zero") {
            fuzzer_hook(info);
        }
    }));
}

/// A future ready on its second poll (it wakes itself on the first).
struct Once(Option<Result<Value, String>>, bool);

impl std::future::Future for Once {
    type Output = Result<Value, String>;
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        if !self.1 {
            self.1 = true;
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        let outcome = self.0.take().unwrap_or_else(|| Err("polled again".into()));
        std::task::Poll::Ready(outcome)
    }
}

fn with_host_functions(builder: EngineBuilder) -> EngineBuilder {
    builder
        .function("h", 1, |args: &[Value]| match args {
            [x] if x.is_zero() => Err("h of zero".into()),
            [x] => Ok(x.clone()),
            _ => Err("arity".into()),
        })
        .async_function("ah", 2, |args: Vec<Value>| {
            let outcome = match &args[..] {
                [x, _] if x.is_zero() => Err("ah of zero".into()),
                [_, y] => Ok(y.clone()),
                _ => Err("arity".into()),
            };
            Once(Some(outcome), false)
        })
        .volatile_function("vol", 0, |_: &[Value]| Ok(Value::from(7)))
        .function("hp", 1, |args: &[Value]| match args {
            [x] if x.is_zero() => panic!("hp of zero"),
            [x] => Ok(x.clone()),
            _ => Err("arity".into()),
        })
}

fn options(config: u8) -> BatchOptions {
    BatchOptions {
        dag: DagLimits {
            max_nodes: 50_000,
            value: limits(config).value,
            ..DagLimits::default()
        },
        max_depth: MAX_DEPTH,
        blank_is_error: false,
    }
}

fn check_round_trip(text: &str) {
    let mut ast = Ast::new();
    let Ok(Some(statement)) = parse_statement(&mut ast, text, 0, MAX_DEPTH) else {
        return;
    };
    let printed = print(&ast, statement.expr);
    let mut again = Ast::new();
    let reparsed = parse_statement(&mut again, &printed, 0, MAX_DEPTH);
    let Ok(Some(reparsed)) = reparsed else {
        panic!("{text:?} printed as {printed:?}, which does not parse: {reparsed:?}");
    };
    assert!(
        ast.same_shape(statement.expr, &again, reparsed.expr),
        "{text:?} printed as {printed:?}, which parses to another tree"
    );
}

/// The check on one input: panics on any disagreement.
pub fn check(data: &[u8]) {
    let Some((&config, text)) = data.split_first() else {
        return;
    };
    let mut owned = Vec::new();
    let text = if config & 0x80 != 0 {
        owned.extend_from_slice(PRELUDE.as_bytes());
        owned.extend_from_slice(text);
        &owned[..]
    } else {
        text
    };
    let config = config % CONFIGS;
    let limits = limits(config);
    let options = options(config);

    for line in text.split(|&b| b == b'\n') {
        if let Ok(line) = std::str::from_utf8(line) {
            check_round_trip(line);
        }
    }

    let engine = engine(config);
    let sequential = Batch::parse_on(engine, text, options);
    let parallel = Batch::parse_on(engine, text, options);
    assert_eq!(sequential.dag.len(), parallel.dag.len());
    assert_eq!(sequential.lines.len(), parallel.lines.len());

    let roots = parallel.roots();
    let futures = engine.submit_all(&parallel.dag, &roots, SubmitOptions::default());
    let mut futures = futures.into_iter();
    for (s, p) in sequential.lines.iter().zip(&parallel.lines) {
        assert_eq!(s.line, p.line);
        let (expected, got) = match (&s.node, &p.node) {
            (Err(a), Err(b)) => (Err(a.clone()), Err(b.clone())),
            (Ok(root), Ok(_)) => {
                let expected = evaluate_sequential(
                    &sequential.dag,
                    *root,
                    &limits,
                    &CancelToken::new(),
                    &mut |_| {},
                );
                let future = futures.next().expect("one future per root");
                let got = future.wait_timeout(Duration::from_secs(60));
                if let Err(e) = &got {
                    assert_ne!(e.kind, ErrorKind::TimedOut, "the parallel run hung");
                }
                (expected, got)
            }
            (a, b) => panic!("line {} built differently: {a:?} vs {b:?}", s.line),
        };
        match (&expected, &got) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "line {}", s.line);
                assert_eq!(a.to_string(), b.to_string(), "line {}", s.line);
            }
            (Err(a), Err(b)) => {
                assert_eq!(a, b, "line {}", s.line);
                if a.kind == ErrorKind::Internal {
                    assert!(
                        a.to_string().contains("hp panicked"),
                        "line {}: {a}",
                        s.line
                    );
                }
            }
            _ => panic!("line {}: sequential {expected:?}, parallel {got:?}", s.line),
        }
    }
}
