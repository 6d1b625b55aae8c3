//! SPEC section 5, "Values convert as Rust users expect": `From<bool>`,
//! `From` every integer type, `FromStr` (a literal of the language),
//! `PartialOrd` by numeric value across the tower, `Eq` and `Hash`
//! consistent with `==`; and definitions through `Engine::eval` say that
//! they need a session. Public API only.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use exprflow::{Engine, ErrorKind, Session, Value};
use proptest::prelude::*;

fn eval(text: &str) -> Value {
    exprflow::eval(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Values across the tower, with many that are numerically equal across
/// kinds (2 and 2.0, 1/2 and 0.5) or equal as exact values written apart.
fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-40i64..40).prop_map(Value::from),
        (-40i64..40, 1i64..9).prop_map(|(a, b)| eval(&format!("({a})/{b}"))),
        (-160i64..160).prop_map(|n| Value::Float(n as f64 / 4.0)),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Value::Float),
        (0u32..200, -3i64..3).prop_map(|(k, c)| eval(&format!("2^{k} + ({c})"))),
        (0u32..70).prop_map(|k| Value::Float(2f64.powi(k as i32))),
        Just(Value::Float(-0.0)),
    ]
}

fn hash(v: &Value, state: &RandomState) -> u64 {
    state.hash_one(v)
}

/// The language's own verdict on `a OP b` (exact across the tower, as
/// Python compares int, Fraction and float).
fn language(a: &Value, op: &str, b: &Value) -> bool {
    let mut s = Session::new();
    s.set("a", a.clone()).unwrap();
    s.set("b", b.clone()).unwrap();
    s.eval(format!("a {op} b")).unwrap() == Some(Value::from(1))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn eq_hash_and_order_agree(a in value(), b in value(), c in value()) {
        let state = RandomState::new();
        prop_assert_eq!(&a, &a);
        if a == b {
            prop_assert_eq!(hash(&a, &state), hash(&b, &state));
        }
        prop_assert_eq!(a == b, a.partial_cmp(&b) == Some(Ordering::Equal));
        prop_assert_eq!(a.partial_cmp(&b), b.partial_cmp(&a).map(Ordering::reverse));
        // A float equals no exact value.
        if matches!(a, Value::Float(_)) != matches!(b, Value::Float(_)) {
            prop_assert_ne!(&a, &b);
        }
        // Ordering is transitive.
        if a < b && b < c {
            prop_assert!(a < c);
        }
        if a <= b && b <= c {
            prop_assert!(a <= c);
        }
    }

    #[test]
    fn the_order_is_the_languages(a in value(), b in value()) {
        match a.partial_cmp(&b) {
            Some(Ordering::Less) => prop_assert!(language(&a, "<", &b)),
            Some(Ordering::Greater) => prop_assert!(language(&a, ">", &b)),
            // Equal, or a float and an exact value of the same magnitude.
            _ => prop_assert!(language(&a, "==", &b)),
        }
    }

    #[test]
    fn parse_reads_literals_as_the_language_does(
        int in "[0-9]{1,3}(_[0-9]{1,3}){0,2}",
        frac in proptest::option::of("[0-9]{1,4}"),
        exp in proptest::option::of(-20i32..20),
        sign in proptest::option::of(prop_oneof![Just("-"), Just("+")]),
    ) {
        let mut text = int.clone();
        if let Some(frac) = &frac {
            text = format!("{text}.{frac}");
        }
        if let Some(exp) = exp {
            text = format!("{text}e{exp}");
        }
        let signed = format!("{}{text}", sign.unwrap_or(""));
        let parsed: Value = signed.parse().map_err(|e| TestCaseError::fail(format!("{signed}: {e}")))?;
        prop_assert_eq!(parsed, eval(&format!("0 + ({signed})")));
    }
}

#[test]
fn parse_refuses_what_is_not_a_literal() {
    assert_eq!("0.25".parse::<Value>().unwrap(), eval("1/4"));
    assert_eq!(".5".parse::<Value>().unwrap(), eval("1/2"));
    assert_eq!("-1_000".parse::<Value>().unwrap(), Value::from(-1000));
    for bad in [
        "1/3", "2+2", " 7", "7 ", "", "-", "nan", "inf", "1__0", "_1", "1e", "0x10", "--1",
    ] {
        let e = bad.parse::<Value>().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Syntax, "{bad:?}: {e}");
    }
    let e = "1e999999999999".parse::<Value>().unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge, "{e}");
}

