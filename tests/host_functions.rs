//! Host functions, written from SPEC section 5 only: Rust functions that
//! join the language as calls (sync, async, volatile), memoised by
//! argument values, with their errors, panics and arity checked, and
//! their pending futures dropped when nobody needs them any more.

#[path = "support/meeting.rs"]
mod meeting;
// Only `Never` is used here; the gate is for other tests.
#[allow(dead_code)]
#[path = "support/pending.rs"]
mod pending;
#[path = "support/sleep.rs"]
mod sleep;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use exprflow::EngineBuilder;
use exprflow::testing::EngineInternals;
use exprflow::{Engine, ErrorKind, SubmitOptions, Value};
use meeting::Meeting;
use pending::Never;

/// A counter the functions bump on every call.
fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

fn float(v: &Value) -> Result<f64, String> {
    f64::try_from(v).map_err(|e| e.to_string())
}

/// `hyp` (sync), `price` (async, 10 ms), `tick` (volatile), counting calls.
fn spec_builder(hyps: &Arc<AtomicUsize>, prices: &Arc<AtomicUsize>) -> EngineBuilder {
    let (hyps, prices) = (Arc::clone(hyps), Arc::clone(prices));
    Engine::builder()
        .function("hyp", 2, move |args: &[Value]| {
            hyps.fetch_add(1, Ordering::SeqCst);
            Value::try_from(float(&args[0])?.hypot(float(&args[1])?)).map_err(|e| e.to_string())
        })
        .async_function("price", 1, move |args: Vec<Value>| {
            prices.fetch_add(1, Ordering::SeqCst);
            async move {
                sleep::sleep(Duration::from_millis(10)).await;
                let cents = i64::try_from(&args[0]).map_err(|e| e.to_string())?;
                Ok(Value::from(cents * 100))
            }
        })
}

#[test]
fn the_spec_example_calls_price_once() {
    let (hyps, prices) = (counter(), counter());
    let engine = spec_builder(&hyps, &prices).workers(2).build().unwrap();
    let value = engine.eval("hyp(3, 4) + price(7) + price(7)").unwrap();
    assert_eq!(value.to_string(), "1405.0");
    assert_eq!(prices.load(Ordering::SeqCst), 1);
    assert_eq!(hyps.load(Ordering::SeqCst), 1);
}

#[test]
fn equal_argument_values_are_one_call() {
    let (hyps, prices) = (counter(), counter());
    let engine = spec_builder(&hyps, &prices).workers(2).build().unwrap();
    let value = engine
        .eval("price(7) + price(3 + 4) + price(14 / 2) + hyp(3, 4) + hyp(1 + 2, 2^2)")
        .unwrap();
    assert_eq!(value.to_string(), "2110.0");
    assert_eq!(prices.load(Ordering::SeqCst), 1);
    assert_eq!(hyps.load(Ordering::SeqCst), 1);
}

#[test]
fn a_session_computes_a_call_once_across_statements() {
    let (hyps, prices) = (counter(), counter());
    let engine = spec_builder(&hyps, &prices).workers(2).build().unwrap();
    let mut session = engine.session();
    assert_eq!(
        session.eval("a = price(2)").unwrap(),
        Some(Value::from(200))
    );
    assert_eq!(
        session.eval("a + price(2)").unwrap(),
        Some(Value::from(400))
    );
    assert_eq!(
        session.eval("price(1 + 1) * 2").unwrap(),
        Some(Value::from(400))
    );
    assert_eq!(prices.load(Ordering::SeqCst), 1);
}

#[test]
fn host_calls_work_inside_function_bodies() {
    let (hyps, prices) = (counter(), counter());
    let engine = spec_builder(&hyps, &prices).workers(2).build().unwrap();
    let mut session = engine.session();
    assert_eq!(session.eval("g(x) = price(x) + 1").unwrap(), None);
    assert_eq!(session.eval("g(2) + g(3)").unwrap(), Some(Value::from(502)));
    assert_eq!(
        session.eval("price(2) + g(2)").unwrap(),
        Some(Value::from(401))
    );
    assert_eq!(prices.load(Ordering::SeqCst), 2);
    // Recursion through a host function.
    session
        .eval("s(n) = if(n < 1, 0, price(n) + s(n - 1))")
        .unwrap();
    assert_eq!(session.eval("s(5)").unwrap(), Some(Value::from(1500)));
    assert_eq!(prices.load(Ordering::SeqCst), 5);
}

