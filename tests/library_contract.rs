//! The library contract of the spec's section 5, written only from the
//! spec and using only the crate root: if this compiles and passes, an
//! embedder's program written the same way does too.

use std::time::{Duration, Instant};

use exprflow::{Engine, Error, ErrorKind, ExprFuture, Return, Value};

fn engine() -> Engine {
    Engine::builder().workers(2).build().expect("an engine")
}

#[test]
fn eval_submit_and_the_future_methods() {
    let engine = engine();
    let v: Value = engine.eval("(3+7)*(2+8)*((2*3)-1)").unwrap();
    assert_eq!(v, Value::from(500));
    let f: ExprFuture = engine.submit("fact(30) / fact(28)").unwrap();
    assert_eq!(f.wait().unwrap(), Value::from(870));
    assert!(f.is_done());
    assert_eq!(
        f.wait_timeout(Duration::from_secs(1)).unwrap(),
        Value::from(870)
    );
    assert!(!f.cancel(), "a finished future cannot be cancelled");

    let slow = engine.submit("delay(1, 60000)").unwrap();
    assert_eq!(
        slow.wait_timeout(Duration::from_millis(10))
            .unwrap_err()
            .kind,
        ErrorKind::TimedOut
    );
    let (sender, receiver) = std::sync::mpsc::channel();
    slow.on_complete(move |outcome| {
        let _ = sender.send(outcome.as_ref().map_err(|e| e.kind).err());
    });
    assert!(slow.cancel());
    assert_eq!(slow.wait().unwrap_err().kind, ErrorKind::Cancelled);
    assert_eq!(
        receiver.recv_timeout(Duration::from_secs(60)).unwrap(),
        Some(ErrorKind::Cancelled)
    );
    assert_eq!(engine.submit("1 +").unwrap_err().kind, ErrorKind::Syntax);
    let _ = Engine::new().unwrap();
}

#[test]
fn futures_are_awaitable() {
    let engine = engine();
    let f = engine.submit("2^10").unwrap();
    assert_eq!(futures::executor::block_on(f).unwrap(), Value::from(1024));
}

/// 200 `delay(i, 50)` futures on 2 workers, awaited with `join_all`: the
/// delays wait on the timer, not on the workers, so the whole takes about
/// 50 ms. Only a hang is asserted (timing assertions do not belong here);
/// the time is printed for `--nocapture` readers.
#[test]
fn two_hundred_delays_with_join_all() {
    let engine = engine();
    let began = Instant::now();
    let futures: Vec<ExprFuture> = (0..200)
        .map(|i| engine.submit(format!("delay({i}, 50)")).unwrap())
        .collect();
    let values: Vec<Result<Value, Error>> =
        futures::executor::block_on(futures::future::join_all(futures));
    let elapsed = began.elapsed();
    eprintln!("200 x delay(i, 50) on 2 workers with join_all: {elapsed:?}");
    for (i, value) in values.into_iter().enumerate() {
        assert_eq!(value.unwrap(), Value::from(i as i64));
    }
    assert!(elapsed < Duration::from_secs(60), "hung: {elapsed:?}");
}

#[test]
fn as_completed_wait_and_map() {
    let engine = engine();
    let futures = vec![
        engine.submit("delay(1, 300)").unwrap(),
        engine.submit("delay(2, 5)").unwrap(),
        engine.submit("1/0").unwrap(),
    ];
    let mut seen: Vec<(usize, Result<Value, Error>)> = exprflow::as_completed(&futures).collect();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen.last().map(|(i, _)| *i), Some(0), "the slow one last");
    seen.sort_by_key(|(i, _)| *i);
    assert_eq!(seen[1].1.as_ref().unwrap(), &Value::from(2));
    assert_eq!(
        seen[2].1.as_ref().unwrap_err().kind,
        ErrorKind::DivisionByZero
    );

    let futures = vec![
        engine.submit("delay(1, 60000)").unwrap(),
        engine.submit("delay(2, 1)").unwrap(),
    ];
    let d = Some(Duration::from_secs(30));
    let (done, pending) = exprflow::wait(&futures, Return::FirstCompleted, d);
    assert_eq!((done, pending), (vec![1], vec![0]));
    let (done, pending) = exprflow::wait(
        &futures,
        Return::AllCompleted,
        Some(Duration::from_millis(20)),
    );
    assert_eq!((done, pending), (vec![1], vec![0]), "the timeout passed");
    let failing = vec![
        engine.submit("delay(1, 60000)").unwrap(),
        engine.submit("sqrt(-1)").unwrap(),
    ];
    let (done, pending) = exprflow::wait(&failing, Return::FirstException, d);
    assert_eq!((done, pending), (vec![1], vec![0]));

    let outcomes: Vec<Result<Value, Error>> = engine.map(["1+1", "1/0", "2^10"]);
    assert_eq!(outcomes[0].as_ref().unwrap(), &Value::from(2));
    assert_eq!(
        outcomes[1].as_ref().unwrap_err().kind,
        ErrorKind::DivisionByZero
    );
    assert_eq!(outcomes[2].as_ref().unwrap(), &Value::from(1024));
}

#[test]
fn sessions_and_value_conversions() {
    let engine = engine();
    let mut session = engine.session();
    assert_eq!(session.eval("x = 12").unwrap(), Some(Value::from(12)));
    assert_eq!(session.eval("# nothing").unwrap(), None);
    assert_eq!(session.eval("x^2").unwrap(), Some(Value::from(144)));

    assert_eq!(Value::from(7i64).to_string(), "7");
    assert_eq!(Value::from(u64::MAX).to_string(), "18446744073709551615");
    assert_eq!(
        Value::from(1i128 << 70).to_string(),
        "1180591620717411303424"
    );
    assert!(Value::try_from(f64::NAN).is_err());
    assert!(Value::try_from(f64::INFINITY).is_err());
    assert_eq!(Value::try_from(0.5).unwrap().to_string(), "0.5");
    assert_eq!(i64::try_from(&Value::from(-3)).unwrap(), -3);
    assert!(i64::try_from(&Value::from(u64::MAX)).is_err());
    assert!(i64::try_from(&engine.eval("1/2").unwrap()).is_err());
    assert_eq!(f64::try_from(&engine.eval("1/4").unwrap()).unwrap(), 0.25);
    assert!(f64::try_from(&engine.eval("2^2000").unwrap()).is_err());
}
