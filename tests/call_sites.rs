//! `exprflow::call_sites`: the calls written in an expression, with spans
//! that cut the text back into each call and each argument.

use exprflow::{ErrorKind, Reach, Span, call_sites};

fn cut(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

#[test]
fn spans_cut_the_calls_and_their_arguments_out_of_the_text() {
    let text = "sim(1) * 2 + sim( (3+4) , -sim(2)^2 ) # note: sim(9)";
    let sites = call_sites(text).unwrap();
    let calls: Vec<&str> = sites.iter().map(|s| cut(text, s.span)).collect();
    assert_eq!(calls, ["sim(1)", "sim( (3+4) , -sim(2)^2 )", "sim(2)"]);
    let args: Vec<&str> = sites[1].args.iter().map(|&a| cut(text, a)).collect();
    assert_eq!(args, ["(3+4)", "-sim(2)^2"]);
    for site in &sites {
        for &arg in &site.args {
            let value = exprflow::eval(&cut(text, arg).replace("sim", "abs"));
            assert!(value.is_ok(), "{:?}", cut(text, arg));
        }
    }
}

#[test]
fn calls_in_the_branches_of_an_if_are_marked() {
    let text = "f(if(g(1), h(2), k(if(1, m(3), 4))) + n(5))";
    let reach: Vec<(String, Reach)> = call_sites(text)
        .unwrap()
        .into_iter()
        .map(|s| (s.name, s.reach))
        .collect();
    let expected = [
        ("f", Reach::Always),
        ("if", Reach::Always),
        ("g", Reach::Always),
        ("h", Reach::IfBranch),
        ("k", Reach::IfBranch),
        ("if", Reach::IfBranch),
        ("m", Reach::IfBranch),
        ("n", Reach::Always),
    ];
    let expected: Vec<(String, Reach)> =
        expected.iter().map(|(n, r)| (n.to_string(), *r)).collect();
    assert_eq!(reach, expected);
}

#[test]
fn an_expression_without_calls_has_none() {
    assert_eq!(call_sites("(3+7)*(2+8)*((2*3)-1)").unwrap(), []);
    assert_eq!(
        call_sites("  # only a comment").unwrap_err().kind,
        ErrorKind::Syntax
    );
}

#[test]
fn bad_input_is_a_syntax_error_with_its_place() {
    let error = call_sites("f(1,, 2)").unwrap_err();
    assert_eq!(error.kind, ErrorKind::Syntax);
    assert_eq!(error.span.start, 4);
    for text in ["x = f(1)", "f(x) = x^2", "f(1", "\0"] {
        assert_eq!(
            call_sites(text).unwrap_err().kind,
            ErrorKind::Syntax,
            "{text:?}"
        );
    }
}

#[test]
fn deep_nesting_is_walked_without_recursion_or_refused() {
    let depth = 900;
    let text = format!("{}1{}", "f(".repeat(depth), ")".repeat(depth));
    assert_eq!(call_sites(&text).unwrap().len(), depth);
    let too_deep = format!("{}1{}", "f(".repeat(100_000), ")".repeat(100_000));
    assert_eq!(
        call_sites(&too_deep).unwrap_err().kind,
        ErrorKind::NestingTooDeep
    );
}