#[test]
fn every_integer_type_and_bool_converts() {
    assert_eq!(Value::from(true), Value::from(1));
    assert_eq!(Value::from(false), eval("1 > 2"));
    assert_eq!(Value::from(i8::MIN), eval("-128"));
    assert_eq!(Value::from(u8::MAX), eval("255"));
    assert_eq!(Value::from(i16::MIN), eval("-32768"));
    assert_eq!(Value::from(u16::MAX), eval("65535"));
    assert_eq!(Value::from(i32::MIN), eval("-2^31"));
    assert_eq!(Value::from(u32::MAX), eval("2^32 - 1"));
    assert_eq!(Value::from(i64::MIN), eval("-2^63"));
    assert_eq!(Value::from(u64::MAX), eval("2^64 - 1"));
    assert_eq!(Value::from(i128::MIN), eval("-2^127"));
    assert_eq!(Value::from(u128::MAX), eval("2^128 - 1"));
    assert_eq!(Value::from(isize::MIN), Value::from(isize::MIN as i64));
    assert_eq!(Value::from(usize::MAX), Value::from(usize::MAX as u64));
}

#[test]
fn values_key_a_hash_map() {
    let mut seen: HashMap<Value, &str> = HashMap::new();
    seen.insert(eval("4/2"), "two");
    seen.insert(Value::Float(2.0), "two point oh");
    seen.insert(Value::Float(-0.0), "zero point oh");
    assert_eq!(seen[&Value::from(2u8)], "two");
    assert_eq!(seen[&Value::Float(2.0)], "two point oh");
    assert_eq!(seen[&Value::Float(0.0)], "zero point oh");
    assert!(!seen.contains_key(&Value::from(0)));
    let mut sorted = [
        eval("1/3"),
        Value::from(-1),
        Value::Float(0.25),
        eval("2^100"),
    ];
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("distinct magnitudes are ordered"));
    let shown: Vec<String> = sorted.iter().map(Value::to_string).collect();
    assert_eq!(
        shown,
        ["-1", "0.25", "1/3", "1267650600228229401496703205376"]
    );
}

#[test]
fn definitions_through_engine_eval_say_they_need_a_session() {
    let engine = Engine::with_workers(1).unwrap();
    for (text, words) in [
        ("f(x) = x*2", "`f(x) = ...` defines a function"),
        ("x = 1", "`x = ...` assigns a variable"),
    ] {
        for e in [
            engine.eval(text).unwrap_err(),
            engine.submit(text).unwrap_err(),
            engine.map([text])[0].clone().unwrap_err(),
            exprflow::eval(text).unwrap_err(),
        ] {
            assert_eq!(e.kind, ErrorKind::Syntax, "{text}: {e}");
            let shown = e.to_string();
            assert!(shown.contains(words), "{shown}");
            assert!(shown.contains("need a session"), "{shown}");
            assert_eq!(e.span.start, 0, "{text}: at the name");
        }
    }
    // In a session they work.
    let mut session = engine.session();
    assert_eq!(session.eval("f(x) = x*2").unwrap(), None);
    assert_eq!(session.eval("f(21)").unwrap(), Some(Value::from(42)));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// Any text: `parse` never panics; it reads what the language reads as
    /// one literal, and refuses the rest with a kind.
    #[test]
    fn parse_is_total(text in prop_oneof![
        "[-+]?[0-9._eE+-]{0,12}",
        any::<String>(),
        "[0-9]{1,40}(e[0-9]{1,4}|e[0-9]{12,14})?",
    ]) {
        match text.parse::<Value>() {
            Ok(v) => {
                let again = exprflow::eval(&format!("0 + ({text})"));
                prop_assert_eq!(Ok(v), again.map_err(|e| e.to_string()));
            }
            Err(e) => {
                let known = matches!(e.kind, ErrorKind::Syntax | ErrorKind::TooLarge);
                prop_assert!(known, "{:?}: {}", text, e);
            }
        }
    }
}
