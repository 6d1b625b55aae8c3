//! Models: cells, cycles, unknown names, early cutoff, recompute counts and
//! cancellation.

use std::time::{Duration, Instant};

use super::{Model, Recompute};
use crate::{Engine, ErrorKind, Value};

fn model(workers: usize) -> Model {
    Engine::with_workers(workers).unwrap().model()
}

fn value(model: &Model, name: &str) -> String {
    match model.get(name) {
        Ok(v) => v.to_string(),
        Err(e) => format!("error: {e}"),
    }
}

fn counts(recomputed: usize, reused: usize) -> Recompute {
    Recompute { recomputed, reused }
}

#[test]
fn spec_example() {
    let model = model(2);
    model.define("total = price * qty + fee").unwrap();
    model.set("price", Value::from(3)).unwrap();
    model.set("qty", 4.into()).unwrap();
    model.set("fee", 1.into()).unwrap();
    assert_eq!(value(&model, "total"), "13");
    model.set("fee", 2.into()).unwrap();
    assert_eq!(value(&model, "total"), "14");
    assert_eq!(model.last_recompute(), counts(1, 0));
    assert_eq!(value(&model, "price"), "3");
}

#[test]
fn cells_in_any_order_and_redefinition_replaces() {
    let model = model(1);
    model.define("c = b * 2\nb = a + 1").unwrap();
    model.set("a", 1.into()).unwrap();
    assert_eq!(value(&model, "c"), "4");
    model.define("b = a + 10").unwrap();
    assert_eq!(value(&model, "c"), "22");
    // A formula becomes a value and back.
    model.set("b", 5.into()).unwrap();
    assert_eq!(value(&model, "c"), "10");
    model.define("b = a - 1").unwrap();
    assert_eq!(value(&model, "c"), "0");
    // Later lines of one define replace earlier ones.
    model.define("d = 1\nd = 2").unwrap();
    assert_eq!(value(&model, "d"), "2");
}

#[test]
fn cycles_are_named_at_get() {
    let model = model(2);
    model
        .define("a = c + 1\nc = b + 1\nb = a + 1\nd = a * 2\ne = 7")
        .unwrap();
    assert_eq!(value(&model, "a"), "error: cycle: a -> c -> b -> a");
    assert_eq!(value(&model, "b"), "error: cycle: b -> a -> c -> b");
    assert_eq!(model.get("c").unwrap_err().kind, ErrorKind::Cycle);
    // Downstream of a cycle: its error, as any input's error.
    assert_eq!(value(&model, "d"), "error: cycle: a -> c -> b -> a");
    assert_eq!(value(&model, "e"), "7");
    // The span is the cell's name in its definition.
    let error = model.get("c").unwrap_err();
    assert_eq!(&model.source()[error.span.start..error.span.end], "c");
    // Redefining one cell breaks the cycle.
    model.define("b = 1").unwrap();
    assert_eq!(value(&model, "d"), "6");
    assert_eq!(value(&model, "a"), "3");
    // A cell reading itself.
    model.define("s = s + 1").unwrap();
    assert_eq!(value(&model, "s"), "error: cycle: s -> s");
}

#[test]
fn cycle_message_does_not_depend_on_the_order_of_edits() {
    let one = model(1);
    one.define("x = y\ny = z\nz = x").unwrap();
    let two = model(1);
    two.define("z = x").unwrap();
    two.define("y = z").unwrap();
    two.define("x = y").unwrap();
    for name in ["x", "y", "z"] {
        assert_eq!(value(&one, name), value(&two, name));
    }
}

#[test]
fn leftmost_error_within_a_cell() {
    let model = model(2);
    model
        .define("a = 1/0\nb = sqrt(-1)\nc = b + a\nd = if(1, 5, a)")
        .unwrap();
    assert_eq!(model.get("c").unwrap_err().kind, ErrorKind::Domain);
    assert_eq!(value(&model, "d"), "5");
    model.define("c = a + b").unwrap();
    assert_eq!(model.get("c").unwrap_err().kind, ErrorKind::DivisionByZero);
}

