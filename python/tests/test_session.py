"""Sessions: statements with variables and functions, and the session's
names as a mapping."""

from __future__ import annotations

from fractions import Fraction

import pytest

import exprflow


def test_statements_share_variables_and_functions(engine: exprflow.Engine) -> None:
    s = engine.session()
    assert s.eval("x = 2 + 3") == 5
    assert s.eval("# a comment") is None
    assert s.eval("f(n) = n * x") is None
    assert s.eval("f(4)") == 20
    assert s.functions() == [("f", "f(n) = n * x")]
    assert "x" in s and "nope" not in s
    assert "x" in s.variables()
    assert "exprflow.Session" in repr(s)


def test_values_keep_their_kind(engine: exprflow.Engine) -> None:
    s = engine.session()
    s["third"] = Fraction(1, 3)
    s["half"] = 0.5
    s["big"] = 2**200
    s["yes"] = True
    assert s.eval("3 * third") == 1
    assert type(s.eval("half * 2")) is float
    assert s.eval("big / 2^199") == 2
    assert s.eval("yes + 1") == 2
    assert s["third"] == Fraction(1, 3) and type(s["half"]) is float


def test_failed_statements_bind_nothing(engine: exprflow.Engine) -> None:
    s = engine.session()
    s.eval("x = 5")
    with pytest.raises(exprflow.ParseError):
        s.eval("x = 2 +* 3")
    with pytest.raises(exprflow.DivisionByZero):
        s.eval("x = 1/0")
    assert s["x"] == 5


def test_errors_point_into_the_session_text(engine: exprflow.Engine) -> None:
    s = engine.session()
    s.eval("a = 1")
    with pytest.raises(exprflow.DivisionByZero) as caught:
        s.eval("a / 0")
    error = caught.value
    start, end = error.span
    assert s.source[start:end] == "a / 0"
    assert error.line == 2
    assert "<session>:2:1" in error.report()


def test_delete_clear_and_missing_names(engine: exprflow.Engine) -> None:
    s = engine.session()
    s.eval("x = 1")
    del s["x"]
    with pytest.raises(KeyError):
        s["x"]
    with pytest.raises(KeyError):
        del s["x"]
    with pytest.raises(exprflow.UnknownName):
        s.eval("x + 1")
    s.eval("y = 2")
    s.clear()
    assert "y" not in s


@pytest.mark.parametrize("bad", ["2x", "", "a b", "x-y"])
def test_bad_names_are_errors(engine: exprflow.Engine, bad: str) -> None:
    s = engine.session()
    with pytest.raises(exprflow.Error):
        s[bad] = 1


@pytest.mark.parametrize("bad", ["1", None, [1], float("nan"), float("inf"), 1j])
def test_bad_values_are_errors(engine: exprflow.Engine, bad: object) -> None:
    s = engine.session()
    with pytest.raises((TypeError, ValueError)):
        s["x"] = bad  # type: ignore[assignment]


def test_a_session_refuses_work_after_shutdown() -> None:
    engine = exprflow.Engine(workers=1)
    s = engine.session()
    assert s.eval("1 + 1") == 2
    engine.shutdown()
    with pytest.raises(RuntimeError):
        s.eval("1 + 1")
