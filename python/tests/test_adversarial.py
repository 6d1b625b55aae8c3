"""Hostile input from Python: huge, deep and odd strings, wrong types,
odd numbers. Each gets a Python exception naming what is wrong; none
crashes the interpreter or hangs."""

from __future__ import annotations

import contextlib
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import exprflow

HOSTILE_TEXTS = [
    "",
    " ",
    "\n\n\n",
    "\x00",
    "1\x00+1",
    "\ufeff1+1",
    "\u202e1+1",
    "\uff11+\uff11",  # fullwidth digits
    "\U0001d7d9 + 1",  # a mathematical digit one
    "é" * 10_000,
    "(" * 200_000,
    ")" * 200_000,
    "-" * 200_000 + "1",
    "1+" * 100_000 + "1",
    "9" * 100_000,
    "0." + "0" * 100_000 + "1",
    "1e999999999999",
    "2^2^2^2^2^2^2",
    "fact(10^9)",
    "f(" * 50_000,
    "x = 1",
    "f(x) = x",
    "1 < 2 < 3",
    "#" * 100_000,
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS, ids=lambda t: repr(t[:20]))
def test_hostile_text_everywhere(engine: exprflow.Engine, text: str) -> None:
    for run in (engine.eval, lambda t: engine.submit(t).result(timeout=60)):
        try:
            run(text)
        except exprflow.Error as error:
            start, end = error.span
            assert 0 <= start <= end <= len(text)
            assert error.report().startswith("error: ")
    session = engine.session()
    with contextlib.suppress(exprflow.Error):
        session.eval(text)
    assert session.eval("1 + 1") == 2  # the session survives
    with contextlib.suppress(exprflow.Error):
        engine.compile(text)
    model = engine.model()
    with contextlib.suppress(exprflow.Error):
        model.define(text)


@pytest.mark.parametrize("bad", [None, 1, 1.5, b"1", bytearray(b"1"), ["1"], object()])
def test_text_must_be_str(engine: exprflow.Engine, bad: Any) -> None:
    for call in (
        engine.eval,
        engine.submit,
        engine.compile,
        engine.session().eval,
        engine.model().define,
    ):
        with pytest.raises(TypeError):
            call(bad)
    with pytest.raises(TypeError):
        list(engine.map([bad]))


@pytest.mark.parametrize(
    "bad",
    ["3", b"3", None, [1], {}, 1j, object(), math.nan, math.inf, -math.inf],
    ids=repr,
)
def test_values_must_be_numbers(engine: exprflow.Engine, bad: Any) -> None:
    session = engine.session()
    with pytest.raises((TypeError, ValueError)):
        session["x"] = bad
    model = engine.model()
    with pytest.raises((TypeError, ValueError)):
        model["x"] = bad
    fm = engine.compile("x + 1")
    with pytest.raises((TypeError, ValueError)):
        fm(x=bad)


def test_odd_numbers_cross(engine: exprflow.Engine) -> None:
    session = engine.session()
    cases: list[tuple[Any, exprflow.Number]] = [
        (np.int64(7), 7),
        (np.float32(0.5), 0.5),
        (np.bool_(True), 1),
        (Fraction(-3, 6), Fraction(-1, 2)),
        (2**1000, 2**1000),
        (-(2**1000) + 1, -(2**1000) + 1),
        (-0.0, 0.0),
        (5e-324, 5e-324),
    ]
    for value, expected in cases:
        session["v"] = value
        assert session["v"] == expected
    with pytest.raises(OverflowError):
        session["v"] = 1 << (1 << 25)  # over the 2^24-bit limit


def test_wrong_names_and_keywords(engine: exprflow.Engine) -> None:
    session = engine.session()
    with pytest.raises(TypeError):
        session[1] = 1  # type: ignore[index]
    with pytest.raises(KeyError):
        session["nope"]
    fm = engine.compile("x + y")
    with pytest.raises(exprflow.UnknownName):
        fm(x=1, y=2, z=3)
    with pytest.raises(TypeError):
        fm(1, 2)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        fm.eval_many(x=[1, "2"], y=1)
    with pytest.raises(TypeError):
        fm.eval_many(x=np.array(["a", "b"]), y=1)
    with pytest.raises(ValueError):
        fm.eval_many(x=np.zeros((2, 2, 2)), y=1)


@pytest.mark.parametrize("workers", [0, -1, 1.5, "2", True])
def test_bad_worker_counts(workers: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        exprflow.Engine(workers=workers)


def test_timeouts_that_are_not_times(engine: exprflow.Engine) -> None:
    with pytest.raises((TypeError, ValueError)):
        engine.submit("1", timeout=math.nan)
    with pytest.raises(TypeError):
        engine.submit("1", timeout="1")  # type: ignore[arg-type]
    f = engine.submit("delay(1, 10)")
    assert f.result(timeout=1e300) == 1
    g = engine.submit("delay(1, 60000)")
    with pytest.raises(TimeoutError):
        g.result(timeout=-1)
    g.cancel()