#[test]
fn a_user_function_shadows_a_host_function_and_a_host_function_a_builtin() {
    let engine = Engine::builder()
        .workers(2)
        .function("sqrt", 1, |_: &[Value]| Ok(Value::from(42)))
        .function("price", 1, |_: &[Value]| Ok(Value::from(1)))
        .build()
        .unwrap();
    assert_eq!(engine.eval("sqrt(4)").unwrap(), Value::from(42));
    let mut session = engine.session();
    assert_eq!(session.eval("price(3)").unwrap(), Some(Value::from(1)));
    session.eval("price(x) = x * 10").unwrap();
    assert_eq!(session.eval("price(3)").unwrap(), Some(Value::from(30)));
    // Variables are another namespace.
    session.eval("sqrt = 5").unwrap();
    assert_eq!(session.eval("sqrt(sqrt)").unwrap(), Some(Value::from(42)));
}

#[test]
fn volatile_functions_are_called_at_every_call_site() {
    let calls = counter();
    let c = Arc::clone(&calls);
    let engine = Engine::builder()
        .workers(2)
        .volatile_function("tick", 0, move |_: &[Value]| {
            Ok(Value::from(c.fetch_add(1, Ordering::SeqCst) as i64))
        })
        .build()
        .unwrap();
    engine.eval("tick() + tick() + tick()").unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let mut session = engine.session();
    session.eval("tick()").unwrap();
    session.eval("tick()").unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 5);
    // A variable holds one call's value.
    session.eval("t = tick()").unwrap();
    session.eval("t - t").unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 6);
}

#[test]
fn volatile_async_functions_are_never_shared() {
    let calls = counter();
    let c = Arc::clone(&calls);
    let engine = Engine::builder()
        .workers(2)
        .volatile_async_function("fetch", 1, move |args: Vec<Value>| {
            c.fetch_add(1, Ordering::SeqCst);
            async move { Ok(args[0].clone()) }
        })
        .build()
        .unwrap();
    assert_eq!(engine.eval("fetch(1) + fetch(1)").unwrap(), Value::from(2));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn an_err_is_a_domain_error_at_the_call() {
    let engine = Engine::builder()
        .workers(2)
        .function("check", 1, |args: &[Value]| {
            if args[0].is_zero() {
                Err("zero is not allowed".to_string())
            } else {
                Ok(args[0].clone())
            }
        })
        .async_function("fetch", 1, |_: Vec<Value>| async {
            Err::<Value, _>("no such item".to_string())
        })
        .build()
        .unwrap();
    let text = "1 + check(0)";
    let error = engine.eval(text).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Domain);
    assert_eq!(error.to_string(), "domain error: zero is not allowed");
    assert_eq!(&text[error.span.start..error.span.end], "check(0)");
    let text = "2 * fetch(3)";
    let error = engine.eval(text).unwrap_err();
    assert_eq!(error.to_string(), "domain error: no such item");
    assert_eq!(&text[error.span.start..error.span.end], "fetch(3)");
    // The leftmost error wins, as everywhere.
    assert_eq!(
        engine.eval("check(0) + 1/0").unwrap_err().kind,
        ErrorKind::Domain
    );
    assert_eq!(
        engine.eval("1/0 + check(0)").unwrap_err().kind,
        ErrorKind::DivisionByZero
    );
}

#[test]
fn a_panic_is_an_internal_error_of_that_call_only() {
    let calls = counter();
    let c = Arc::clone(&calls);
    let engine = Engine::builder()
        .workers(2)
        .function("boom", 1, move |_: &[Value]| {
            c.fetch_add(1, Ordering::SeqCst);
            panic!("host function blew up")
        })
        .async_function("aboom", 1, |_: Vec<Value>| async {
            sleep::sleep(Duration::from_millis(5)).await;
            panic!("async host function blew up")
        })
        .build()
        .unwrap();
    let text = "1 + boom(2)";
    let error = engine.eval(text).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Internal);
    assert!(
        error.to_string().contains("host function blew up"),
        "{error}"
    );
    assert_eq!(&text[error.span.start..error.span.end], "boom(2)");
    let error = engine.eval("aboom(1)").unwrap_err();
    assert_eq!(error.kind, ErrorKind::Internal);
    // Other calls of the same run go on; the engine works afterwards.
    let out = engine.map(["boom(1)", "2 + 3", "aboom(2)", "fact(10)"]);
    assert!(out[0].is_err() && out[2].is_err());
    assert_eq!(out[1].as_ref().unwrap(), &Value::from(5));
    assert_eq!(out[3].as_ref().unwrap(), &Value::from(3628800));
    assert_eq!(engine.eval("(3+7)*(2+8)").unwrap(), Value::from(100));
    // A panic is not remembered: the next call tries again.
    let before = calls.load(Ordering::SeqCst);
    let mut session = engine.session();
    assert!(session.eval("boom(9)").is_err());
    assert!(session.eval("boom(9)").is_err());
    assert_eq!(calls.load(Ordering::SeqCst), before + 2);
}

