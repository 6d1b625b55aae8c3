//! An async host call or a `delay` reached inside a user function's body
//! holds no worker while it waits (SPEC section 5: "holds no worker while
//! it is pending"), in a parallel run: the body's expansion is parked and
//! goes on from the call's waker or the timer, on any worker. Cancelling
//! or dropping the future drops the pending futures inside bodies. The
//! values and errors are the sequential evaluator's.

#[path = "support/meeting.rs"]
mod meeting;
#[path = "support/sleep.rs"]
mod sleep;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use exprflow::testing::SessionInternals;
use exprflow::testing::eval::CancelToken;
use exprflow::{Engine, ErrorKind, Value};
use meeting::Meeting;

/// Waits (bounded: a hang is what is tested) until `done()`.
fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "{what} never happened");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// `w(1) + w(2) + … + w(n)`.
fn sum_of(f: &str, n: usize) -> String {
    let calls: Vec<String> = (1..=n).map(|i| format!("{f}({i})")).collect();
    calls.join(" + ")
}

#[test]
fn two_hundred_calls_in_bodies_wait_together_on_two_workers() {
    let meeting = Meeting::new(200);
    let engine = Engine::builder()
        .workers(2)
        .async_function("meet", 1, move |args: Vec<Value>| {
            meeting.join(args[0].clone())
        })
        .build()
        .unwrap();
    let mut session = engine.session();
    session.eval("w(x) = meet(x)").unwrap();
    let future = session.submit(&engine, &sum_of("w", 200)).unwrap().unwrap();
    let value = future.wait_timeout(Duration::from_secs(10));
    assert_eq!(value.unwrap(), Value::from(200 * 201 / 2));
}

/// Calls in bodies that really sleep (50 ms each, 200 of them on 2
/// workers) are woken by their timers and give the sum. That they wait
/// together is shown by counting, not by timing: the meeting above for
/// async calls, the pending timers below for `delay`.
#[test]
fn calls_in_bodies_that_sleep_give_the_sum() {
    let engine = Engine::builder()
        .workers(2)
        .async_function("slow", 1, |args: Vec<Value>| async move {
            sleep::sleep(Duration::from_millis(50)).await;
            Ok(args[0].clone())
        })
        .build()
        .unwrap();
    let mut session = engine.session();
    session.eval("w(x) = slow(x)").unwrap();
    session.eval("d(x) = delay(x, 50)").unwrap();
    for f in ["w", "d"] {
        let value = session.eval(sum_of(f, 200)).unwrap();
        assert_eq!(value, Some(Value::from(200 * 201 / 2)), "{f}");
    }
}

/// `delay`s in bodies are timer entries, not sleeping workers: all 200
/// wait on the timer at once, and cancelling the future removes them.
#[test]
fn delays_in_bodies_wait_on_the_timer_and_are_cancelled() {
    let engine = Engine::with_workers(2).unwrap();
    let mut session = engine.session();
    session.eval("d(x) = delay(x, 20000) + 1").unwrap();
    let text = format!("{} + if(1, delay(0, 20000), 0)", sum_of("d", 200));
    let future = session.submit(&engine, &text).unwrap().unwrap();
    eventually("201 timers", || engine.pending_timers() == 201);
    assert!(future.cancel());
    eventually("the timers' removal", || engine.pending_timers() == 0);
    assert_eq!(future.wait().unwrap_err().kind, ErrorKind::Cancelled);
}

/// A future that never completes and counts its polls and drops.
struct Never {
    polled: Arc<AtomicUsize>,
    dropped: Arc<AtomicUsize>,
}

impl Future for Never {
    type Output = Result<Value, String>;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        self.polled.fetch_add(1, Ordering::SeqCst);
        Poll::Pending
    }
}

impl Drop for Never {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

struct Counts {
    polled: Arc<AtomicUsize>,
    dropped: Arc<AtomicUsize>,
}

fn never_engine(workers: usize) -> (Engine, Counts) {
    let polled = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicUsize::new(0));
    let (p, d) = (Arc::clone(&polled), Arc::clone(&dropped));
    let engine = Engine::builder()
        .workers(workers)
        .async_function("never", 1, move |_: Vec<Value>| Never {
            polled: Arc::clone(&p),
            dropped: Arc::clone(&d),
        })
        .function("boom", 1, |_: &[Value]| Err("boom".to_string()))
        .build()
        .unwrap();
    (engine, Counts { polled, dropped })
}