#[test]
fn unknown_names_are_errors_at_get_naming_them() {
    let model = model(1);
    model.define("total = price * 2 + pi * 0").unwrap();
    let error = model.get("total").unwrap_err();
    assert_eq!(error.to_string(), "unknown variable: `price`");
    assert_eq!(&model.source()[error.span.start..error.span.end], "price");
    model.set("price", 4.into()).unwrap();
    assert_eq!(value(&model, "total"), "8.0");
    assert_eq!(
        model.get("nothing").unwrap_err().kind,
        ErrorKind::UnknownVariable
    );
    // A cell shadows a constant of its name.
    model.define("pi = 3\nk = pi").unwrap();
    assert_eq!(value(&model, "k"), "3");
}

#[test]
fn define_refuses_what_is_not_a_cell() {
    let model = model(1);
    assert_eq!(
        model.define("f(x) = x^2").unwrap_err().kind,
        ErrorKind::Syntax
    );
    assert_eq!(model.define("1 + 2").unwrap_err().kind, ErrorKind::Syntax);
    // All or nothing: the good first line is not defined either.
    assert!(model.define("a = 1\nb = (").is_err());
    assert_eq!(model.get("a").unwrap_err().kind, ErrorKind::UnknownVariable);
    assert_eq!(
        model.set("not a name", 1.into()).unwrap_err().kind,
        ErrorKind::Syntax
    );
    model.define("# only a comment\n\n").unwrap();
}

#[test]
fn early_cutoff_stops_at_an_unchanged_value() {
    let model = model(2);
    model
        .define("y = x * 0\nz1 = y + 1\nz2 = z1 + 1\nz3 = z2 + 1")
        .unwrap();
    model.set("x", 1.into()).unwrap();
    assert_eq!(value(&model, "z3"), "3");
    assert_eq!(model.last_recompute(), counts(4, 0));
    model.set("x", 2.into()).unwrap();
    assert_eq!(value(&model, "z3"), "3");
    // Only y was evaluated; z1..z3 kept their values.
    assert_eq!(model.last_recompute(), counts(1, 3));
    // A redefinition with the same value cuts off too.
    model.define("y = 0").unwrap();
    assert_eq!(value(&model, "z3"), "3");
    assert_eq!(model.last_recompute(), counts(1, 3));
    // Setting the value a cell has changes nothing.
    model.set("x", 2.into()).unwrap();
    assert_eq!(value(&model, "z3"), "3");
    assert_eq!(model.last_recompute(), counts(0, 4));
}

#[test]
fn floats_zero_signs_are_not_the_same() {
    let model = model(1);
    model.define("y = x * 1.0\nz = 1 / y").unwrap();
    model.set("x", Value::try_from(0.5).unwrap()).unwrap();
    assert_eq!(value(&model, "z"), "2.0");
    model.set("x", Value::try_from(-0.0).unwrap()).unwrap();
    value(&model, "z");
    model.set("x", Value::try_from(0.0).unwrap()).unwrap();
    assert_eq!(model.last_recompute().recomputed, 2);
    let fresh = model_with(
        "y = x * 1.0\nz = 1 / y",
        &[("x", Value::try_from(0.0).unwrap())],
    );
    assert_eq!(value(&model, "z"), value(&fresh, "z"));
}

fn model_with(text: &str, inputs: &[(&str, Value)]) -> Model {
    let model = model(1);
    model.define(text).unwrap();
    for (name, value) in inputs {
        model.set(name, value.clone()).unwrap();
    }
    model
}

