//! SPEC section 5: "`engine.map(texts)` reports each error with a span
//! into that item's own text", also when the failing subexpression is
//! shared with an earlier item (one DAG for all items) and for syntax
//! errors.

use exprflow::{Engine, ErrorKind};

fn failing<'a>(text: &'a str, outcome: &Result<exprflow::Value, exprflow::Error>) -> &'a str {
    let e = outcome.as_ref().expect_err(text);
    text.get(e.span.start..e.span.end)
        .unwrap_or_else(|| panic!("{text:?}: {e:?}"))
}

#[test]
fn map_spans_index_each_items_own_text() {
    let engine = Engine::with_workers(2).unwrap();
    let texts = [
        "1/0",
        "5 + 1/0",
        "sqrt(-1) * 2",
        "2 +* 3",
        "  nope + 1",
        "1 + sqrt(-1)",
        "((1/0))",
        "7",
        "",
    ];
    let out = engine.map(texts);
    assert_eq!(failing(texts[0], &out[0]), "1/0");
    // Shared with item 0: the span is this item's own `1/0` (4..7).
    let e = out[1].as_ref().unwrap_err();
    assert_eq!((e.span.start, e.span.end), (4, 7));
    assert_eq!(e.kind, ErrorKind::DivisionByZero);
    assert_eq!(failing(texts[2], &out[2]), "sqrt(-1)");
    assert_eq!(out[3].as_ref().unwrap_err().kind, ErrorKind::Syntax);
    assert_eq!(out[3].as_ref().unwrap_err().span.start, 3);
    assert_eq!(failing(texts[4], &out[4]), "nope");
    assert_eq!(failing(texts[5], &out[5]), "sqrt(-1)");
    assert_eq!(failing(texts[6], &out[6]), "((1/0))"); // as alone
    assert_eq!(out[7].as_ref().unwrap().to_string(), "7");
    assert!(out[8].is_err());
    // The same spans as each item alone.
    for (text, outcome) in texts.iter().zip(&out) {
        let alone = engine.eval(text);
        assert_eq!(
            outcome.as_ref().err().map(|e| (e.kind, e.span)),
            alone.as_ref().err().map(|e| (e.kind, e.span)),
            "{text:?}"
        );
    }
}
