//! The column path against the row path: every row of
//! `Formula::eval_columns` is what `Formula::eval_row` gives for that row,
//! for random formulas and random columns, at 1, 2 and 8 workers.

use std::sync::OnceLock;

use proptest::prelude::*;

use super::code::InputKind;
use super::translate::translate;
use super::{Column, ColumnValues, Formula};
use crate::error::{Error, ErrorKind};
use crate::eval::Engine;
use crate::value::Value;

fn engines() -> &'static [Engine; 3] {
    static ENGINES: OnceLock<[Engine; 3]> = OnceLock::new();
    // A bit limit of 4,096 keeps the row path (the reference) quick on
    // the huge exact powers random formulas make.
    let limits = crate::eval::EvalLimits {
        value: crate::value::Limits { max_bits: 4096 },
        ..Default::default()
    };
    ENGINES.get_or_init(|| {
        [1, 2, 8].map(|w| {
            Engine::builder()
                .workers(w)
                .limits(limits)
                .build()
                .expect("an engine")
        })
    })
}

/// Whether two outcomes are the same: floats bit for bit.
fn same(a: &Result<Value, Error>, b: &Result<Value, Error>) -> bool {
    match (a, b) {
        (Ok(Value::Float(x)), Ok(Value::Float(y))) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// Row `row` of `columns` as values, or the error of a non-finite float.
fn row_values(formula: &Formula, columns: &[Column<'_>], row: usize) -> Result<Vec<Value>, Error> {
    columns
        .iter()
        .enumerate()
        .map(|(k, c)| match c {
            Column::F64(x) if x[row].is_finite() => Ok(Value::Float(x[row])),
            Column::F64(x) => Err(Error::with_detail(
                if x[row].is_nan() {
                    ErrorKind::Domain
                } else {
                    ErrorKind::TooLarge
                },
                formula.compiled.input_spans[k],
                format!(
                    "the input `{}` is {}",
                    formula.inputs()[k],
                    if x[row].is_nan() {
                        "NaN, not a number"
                    } else {
                        "an infinite float"
                    }
                ),
            )),
            Column::I64(n) => Ok(Value::from_i64(n[row])),
            Column::Scalar(v) => Ok(v.clone()),
        })
        .collect()
}

/// Checks every row of the column path against the row path; returns
/// whether the formula had column code for these columns.
fn check(text: &str, columns: &[Column<'_>]) -> Result<bool, TestCaseError> {
    let mut fast = false;
    for engine in engines() {
        let formula = engine.compile(text).expect("compiles");
        let kinds: Vec<InputKind<'_>> = columns
            .iter()
            .map(|c| match c {
                Column::F64(_) => InputKind::F,
                Column::I64(_) => InputKind::I,
                Column::Scalar(v) => InputKind::Scalar(v),
            })
            .collect();
        fast = translate(&formula.compiled.program, &kinds).is_some();
        let out = formula.eval_columns(columns).expect("columns fit");
        let rows = columns.iter().find_map(Column::rows).unwrap_or(1);
        prop_assert_eq!(out.values.len(), rows);
        for row in 0..rows {
            let expected = row_values(&formula, columns, row).and_then(|r| formula.eval_row(&r));
            let got = out.get(row).expect("a row");
            prop_assert!(
                same(&got, &expected),
                "{text}, row {row} ({:?}), {} workers: column path {got:?}, row path {expected:?}",
                row_values(&formula, columns, row),
                engine.workers()
            );
        }
        // The kind of the column follows from the outcomes alone.
        let ok: Vec<Value> = (0..rows).filter_map(|r| out.get(r)?.ok()).collect();
        let kind_ok = match &out.values {
            ColumnValues::F64(_) => ok.iter().all(|v| matches!(v, Value::Float(_))),
            ColumnValues::I64(_) => !ok.is_empty() && ok.iter().all(|v| i64::try_from(v).is_ok()),
            ColumnValues::Values(_) => {
                !ok.iter().all(|v| matches!(v, Value::Float(_)))
                    && !ok.iter().all(|v| i64::try_from(v).is_ok())
            }
        };
        prop_assert!(kind_ok, "{text}: column kind {:?}", out.values);
    }
    Ok(fast)
}

fn float_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            2.0,
            0.5,
            0.1,
            -3.0,
            1e308,
            -1e308,
            1e-308,
            5e-324,
            1e16,
            9.223372036854776e18,
            -9.223372036854776e18,
            4.5e15,
        ]),
        -1e6..1e6f64,
        -4.0..4.0f64,
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
    ]
}