#[test]
fn arity_is_checked_when_the_dag_is_built() {
    let calls = counter();
    let c = Arc::clone(&calls);
    let engine = Engine::builder()
        .workers(2)
        .function("hyp", 2, move |_: &[Value]| {
            c.fetch_add(1, Ordering::SeqCst);
            Ok(Value::from(0))
        })
        .build()
        .unwrap();
    let text = "1 + hyp(3)";
    let error = engine.eval(text).unwrap_err();
    assert_eq!(error.kind, ErrorKind::WrongArity);
    assert_eq!(
        error.to_string(),
        "wrong number of arguments: hyp takes 2 arguments, got 1"
    );
    assert_eq!(&text[error.span.start..error.span.end], "hyp(3)");
    // The same wording as a built-in's.
    let builtin = engine.eval("gcd(3)").unwrap_err().to_string();
    assert_eq!(
        builtin,
        "wrong number of arguments: gcd takes 2 arguments, got 1"
    );
    // Inside a body, at the call in the body.
    let mut session = engine.session();
    session.eval("f(x) = hyp(x)").unwrap();
    let error = session.eval("f(1)").unwrap_err();
    assert_eq!(error.kind, ErrorKind::WrongArity);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[test]
fn names_must_be_identifiers() {
    for bad in ["2x", "a-b", "", "if", "x y"] {
        let built = Engine::builder()
            .function(bad, 1, |_: &[Value]| Ok(Value::from(0)))
            .build();
        assert_eq!(built.unwrap_err().kind, ErrorKind::Syntax, "{bad:?}");
    }
}

fn never_engine() -> (Engine, Arc<AtomicBool>, Arc<AtomicBool>) {
    let polled = Arc::new(AtomicBool::new(false));
    let dropped = Arc::new(AtomicBool::new(false));
    let (p, d) = (Arc::clone(&polled), Arc::clone(&dropped));
    let engine = Engine::builder()
        .workers(2)
        .async_function("never", 1, move |_: Vec<Value>| Never {
            polled: Arc::clone(&p),
            dropped: Arc::clone(&d),
        })
        .build()
        .unwrap();
    (engine, polled, dropped)
}

/// Waits (bounded: a hang is what is tested) until `flag` is set.
fn eventually(flag: &AtomicBool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !flag.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "{what} never happened");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn cancelling_the_future_drops_the_pending_call() {
    let (engine, polled, dropped) = never_engine();
    let future = engine.submit("1 + never(1)").unwrap();
    eventually(&polled, "the first poll");
    assert!(!dropped.load(Ordering::SeqCst));
    assert!(future.cancel());
    eventually(&dropped, "the drop of the pending future");
    assert_eq!(future.wait().unwrap_err().kind, ErrorKind::Cancelled);
}

#[test]
fn dropping_the_future_drops_the_pending_call() {
    let (engine, polled, dropped) = never_engine();
    let future = engine.submit("never(2) * 3").unwrap();
    eventually(&polled, "the first poll");
    drop(future);
    eventually(&dropped, "the drop of the pending future");
    // The engine goes on.
    assert_eq!(engine.eval("2 + 2").unwrap(), Value::from(4));
}

#[test]
fn a_call_that_never_completes_times_out_and_is_dropped() {
    let (engine, _, dropped) = never_engine();
    let options = SubmitOptions {
        timeout: Some(Duration::from_millis(50)),
        ..Default::default()
    };
    let future = engine.submit_with("never(3) + 1", options).unwrap();
    assert_eq!(future.wait().unwrap_err().kind, ErrorKind::TimedOut);
    eventually(&dropped, "the drop of the pending future");
    // A timed-out call is not remembered: a later run calls again.
    let polled_again = engine.submit_with("never(3) + 1", options).unwrap();
    assert_eq!(polled_again.wait().unwrap_err().kind, ErrorKind::TimedOut);
}

#[test]
fn a_shared_call_is_dropped_only_when_nobody_needs_it() {
    let (engine, polled, dropped) = never_engine();
    let mut dag = engine.new_dag();
    let mut roots = Vec::new();
    for text in ["never(5) + 1", "never(5) * 2"] {
        let (ast, root) = exprflow::testing::syntax::parse_expr(text).unwrap();
        roots.push(
            dag.add_expr(&ast, root, &exprflow::testing::dag::Scope::new())
                .unwrap(),
        );
    }
    let futures = engine.submit_all(&Arc::new(dag), &roots, SubmitOptions::default());
    eventually(&polled, "the first poll");
    futures[0].cancel();
    std::thread::sleep(Duration::from_millis(20));
    assert!(
        !dropped.load(Ordering::SeqCst),
        "the other root still needs it"
    );
    futures[1].cancel();
    eventually(&dropped, "the drop");
}

/// A future that wakes itself many times (and spuriously from another
/// thread) before it is ready on its `polls`-th poll.
struct Restless {
    polls: usize,
    seen: usize,
}

impl Future for Restless {
    type Output = Result<Value, String>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.seen += 1;
        if self.seen >= self.polls {
            return Poll::Ready(Ok(Value::from(self.seen as i64)));
        }
        for _ in 0..10 {
            cx.waker().wake_by_ref();
        }
        let waker = cx.waker().clone();
        std::thread::spawn(move || {
            for _ in 0..5 {
                waker.wake_by_ref();
            }
        });
        Poll::Pending
    }
}

