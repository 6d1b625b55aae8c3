//! `as_completed_stream`: the async `as_completed`, a `futures_core::Stream`
//! of `(index, outcome)` in completion order, under `futures`' executor and
//! under tokio. Orders are made certain by state (a future that cannot
//! finish until cancelled), never by timing.

#[path = "support/bounded.rs"]
mod bounded;

use bounded::bounded;
use exprflow::{Engine, ErrorKind, ExprFuture, Value, as_completed_stream};
use futures::stream::FusedStream;
use futures::{Stream, StreamExt};

/// A future that never finishes by itself, then two that do.
fn three(engine: &Engine) -> Vec<ExprFuture> {
    vec![
        engine.submit("delay(1, 3600000)").unwrap(),
        engine.submit("6*7").unwrap(),
        engine.submit("1/0").unwrap(),
    ]
}

/// Drains the stream: the first two items are the finished futures (in
/// either order), then the stuck one once cancelled, then the end.
async fn check_order(futures: &[ExprFuture]) {
    let mut completed = as_completed_stream(futures);
    assert_eq!(completed.size_hint(), (3, Some(3)));
    let mut first_two = vec![
        completed.next().await.unwrap(),
        completed.next().await.unwrap(),
    ];
    first_two.sort_by_key(|(index, _)| *index);
    let [(1, value), (2, error)] = &first_two[..] else {
        panic!("not the two finished futures first: {first_two:?}");
    };
    assert_eq!(value.as_ref().unwrap(), &Value::from(42));
    assert_eq!(error.as_ref().unwrap_err().kind, ErrorKind::DivisionByZero);
    assert!(!completed.is_terminated());
    assert!(futures[0].cancel());
    let (index, outcome) = completed.next().await.unwrap();
    assert_eq!(
        (index, outcome.unwrap_err().kind),
        (0, ErrorKind::Cancelled)
    );
    assert!(completed.next().await.is_none());
    assert!(completed.is_terminated());
}

#[test]
fn under_the_futures_executor() {
    bounded(60, || {
        let engine = Engine::with_workers(2).unwrap();
        let futures = three(&engine);
        futures::executor::block_on(check_order(&futures));
    });
}

#[test]
fn under_tokio_current_thread_and_multi_thread() {
    bounded(60, || {
        let engine = Engine::with_workers(2).unwrap();
        // One thread, no timers of tokio's own: only exprflow's wake-ups
        // can move the stream on.
        let local = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        local.block_on(async {
            let futures = three(&engine);
            check_order(&futures).await;
        });
        let pool = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let spawned = pool.spawn(async move {
            let futures = three(&engine);
            check_order(&futures).await;
        });
        pool.block_on(spawned).unwrap();
    });
}

#[test]
fn finished_and_empty_lists() {
    bounded(60, || {
        let engine = Engine::with_workers(2).unwrap();
        let done = vec![engine.submit("1+1").unwrap(), engine.submit("2+2").unwrap()];
        for future in &done {
            future.wait().unwrap();
        }
        let items: Vec<_> = futures::executor::block_on(as_completed_stream(&done).collect());
        let mut indices: Vec<usize> = items.iter().map(|(index, _)| *index).collect();
        indices.sort_unstable();
        assert_eq!(indices, [0, 1]);
        let none: Vec<ExprFuture> = Vec::new();
        let mut empty = as_completed_stream(&none);
        assert!(empty.is_terminated());
        assert!(futures::executor::block_on(empty.next()).is_none());
    });
}

#[test]
fn dropping_the_stream_cancels_nothing() {
    bounded(60, || {
        let engine = Engine::with_workers(2).unwrap();
        let futures = vec![engine.submit("delay(5, 20)").unwrap()];
        drop(as_completed_stream(&futures));
        assert_eq!(futures[0].wait().unwrap(), Value::from(5));
    });
}