fn int_value() -> impl Strategy<Value = i64> {
    prop_oneof![
        prop::sample::select(vec![
            0,
            1,
            -1,
            2,
            -2,
            3,
            i64::MAX,
            i64::MIN,
            i64::MAX - 1,
            i64::MIN + 1,
            3_037_000_499,
            -3_037_000_500,
            1 << 53,
            (1 << 53) + 1,
            4_294_967_296,
        ]),
        -1000..1000i64,
        any::<i64>(),
    ]
}

/// An input column of `rows` rows, or a scalar.
#[derive(Clone, Debug)]
enum Gen {
    F(Vec<f64>),
    I(Vec<i64>),
    Scalar(Value),
}

fn gen_column(rows: usize) -> impl Strategy<Value = Gen> {
    prop_oneof![
        4 => prop::collection::vec(float_value(), rows).prop_map(Gen::F),
        4 => prop::collection::vec(int_value(), rows).prop_map(Gen::I),
        1 => float_value().prop_map(|x| Gen::Scalar(Value::Float(x))),
        1 => int_value().prop_map(|n| Gen::Scalar(Value::from_i64(n))),
        1 => prop::sample::select(vec!["1/3", "0.1", "-2.5", "100000000000000000000000"])
            .prop_map(|t| Gen::Scalar(engines()[0].eval(t).expect("a value"))),
    ]
}

/// A random formula over `a`, `b`, `c` (iterative depth: proptest's
/// recursive strategy, a few levels).
fn formula() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => prop::sample::select(vec!["a", "b", "c"]).prop_map(String::from),
        1 => prop::sample::select(vec![
            "0", "1", "2", "3", "-1", "0.5", "0.1", "2.5", "1/3", "pi",
            "9223372036854775807", "1e300", "1e-300",
        ])
        .prop_map(String::from),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            4 => (inner.clone(), prop::sample::select(vec!["+", "-", "*", "/", "^", "//", "%"]), inner.clone())
                .prop_map(|(x, op, y)| format!("({x} {op} {y})")),
            2 => (inner.clone(), prop::sample::select(vec!["<", "<=", ">", ">=", "==", "!="]), inner.clone())
                .prop_map(|(x, op, y)| format!("({x} {op} {y})")),
            2 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, x, y)| format!("if({c}, {x}, {y})")),
            1 => inner.clone().prop_map(|x| format!("(-{x})")),
            1 => (prop::sample::select(vec!["abs", "sqrt", "float", "exp", "sin", "ln"]), inner.clone())
                .prop_map(|(f, x)| format!("{f}({x})")),
            1 => inner.prop_map(|x| format!("({x})^2")),
        ]
    })
}

fn case() -> impl Strategy<Value = (String, Vec<Gen>)> {
    (formula(), 0usize..2600).prop_flat_map(|(text, rows)| {
        let inputs = engines()[0].compile(&text).map_or(0, |f| f.inputs().len());
        (Just(text), prop::collection::vec(gen_column(rows), inputs))
    })
}