#[test]
fn only_what_the_target_needs_is_recomputed() {
    let model = model(2);
    model.define("a = x + 1\nb = y + 1\nc = a + b").unwrap();
    model.set("x", 1.into()).unwrap();
    model.set("y", 1.into()).unwrap();
    assert_eq!(value(&model, "c"), "4");
    model.set("x", 2.into()).unwrap();
    model.set("y", 2.into()).unwrap();
    assert_eq!(value(&model, "a"), "3");
    assert_eq!(model.last_recompute(), counts(1, 0));
    // b and c are still to do: a is current.
    assert_eq!(value(&model, "c"), "6");
    assert_eq!(model.last_recompute(), counts(2, 1));
}

#[test]
fn volatile_cells_recompute_only_when_an_input_changes() {
    let model = model(2);
    model.define("slow = busy(x, 1) + delay(1, 1)").unwrap();
    model.set("x", 1.into()).unwrap();
    assert_eq!(value(&model, "slow"), "2");
    assert_eq!(model.last_recompute(), counts(1, 0));
    for _ in 0..3 {
        assert_eq!(value(&model, "slow"), "2");
        assert_eq!(model.last_recompute(), counts(0, 1));
    }
    model.set("x", 2.into()).unwrap();
    assert_eq!(value(&model, "slow"), "3");
    assert_eq!(model.last_recompute(), counts(1, 0));
}

#[test]
fn independent_cells_run_in_parallel_and_agree() {
    let text: String = (0..200)
        .map(|i| format!("c{i} = busy(x + {i}, 0) * 2\n"))
        .chain(std::iter::once(
            (0..200)
                .map(|i| format!("c{i}"))
                .collect::<Vec<_>>()
                .join(" + "),
        ))
        .collect();
    let text = text.replacen("c0 + ", "total = c0 + ", 1);
    let model = model(4);
    model.define(&text).unwrap();
    model.set("x", 1.into()).unwrap();
    // sum of 2*(1+i) for i < 200 = 2*200 + 2*19900
    assert_eq!(value(&model, "total"), (2 * 200 + 2 * 19_900).to_string());
    assert_eq!(model.last_recompute(), counts(201, 0));
}

/// `get(name)` on another thread, and `meanwhile` on this one once that
/// `get` is recomputing.
fn get_while(model: &Model, name: &str, meanwhile: impl FnOnce()) -> Result<Value, crate::Error> {
    std::thread::scope(|scope| {
        let getter = scope.spawn(|| model.get(name));
        while !model.recomputing() {
            std::thread::sleep(Duration::from_millis(1));
        }
        meanwhile();
        getter.join().unwrap()
    })
}

/// A `set` from another thread cancels the stale recompute of a `get` in
/// progress, which then answers for the new cells. Without cancellation
/// the first recompute would burn a minute of CPU.
#[test]
fn an_edit_cancels_a_stale_recompute() {
    let model = model(2);
    model.define("y = if(x == 1, busy(1, 60000), 7)").unwrap();
    model.set("x", 1.into()).unwrap();
    let began = Instant::now();
    let got = get_while(&model, "y", || model.set("x", 2.into()).unwrap());
    assert_eq!(got.unwrap().to_string(), "7");
    // A generous bound: what is tested is that it does not hang.
    assert!(began.elapsed() < Duration::from_secs(30));
    assert_eq!(model.last_recompute(), counts(1, 0));
}

/// A `get` that starts while a stale recompute runs cancels it too, and
/// both `get`s answer for the current cells.
#[test]
fn a_get_cancels_a_stale_recompute_of_another_get() {
    let model = model(2);
    model
        .define("y = if(x == 1, busy(1, 60000), x * 10)\nz = y + 1")
        .unwrap();
    model.set("x", 1.into()).unwrap();
    let first = get_while(&model, "y", || {
        model.set("x", 3.into()).unwrap();
        assert_eq!(model.get("z").unwrap().to_string(), "31");
    });
    assert_eq!(first.unwrap().to_string(), "30");
}

#[test]
fn model_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Model>();
}

