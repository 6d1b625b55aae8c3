//! Host functions of a variable number of arguments ([`exprflow::Arity`]):
//! `n..` and `m..=n` accepted where a call is built (an expression, a
//! session's function body, a formula), and a call outside the range is
//! `wrong number of arguments` naming the range.

use exprflow::{Arity, Engine, ErrorKind, Value};

fn engine() -> Engine {
    let count = |args: &[Value]| Ok(Value::from(args.len() as i64));
    Engine::builder()
        .workers(2)
        .function("count", 1.., count)
        .volatile_function("between", 1..=2, count)
        .async_function("later", 0.., |args: Vec<Value>| async move {
            Ok(Value::from(args.len() as i64))
        })
        .build()
        .unwrap()
}

#[test]
fn calls_within_the_range_are_accepted() {
    let engine = engine();
    let value = engine.eval("count(1) + count(1, 2, 3) + between(1, 2) + later()");
    assert_eq!(value.unwrap(), Value::from(1 + 3 + 2));
}

#[test]
fn calls_outside_the_range_name_it() {
    let engine = engine();
    let error = engine.eval("count()").unwrap_err();
    assert_eq!(error.kind, ErrorKind::WrongArity);
    assert_eq!(
        error.to_string(),
        "wrong number of arguments: count takes at least 1 argument, got 0"
    );
    let error = engine.eval("between(1, 2, 3)").unwrap_err();
    assert_eq!(
        error.to_string(),
        "wrong number of arguments: between takes 1 to 2 arguments, got 3"
    );
}

#[test]
fn function_bodies_and_formulas_check_the_range_too() {
    let engine = engine();
    let mut session = engine.session();
    session.eval("f(x) = count(x, x, x) + later(x)").unwrap();
    assert_eq!(session.eval("f(1)").unwrap(), Some(Value::from(4)));
    session.eval("g(x) = between(x, x, x)").unwrap();
    let error = session.eval("g(1)").unwrap_err();
    assert_eq!(error.kind, ErrorKind::WrongArity);
    assert!(error.to_string().contains("1 to 2 arguments"), "{error}");
    let formula = engine.compile("count(a, b) * 10").unwrap();
    let value = formula.eval(&[("a", Value::from(1)), ("b", Value::from(2))]);
    assert_eq!(value.unwrap(), Value::from(20));
}

#[test]
fn ranges_convert_to_arities() {
    assert_eq!(Arity::from(3), Arity::Exactly(3));
    assert_eq!(Arity::from(2..), Arity::AtLeast(2));
    assert_eq!(Arity::from(2..=2), Arity::Exactly(2));
    assert_eq!(Arity::from(1..=3), Arity::Between(1, 3));
    assert_eq!(Arity::Between(1, 3).to_string(), "1 to 3");
}