fn columns(gens: &[Gen]) -> Vec<Column<'_>> {
    gens.iter()
        .map(|g| match g {
            Gen::F(x) => Column::F64(x),
            Gen::I(n) => Column::I64(n),
            Gen::Scalar(v) => Column::Scalar(v.clone()),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_row_is_what_eval_row_gives((text, gens) in case()) {
        check(&text, &columns(&gens))?;
    }
}

/// Formulas of the kinds the column code covers, on columns built to hit
/// their edges: these must take the column path (else the property test
/// above would test the row path against itself).
#[test]
fn the_column_path_is_taken_and_exact() {
    let x: Vec<f64> = (0..3000)
        .map(|k| match k % 7 {
            0 => 0.0,
            1 => -0.0,
            2 => 1e308,
            3 => 5e-324,
            4 => -(k as f64) / 3.0,
            5 => 0.1,
            _ => k as f64 * 0.25,
        })
        .collect();
    let n: Vec<i64> = (0..3000)
        .map(|k| match k % 5 {
            0 => i64::MAX - k,
            1 => i64::MIN + k,
            2 => 0,
            3 => 3_037_000_499 + k,
            _ => k - 1500,
        })
        .collect();
    let cases: &[(&str, Vec<Column<'_>>)] = &[
        (
            "a*x^2 + b*x + c",
            vec![
                Column::Scalar(Value::from(3)),
                Column::F64(&x),
                Column::Scalar(Value::try_from(-2.0).unwrap()),
                Column::Scalar(engines()[0].eval("1/3").unwrap()),
            ],
        ),
        (
            "a*x^2 + b*x + c",
            vec![
                Column::I64(&n),
                Column::I64(&n),
                Column::Scalar(Value::from(7)),
                Column::I64(&n),
            ],
        ),
        ("if(x > 0.1, 1/x, x - 1) * 2", vec![Column::F64(&x)]),
        (
            "if(n >= 0, n // 3, n % 7) + (n == 0)",
            vec![Column::I64(&n)],
        ),
        ("x < n", vec![Column::F64(&x), Column::I64(&n)]),
        (
            "sqrt(x) + abs(n) - exp(x)",
            vec![Column::F64(&x), Column::I64(&n)],
        ),
        ("1 / (x - 1.5)", vec![Column::F64(&x)]),
    ];
    for (text, columns) in cases {
        assert!(
            check(text, columns).expect("rows agree"),
            "{text} has no column code"
        );
    }
}

#[test]
fn inputs_that_are_no_values_fail_their_rows() {
    let engine = &engines()[1];
    let f = engine.compile("x + y").unwrap();
    let x = [1.0, f64::NAN, f64::INFINITY, 2.0];
    let out = f
        .eval_columns(&[Column::F64(&x), Column::I64(&[1, 2, 3, 4])])
        .unwrap();
    let ColumnValues::F64(v) = &out.values else {
        panic!("{:?}", out.values)
    };
    assert_eq!((v[0], v[3]), (2.0, 6.0));
    assert!(v[1].is_nan() && v[2].is_nan());
    let kinds: Vec<ErrorKind> = out.errors.iter().map(|(_, e)| e.kind).collect();
    assert_eq!(kinds, [ErrorKind::Domain, ErrorKind::TooLarge]);
    assert_eq!(out.errors[0].0, 1);
    assert!(out.errors[0].1.to_string().contains("`x`"));
}

#[test]
fn wrong_shapes_are_errors() {
    let f = engines()[0].compile("x + y").unwrap();
    let e = f.eval_columns(&[Column::F64(&[1.0])]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::WrongArity);
    let e = f
        .eval_columns(&[Column::F64(&[1.0]), Column::I64(&[1, 2])])
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Domain);
    assert!(e.to_string().contains("`y`"), "{e}");
    // All scalars: one row.
    let out = f
        .eval_columns(&[Column::Scalar(1.into()), Column::Scalar(2.into())])
        .unwrap();
    assert_eq!(out.values, ColumnValues::I64(vec![3]));
}

#[test]
fn the_kind_of_the_column_follows_the_values() {
    let engine = &engines()[1];
    let x = [2.0, -1.0];
    // A branch gives an integer, the other a float: a column of values.
    let f = engine.compile("if(x > 0, x, 0)").unwrap();
    let out = f.eval_columns(&[Column::F64(&x)]).unwrap();
    assert_eq!(
        out.values,
        ColumnValues::Values(vec![Value::Float(2.0), Value::from(0)])
    );
    // Every row fails: floats (NaN).
    let f = engine.compile("n / 0").unwrap();
    let out = f.eval_columns(&[Column::I64(&[1, 2])]).unwrap();
    assert!(matches!(out.values, ColumnValues::F64(ref v) if v.iter().all(|x| x.is_nan())));
    assert_eq!(out.errors.len(), 2);
    // Exact integers that overflow i64: values.
    let f = engine.compile("n * n").unwrap();
    let out = f.eval_columns(&[Column::I64(&[3, i64::MAX])]).unwrap();
    assert_eq!(
        out.values,
        ColumnValues::Values(vec![
            Value::from(9),
            Value::from(i128::from(i64::MAX).pow(2))
        ])
    );
}