#[test]
fn spurious_and_repeated_wakes_are_harmless() {
    let engine = Engine::builder()
        .workers(2)
        .async_function("restless", 1, |args: Vec<Value>| Restless {
            polls: i64::try_from(&args[0]).unwrap_or(1) as usize,
            seen: 0,
        })
        .build()
        .unwrap();
    assert_eq!(
        engine
            .eval("restless(50) + restless(3) + busy(1, 5)")
            .unwrap(),
        Value::from(54)
    );
}

#[test]
fn huge_values_are_refused_over_the_bit_limit() {
    let mut limits = exprflow::EvalLimits::default();
    limits.value.max_bits = 1000;
    let engine = Engine::builder()
        .workers(2)
        .limits(limits)
        .function("huge", 0, |_: &[Value]| {
            exprflow::eval("2^5000").map_err(|e| e.to_string())
        })
        .function("big", 0, |_: &[Value]| {
            exprflow::eval("2^900").map_err(|e| e.to_string())
        })
        .build()
        .unwrap();
    assert_eq!(
        engine.eval("huge() + 1").unwrap_err().kind,
        ErrorKind::TooLarge
    );
    assert_eq!(engine.eval("big() - big() + 1").unwrap(), Value::from(1));
}

/// A small program with host functions, at several worker counts and on
/// the sequential evaluator: one answer.
#[test]
fn results_do_not_depend_on_workers_or_the_evaluator() {
    let programs = [
        "hyp(3, 4) + price(7) + price(7)",
        "price(1) + 1/0 + price(2)",
        "price(hyp(6, 8) // 1) - price(3)",
        "if(price(1) > 50, price(2), 1/0)",
        "min(price(5), price(4), hyp(1, 1))",
        "check(price(0)) + check(1)",
    ];
    let builder = |n: usize| {
        spec_builder(&counter(), &counter())
            .function("check", 1, |args: &[Value]| {
                if args[0].is_zero() {
                    Err("zero".into())
                } else {
                    Ok(args[0].clone())
                }
            })
            .workers(n)
    };
    let outcome = |r: Result<Value, exprflow::Error>| match r {
        Ok(v) => v.to_string(),
        Err(e) => format!("{e} at {:?}", e.span),
    };
    let reference: Vec<String> = {
        let engine = builder(1).build().unwrap();
        programs
            .iter()
            .map(|p| {
                let (ast, root) = exprflow::testing::syntax::parse_expr(p).unwrap();
                let mut dag = engine.new_dag();
                let root = dag
                    .add_expr(&ast, root, &exprflow::testing::dag::Scope::new())
                    .unwrap();
                outcome(exprflow::testing::eval::evaluate_sequential(
                    &dag,
                    root,
                    engine.limits(),
                    &exprflow::testing::eval::CancelToken::new(),
                    &mut |_| {},
                ))
            })
            .collect()
    };
    assert_eq!(reference[0], "1405.0");
    for n in [1, 2, 8] {
        let engine = builder(n).build().unwrap();
        let got: Vec<String> = programs.iter().map(|p| outcome(engine.eval(p))).collect();
        assert_eq!(got, reference, "{n} workers");
        // One DAG for all: spans are offsets into the joined text.
        let unspanned = |text: &String| text.split(" at Span").next().map(str::to_string);
        let mapped: Vec<_> = engine.map(programs).into_iter().map(outcome).collect();
        let mapped: Vec<_> = mapped.iter().map(unspanned).collect();
        let expected: Vec<_> = reference.iter().map(unspanned).collect();
        assert_eq!(mapped, expected, "{n} workers, map");
    }
}

