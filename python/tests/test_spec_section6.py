"""SPEC section 6, example by example: the code block as a program (with
`texts`, `futures` and `numpy_array` given values), checked by pytest and
by ``mypy --strict`` against the stubs."""

from __future__ import annotations

import asyncio
import math
from concurrent.futures import FIRST_COMPLETED, as_completed, wait
from fractions import Fraction

import numpy
import pytest

import exprflow


def test_engine_eval_submit_and_the_stdlib() -> None:
    engine = exprflow.Engine(workers=2)
    assert engine.eval("(3+7)*(2+8)*((2*3)-1)") == 500
    assert (engine.eval("1/3 + 1/6"), engine.eval("sqrt(2)")) == (
        Fraction(1, 2),
        1.4142135623730951,
    )
    f = engine.submit("fact(30) / fact(28)")
    assert f.result(timeout=1.0) == 870
    assert f.cancel() is False  # finished
    running = engine.submit("delay(1, 60000)")
    assert running.cancel() is True  # stops the work, even while it runs
    texts = ["1+1", "delay(2, 30)", "2^10"]
    seen = sorted(f.result() for f in as_completed([engine.submit(t) for t in texts]))
    assert seen == [2, 2, 1024]
    futures = [engine.submit("delay(1, 60000)"), engine.submit("7")]
    done, not_done = wait(futures, return_when=FIRST_COMPLETED)
    assert [f.result() for f in done] == [7]
    assert not_done == {futures[0]}
    futures[0].cancel()
    assert list(engine.map(["1+1", "2^100"])) == [2, 2**100]

    async def main() -> exprflow.Number:
        return await engine.eval_async("delay(1, 50)")

    assert asyncio.run(main()) == 1
    with engine:
        pass
    with pytest.raises(RuntimeError):
        engine.submit("1")


def test_host_functions() -> None:
    async def price(x: int) -> int:
        await asyncio.sleep(0.05)
        return x

    calls: list[int] = []

    async def counted_price(x: int) -> int:
        calls.append(x)
        return await price(x)

    engine = exprflow.Engine(workers=2, functions={"hyp": math.hypot, "price": counted_price})
    assert engine.eval("hyp(3, 4) + price(7) + price(7)") == 19.0
    assert calls == [7]  # price(7) is called once
    engine.shutdown()


def test_sessions() -> None:
    engine = exprflow.Engine(workers=2)
    s = engine.session()
    assert s.eval("f(x) = x^2") is None
    assert s.eval("f(12)") == 144
    s["y"] = Fraction(1, 3)
    assert s.eval("3*y") == 1
    assert s["y"] == Fraction(1, 3)
    engine.shutdown()


def test_formulas() -> None:
    engine = exprflow.Engine(workers=2)
    fm = engine.compile("a*x^2 + b*x + c")
    assert fm.inputs == ["a", "x", "b", "c"]
    assert fm(a=1, x=4, b=2, c=3) == 27
    numpy_array = numpy.linspace(0.0, 1.0, 11)
    column = fm.eval_many(a=1.0, x=numpy_array, b=2.0, c=3.0)
    assert isinstance(column, numpy.ndarray) and column.dtype == numpy.float64
    assert list(column) == [x * x + 2.0 * x + 3.0 for x in numpy_array]
    engine.shutdown()


def test_models() -> None:
    engine = exprflow.Engine(workers=2)
    m = engine.model()
    m.define("total = price * qty + fee")
    m["price"], m["qty"], m["fee"] = 3, 4, 1
    assert m["total"] == 13
    m["fee"] = 2
    assert m["total"] == 14
    assert m.last_recompute == (1, 0)
    assert m.last_recompute.recomputed == 1
    engine.shutdown()


def test_values_and_errors() -> None:
    engine = exprflow.Engine(workers=2)
    s = engine.session()
    for value in (7, Fraction(2, 3), 0.25, True):
        s["v"] = value
        assert s["v"] == value
    with pytest.raises(TypeError, match="str"):
        s["v"] = "7"  # type: ignore[assignment]
    with pytest.raises(exprflow.DivisionByZero) as caught:
        engine.eval("1 + 1/0")
    error = caught.value
    assert isinstance(error, ZeroDivisionError)
    assert (error.kind, error.message, error.line, error.column, error.span) == (
        "DivisionByZero",
        "division by zero",
        1,
        5,
        (4, 7),
    )
    assert str(error) == "division by zero"
    assert error.report().splitlines()[-1] == "  |     ^^^"
    assert issubclass(exprflow.DomainError, ValueError)
    assert issubclass(exprflow.ParseError, SyntaxError)
    assert issubclass(exprflow.UnknownName, NameError)
    assert issubclass(exprflow.TooLarge, OverflowError)
    engine.shutdown()