#[test]
fn cancelling_drops_the_pending_calls_inside_bodies() {
    let (engine, counts) = never_engine(2);
    let mut session = engine.session();
    // One call in a body, and two in the parts of a fork.
    session.eval("w(x) = never(x) + 1").unwrap();
    session.eval("two(x) = never(x) + never(x + 10)").unwrap();
    let future = session.submit(&engine, "w(1) + two(2)").unwrap().unwrap();
    eventually("three first polls", || {
        counts.polled.load(Ordering::SeqCst) >= 3
    });
    assert_eq!(counts.dropped.load(Ordering::SeqCst), 0);
    assert!(future.cancel());
    eventually("three drops", || counts.dropped.load(Ordering::SeqCst) == 3);
    assert_eq!(future.wait().unwrap_err().kind, ErrorKind::Cancelled);
}

#[test]
fn dropping_the_future_drops_the_pending_calls_inside_bodies() {
    let (engine, counts) = never_engine(1);
    let mut session = engine.session();
    session.eval("w(x) = 2 * never(x)").unwrap();
    let future = session.submit(&engine, "w(1) * w(2)").unwrap().unwrap();
    eventually("two first polls", || {
        counts.polled.load(Ordering::SeqCst) >= 2
    });
    drop(future);
    eventually("two drops", || counts.dropped.load(Ordering::SeqCst) == 2);
    // The engine goes on.
    assert_eq!(engine.eval("2 + 2").unwrap(), Value::from(4));
}

/// A call whose future is no longer needed (its sibling failed first, so
/// the `+` is decided) is dropped too, while the run goes on.
#[test]
fn a_call_nobody_needs_any_more_is_dropped() {
    let (engine, counts) = never_engine(2);
    let mut session = engine.session();
    session.eval("w(x) = never(x) + 1").unwrap();
    let future = session
        .submit(&engine, "boom(delay(1, 200)) + w(1)")
        .unwrap()
        .unwrap();
    eventually("the first poll", || {
        counts.polled.load(Ordering::SeqCst) >= 1
    });
    let outcome = future.wait_timeout(Duration::from_secs(10));
    assert_eq!(outcome.unwrap_err().kind, ErrorKind::Domain);
    eventually("the drop", || counts.dropped.load(Ordering::SeqCst) == 1);
}

/// Programs whose bodies wait (host calls, `delay`s, forks of them) and
/// fail: the same value or error at any worker count as the sequential
/// evaluator's, leftmost rule included.
#[test]
fn waiting_bodies_agree_with_the_sequential_evaluator() {
    let builder = |n: usize| {
        Engine::builder()
            .workers(n)
            .async_function("slow", 2, |args: Vec<Value>| async move {
                let ms = i64::try_from(&args[1]).map_err(|e| e.to_string())?;
                sleep::sleep(Duration::from_millis(ms.unsigned_abs())).await;
                if args[0].is_zero() {
                    return Err("zero".into());
                }
                Ok(args[0].clone())
            })
    };
    let definitions = [
        "g(n) = if(n < 1, 0, slow(n, 2) + g(n - 1))",
        "h(x) = slow(x, 30) + 1/x",
        "k(x) = slow(x, 30) + slow(x - 1, 1)",
        "m(x) = h(x) * k(x) + delay(x, 5)",
        "p(n) = if(n < 2, slow(n, 3), p(n - 1) + p(n - 2))",
    ];
    let programs = [
        "g(8)",
        "h(0) + h(1)",
        "k(1) + k(2)",
        "k(2) + 1/0",
        "m(2) + m(1)",
        "p(12)",
        "p(6) + k(1) + h(0)",
        "if(g(3) > 5, m(3), k(1))",
    ];
    let outcome = |r: Result<Option<Value>, exprflow::Error>| match r {
        Ok(v) => format!("{v:?}"),
        Err(e) => format!("{e} at {:?} via {:?}", e.span, e.calls),
    };
    let run = |n: Option<usize>| -> Vec<String> {
        let engine = builder(n.unwrap_or(1)).build().unwrap();
        let mut session = engine.session();
        for d in definitions {
            session.eval(d).unwrap();
        }
        programs
            .iter()
            .map(|p| match n {
                Some(_) => outcome(session.eval(p)),
                None => outcome(session.eval_sequential(&engine, p, &CancelToken::new())),
            })
            .collect()
    };
    let reference = run(None);
    assert!(reference[0].contains("36"), "{}", reference[0]);
    for n in [1, 2, 3, 8] {
        assert_eq!(run(Some(n)), reference, "{n} workers");
    }
}
