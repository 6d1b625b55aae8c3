"""SPEC section 6: errors are exprflow.Error and the built-in Python raises."""

from __future__ import annotations

import pickle

import pytest

import exprflow


@pytest.mark.parametrize(
    "text, cls, builtin, kind",
    [
        ("1/0", exprflow.DivisionByZero, ZeroDivisionError, "DivisionByZero"),
        ("sqrt(-1)", exprflow.DomainError, ValueError, "Domain"),
        ("1 +", exprflow.ParseError, SyntaxError, "Syntax"),
        ("foo + 1", exprflow.UnknownName, NameError, "UnknownVariable"),
        ("foo(1)", exprflow.UnknownName, NameError, "UnknownFunction"),
        ("2^2^2^2^2^2", exprflow.TooLarge, OverflowError, "TooLarge"),
        ("sqrt(1, 2)", exprflow.WrongArity, TypeError, "WrongArity"),
        ("(" * 5000 + "1" + ")" * 5000, exprflow.ParseError, SyntaxError, "NestingTooDeep"),
    ],
)
def test_each_kind_is_its_builtin(
    engine: exprflow.Engine, text: str, cls: type, builtin: type, kind: str
) -> None:
    with pytest.raises(builtin) as caught:
        engine.eval(text)
    error = caught.value
    assert isinstance(error, cls) and isinstance(error, exprflow.Error)
    assert error.kind == kind
    assert str(error) == error.message
    assert error.report().startswith(f"error: {error.message}\n")


def test_position_span_and_report(engine: exprflow.Engine) -> None:
    with pytest.raises(exprflow.DomainError) as caught:
        engine.eval("1 + sqrt(-1)")
    error = caught.value
    assert (error.line, error.column, error.span) == (1, 5, (4, 12))
    assert str(error) == "domain error: sqrt of a negative number"
    assert error.report() == (
        "error: domain error: sqrt of a negative number\n"
        " --> <input>:1:5\n"
        "  |\n"
        "1 | 1 + sqrt(-1)\n"
        "  |     ^^^^^^^^\n"
    )


def test_span_counts_characters_not_bytes(engine: exprflow.Engine) -> None:
    text = "1 + 1 # ééé\n + 1/0"
    with pytest.raises(exprflow.DivisionByZero) as caught:
        engine.eval(text)
    start, end = caught.value.span
    assert text[start:end] == "1/0"
    assert (caught.value.line, caught.value.column) == (2, 4)


def test_errors_pickle(engine: exprflow.Engine) -> None:
    with pytest.raises(exprflow.DivisionByZero) as caught:
        engine.eval("1/0")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is exprflow.DivisionByZero
    assert (copy.kind, copy.span, copy.report()) == (
        caught.value.kind,
        caught.value.span,
        caught.value.report(),
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00",
        "\ufffd",
        "1" * 100_000,
        "(" * 100_000,
        "1+" * 50_000 + "1",
        "é" * 1000 + "/",
        "\u202e1+1",
        "1 ++++ 2",
        "9" * 5000 + "!",
    ],
)
def test_hostile_text_raises_an_error_never_crashes(engine: exprflow.Engine, text: str) -> None:
    try:
        engine.eval(text)
    except exprflow.Error as error:
        assert error.message
        start, end = error.span
        assert 0 <= start <= end <= len(text)


@pytest.mark.parametrize("bad", [None, 1, b"1+1", ["1"], object()])
def test_wrong_types_raise_type_error(engine: exprflow.Engine, bad: object) -> None:
    with pytest.raises(TypeError):
        engine.eval(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.submit(bad)  # type: ignore[arg-type]


def test_lone_surrogate_is_an_error_not_a_crash(engine: exprflow.Engine) -> None:
    with pytest.raises(ValueError):
        engine.eval("1 + \ud800")
