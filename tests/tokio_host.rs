//! Host futures that use tokio (SPEC section 5, "Host futures may use
//! tokio"; feature `tokio`, which the crate's own tests turn on): polled
//! inside the runtime the engine was built in or given, and a blocking
//! wait that would hang a current-thread runtime refused.

#[path = "support/bounded.rs"]
mod bounded;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bounded::bounded;
use exprflow::{Engine, EngineBuilder, ErrorKind, Value};

/// `nap(x)`: `x` after a 5 ms `tokio::time::sleep`, which panics with "no
/// reactor running" when polled outside a runtime.
fn with_nap(builder: EngineBuilder) -> EngineBuilder {
    builder
        .workers(2)
        .async_function("nap", 1, |args: Vec<Value>| async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            Ok(args[0].clone())
        })
}

fn multi_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_time()
        .build()
        .unwrap()
}

#[test]
fn a_given_runtime_runs_tokio_timers_in_host_futures() {
    bounded(60, || {
        let runtime = multi_thread_runtime();
        let engine = with_nap(Engine::builder().tokio_handle(runtime.handle().clone()))
            .build()
            .unwrap();
        // Blocking, outside the runtime: the pool polls inside it.
        assert_eq!(engine.eval("nap(20) + nap(22)").unwrap(), Value::from(42));
        // In a function body, in a session and in the sequential evaluator.
        let mut session = engine.session();
        session.eval("g(x) = nap(x) + 1").unwrap();
        assert_eq!(session.eval("g(2)").unwrap(), Some(Value::from(3)));
        let formula = engine.compile("nap(x) * 2").unwrap();
        assert_eq!(formula.eval(&[("x", Value::from(4))]).unwrap(), 8.into());
    });
}

#[test]
fn an_engine_built_inside_a_runtime_uses_it() {
    bounded(60, || {
        let runtime = multi_thread_runtime();
        let engine = runtime.block_on(async { with_nap(Engine::builder()).build().unwrap() });
        // Outside the runtime now: the engine kept the one it was built in.
        assert_eq!(engine.eval("nap(1) + nap(2)").unwrap(), Value::from(3));
        // Awaited inside it, and a host future that spawns on it.
        let spawner = Engine::builder().workers(2).async_function(
            "remote",
            1,
            |args: Vec<Value>| async move {
                let task = tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    args[0].clone()
                });
                task.await.map_err(|e| e.to_string())
            },
        );
        let value = runtime.block_on(async move {
            let spawner = spawner.build().unwrap();
            spawner.submit("remote(7) * 6").unwrap().await
        });
        assert_eq!(value.unwrap(), Value::from(42));
    });
}

#[test]
fn without_a_runtime_the_error_says_what_is_missing() {
    bounded(60, || {
        // Built outside any runtime and given none: tokio's panic is an
        // internal error of that call, and it says how to fix it.
        let engine = with_nap(Engine::builder()).build().unwrap();
        let error = engine.eval("nap(1)").unwrap_err();
        assert_eq!(error.kind, ErrorKind::Internal);
        let message = error.to_string();
        assert!(message.contains("feature `tokio`"), "{message}");
        assert!(message.contains("tokio_handle"), "{message}");
    });
}

#[test]
fn a_current_thread_runtime_awaits_but_refuses_to_block() {
    bounded(60, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async {
            let engine = with_nap(Engine::builder()).build().unwrap();
            // Awaiting lets this thread drive the runtime's timers.
            let value = engine.submit("nap(40) + nap(2)").unwrap().await;
            assert_eq!(value.unwrap(), Value::from(42));

            // Blocking it would never end: each blocking entry point says
            // so at once instead.
            let refused = |outcome: Result<Value, exprflow::Error>| {
                let error = outcome.unwrap_err();
                assert_eq!(error.kind, ErrorKind::WouldBlock, "{error}");
                assert!(error.to_string().starts_with("would block: "), "{error}");
                assert!(error.to_string().contains(".await"), "{error}");
            };
            refused(engine.eval("nap(1)"));
            refused(engine.eval("1 + 2"));
            let future = engine.submit("nap(3)").unwrap();
            refused(future.wait());
            refused(future.wait_timeout(Duration::from_secs(30)));
            assert_eq!(future.await.unwrap(), Value::from(3));
            for outcome in engine.map(["nap(1)", "2"]) {
                refused(outcome);
            }
            refused(engine.session().eval("nap(1)").map(|v| v.expect("a value")));
            let formula = engine.compile("x + 1").unwrap();
            refused(formula.eval(&[("x", Value::from(1))]));
            refused(formula.eval_many(&[vec![Value::from(1)]]).remove(0));
            let model = engine.model();
            model.define("y = nap(1)").unwrap();
            refused(model.get("y"));

            // An engine without async host functions has nothing that
            // needs this thread: it may block.
            let plain = Engine::with_workers(2).unwrap();
            assert_eq!(plain.eval("2 + 3").unwrap(), Value::from(5));
        });
        // Outside the runtime (nobody drives it, but `nap`'s sleep is not
        // reached): blocking is allowed again.
        let engine = runtime.block_on(async { with_nap(Engine::builder()).build().unwrap() });
        assert_eq!(engine.eval("1 + 2").unwrap(), Value::from(3));
    });
}

/// Tells, when dropped, whether a tokio runtime was current.
struct DropProbe(Arc<AtomicBool>);

impl Drop for DropProbe {
    fn drop(&mut self) {
        let inside = tokio::runtime::Handle::try_current().is_ok();
        self.0.store(inside, Ordering::SeqCst);
    }
}

#[test]
fn a_cancelled_host_future_is_dropped_inside_the_runtime() {
    bounded(60, || {
        let runtime = multi_thread_runtime();
        let started = Arc::new(AtomicBool::new(false));
        let dropped_inside = Arc::new(AtomicBool::new(false));
        let (start_flag, drop_flag) = (Arc::clone(&started), Arc::clone(&dropped_inside));
        let engine = Engine::builder()
            .workers(2)
            .tokio_handle(runtime.handle().clone())
            .async_function("forever", 1, move |_: Vec<Value>| {
                // Runs at the call's first poll.
                let probe = DropProbe(Arc::clone(&drop_flag));
                start_flag.store(true, Ordering::SeqCst);
                async move {
                    let _probe = probe;
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok(Value::from(0))
                }
            })
            .build()
            .unwrap();
        let future = engine.submit("forever(1)").unwrap();
        while !started.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
        assert!(future.cancel());
        assert_eq!(future.wait().unwrap_err().kind, ErrorKind::Cancelled);
        // The call's future (holding the probe) is dropped by whoever lets
        // go of it last: wait for that, on state. Left: this test's handle
        // and the registered closure's.
        while Arc::strong_count(&dropped_inside) > 2 {
            std::thread::yield_now();
        }
        assert!(dropped_inside.load(Ordering::SeqCst));
    });
}