/// 500 calls on 2 workers are pending at once, holding no worker: each
/// waits at a meeting of all 500, which could never complete if a call
/// held a worker while it waited. The 30 s bound is only a hang check
/// (the meeting completes as soon as the last call is polled).
#[test]
fn five_hundred_waiting_calls_wait_together() {
    let meeting = Meeting::new(500);
    let engine = Engine::builder()
        .workers(2)
        .async_function("io", 1, move |args: Vec<Value>| {
            meeting.join(args[0].clone())
        })
        .build()
        .unwrap();
    let text: Vec<String> = (1..=500).map(|i| format!("io({i})")).collect();
    let future = engine.submit(text.join(" + ")).unwrap();
    let value = future.wait_timeout(Duration::from_secs(30));
    assert_eq!(value.unwrap(), Value::from(500 * 501 / 2));
}

/// A gate a future waits behind until a sync host function opens it.
#[derive(Default)]
struct Gate {
    open: AtomicBool,
    waker: std::sync::Mutex<Option<std::task::Waker>>,
}

struct Behind(Arc<Gate>);

impl Future for Behind {
    type Output = Result<Value, String>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        *self.0.waker.lock().unwrap() = Some(cx.waker().clone());
        if self.0.open.load(Ordering::SeqCst) {
            Poll::Ready(Ok(Value::from(1)))
        } else {
            Poll::Pending
        }
    }
}

/// An engine of `workers` with `gated()`, an async call that waits behind
/// a gate, and `open(x)`, a sync function that opens it and gives `x`.
fn gated_engine(workers: usize) -> Engine {
    let gate = Arc::new(Gate::default());
    let (g1, g2) = (Arc::clone(&gate), Arc::clone(&gate));
    Engine::builder()
        .workers(workers)
        .fuse_ns(0)
        .async_function("gated", 0, move |_: Vec<Value>| Behind(Arc::clone(&g1)))
        .function("open", 1, move |args: &[Value]| {
            g2.open.store(true, Ordering::SeqCst);
            if let Some(waker) = g2.waker.lock().unwrap().take() {
                waker.wake();
            }
            Ok(args[0].clone())
        })
        .build()
        .unwrap()
}

/// A pending call holds no worker: on one worker, the sync function that
/// lets the async call finish still runs (it would wait forever if the
/// pending call held the only worker; `open` runs after `gated()` started:
/// its argument waits on a busy). The same for a call inside a body, in
/// the branch of an `if` of a body, and in the chosen branch of an `if`
/// of the expression (their expansion or branch is parked).
#[test]
fn pending_calls_leave_the_worker_free() {
    let programs = [
        ("gated() + open(busy(2, 20))", 3),
        ("v(1) + open(busy(2, 20))", 22),
        ("2 * if(1 < 2, gated() + 1, 1/0) + open(busy(2, 20))", 6),
    ];
    for (text, expected) in programs {
        let engine = gated_engine(1);
        let mut session = engine.session();
        session.eval("w(x) = gated() + x").unwrap();
        session.eval("v(x) = if(x > 0, w(x) * 10, 0)").unwrap();
        let future = session.submit(&engine, text).unwrap().unwrap();
        let value = future.wait_timeout(Duration::from_secs(10));
        assert_eq!(value.unwrap(), Value::from(expected), "{text}");
    }
}