/// Long chains and long cycles: nothing recurses on their length.
#[test]
fn long_chains_and_cycles() {
    let n = 20_000;
    let mut text: String = (1..n).map(|i| format!("c{i} = c{} + 1\n", i - 1)).collect();
    text.push_str("c0 = x\n");
    let model = model(2);
    model.define(&text).unwrap();
    model.set("x", 1.into()).unwrap();
    assert_eq!(value(&model, &format!("c{}", n - 1)), n.to_string());
    assert_eq!(model.last_recompute(), counts(n, 0));
    // Close the chain into a ring: every cell is on one cycle.
    model.define(format!("c0 = c{} + x", n - 1)).unwrap();
    let error = value(&model, "c5");
    assert!(
        error.starts_with("error: cycle: c5 -> c4 -> c3 -> c2 -> c1 -> c0 -> c19999 ->"),
        "{error}"
    );
    assert!(
        error.ends_with(&format!("... ({} more) -> c5", n - 10)),
        "{error}"
    );
}

/// Host functions in cells: resolved by the engine's registry; a volatile
/// one is called again only when an input of its cell changes (the
/// spreadsheet rule), never by a `get` alone.
#[test]
fn host_functions_and_volatile_cells() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let engine = Engine::builder()
        .workers(2)
        .function("hyp", 2, |args: &[Value]| {
            let square = |v: &Value| f64::try_from(v).map(|x| x * x).map_err(|e| e.to_string());
            let h = (square(&args[0])? + square(&args[1])?).sqrt();
            Value::try_from(h).map_err(|e| e.to_string())
        })
        .volatile_function("tick", 1, move |args: &[Value]| {
            counted.fetch_add(1, Ordering::SeqCst);
            Ok(args[0].clone())
        })
        .async_function(
            "later",
            1,
            |args: Vec<Value>| async move { Ok(args[0].clone()) },
        )
        .build()
        .unwrap();
    let model = engine.model();
    model
        .define("h = hyp(a, 4)\nt = tick(a) + later(a)\nu = t * 2")
        .unwrap();
    model.set("a", 3.into()).unwrap();
    assert_eq!(value(&model, "h"), "5.0");
    assert_eq!(value(&model, "u"), "12");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    for _ in 0..3 {
        assert_eq!(value(&model, "u"), "12");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    model.set("b", 1.into()).unwrap(); // not an input of t
    assert_eq!(value(&model, "u"), "12");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    model.set("a", 4.into()).unwrap();
    assert_eq!(value(&model, "u"), "16");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(model.last_recompute(), counts(2, 0));
}

/// Cells of one shape share one compiled formula, and each reports its
/// errors at its own place in the source.
#[test]
fn cells_of_one_shape_share_a_formula() {
    use super::code::{Code, Compile, Shapes};
    let engine = Engine::with_workers(1).unwrap();
    let mut shapes = Shapes::default();
    let text = "a = x / y\n  bc = p / q\nd = x / (y)\ne = x / x\nf = y / x";
    let mut codes = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let how = (Compile::Formula, &mut shapes);
        codes.extend(Code::parse(line, offset, &engine, how).unwrap());
        offset += line.len() + 1;
    }
    let shared = |i: usize, j: usize| codes[i].shares_formula_with(&codes[j]);
    assert!(shared(0, 1), "a and bc have one shape");
    assert!(!shared(0, 2), "the parentheses make another shape");
    assert!(!shared(0, 3), "x / x reads one name twice");
    assert!(shared(0, 4), "y / x is names[0] / names[1] too");

    let model = model(1);
    model.define(text).unwrap();
    for (name, value) in [("x", 0), ("y", 0), ("p", 1), ("q", 0)] {
        model.set(name, value.into()).unwrap();
    }
    let source = model.source();
    for (cell, place) in [("a", "x / y"), ("bc", "p / q"), ("f", "y / x")] {
        let error = model.get(cell).unwrap_err();
        assert_eq!(error.kind, ErrorKind::DivisionByZero);
        let at = source.find(place).unwrap();
        assert_eq!(
            (error.span.start, error.span.end),
            (at, at + place.len()),
            "{cell}"
        );
    }
}
