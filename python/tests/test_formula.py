"""Formulas: compiled once, evaluated on keywords or on columns (numpy
arrays of every dtype, sequences, scalars), with errors="raise" or "nan"."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import exprflow


def test_call_and_inputs(engine: exprflow.Engine) -> None:
    fm = engine.compile("a*x^2 + b*x + c")
    assert fm.inputs == ["a", "x", "b", "c"]
    assert fm.text == "a*x^2 + b*x + c"
    assert fm(a=1, x=4, b=2, c=3) == 27
    assert fm(a=Fraction(1, 2), x=1, b=0, c=0) == Fraction(1, 2)
    assert repr(fm) == "<exprflow.Formula \"a*x^2 + b*x + c\" inputs=['a', 'x', 'b', 'c']>"
    with pytest.raises(exprflow.UnknownName):
        fm(a=1, x=4, b=2)
    with pytest.raises(exprflow.UnknownName):
        fm(a=1, x=4, b=2, c=3, d=5)
    with pytest.raises(TypeError):
        fm(a="1", x=4, b=2, c=3)  # type: ignore[arg-type]


def test_float64_in_float64_out(engine: exprflow.Engine) -> None:
    fm = engine.compile("a*x^2 + b*x + c")
    x = np.linspace(-2.0, 2.0, 1001)
    out = fm.eval_many(a=1.0, x=x, b=2.0, c=3.0)
    assert out.dtype == np.float64 and out.shape == (1001,)
    np.testing.assert_array_equal(out, x * x + 2.0 * x + 3.0)


def test_strided_and_non_contiguous_arrays(engine: exprflow.Engine) -> None:
    fm = engine.compile("x + 1")
    x = np.arange(20.0)[::2]
    np.testing.assert_array_equal(fm.eval_many(x=x), x + 1)
    n = np.arange(20, dtype=np.int64)[::-3]
    np.testing.assert_array_equal(fm.eval_many(x=n), n + 1)


def test_int64_in_int64_out(engine: exprflow.Engine) -> None:
    fm = engine.compile("x * x - 1")
    x = np.arange(-5, 5, dtype=np.int64)
    out = fm.eval_many(x=x)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, x * x - 1)


@pytest.mark.parametrize("dtype", [np.int32, np.int8, np.uint16, np.float32, np.bool_])
def test_other_numeric_dtypes(engine: exprflow.Engine, dtype: type) -> None:
    fm = engine.compile("x + 0")
    x: np.ndarray[Any, Any] = np.array([0, 1, 1], dtype=dtype)
    out = fm.eval_many(x=x)
    assert list(out) == [float(v) if dtype is np.float32 else int(v) for v in x]


def test_exact_results_are_objects(engine: exprflow.Engine) -> None:
    fm = engine.compile("x / 3")
    out = fm.eval_many(x=np.array([1, 3, 2**40], dtype=np.int64))
    assert out.dtype == object
    assert list(out) == [Fraction(1, 3), 1, Fraction(2**40, 3)]
    big = engine.compile("x^5").eval_many(x=[2**20, 1])
    assert big.dtype == object and list(big) == [2**100, 1]


def test_object_arrays_and_sequences(engine: exprflow.Engine) -> None:
    fm = engine.compile("x + y")
    out = fm.eval_many(x=np.array([Fraction(1, 2), 1], dtype=object), y=(Fraction(1, 2), 2))
    assert list(out) == [1, 3]


def test_errors_raise_with_the_row(engine: exprflow.Engine) -> None:
    fm = engine.compile("1 / x")
    with pytest.raises(exprflow.DivisionByZero) as caught:
        fm.eval_many(x=np.array([1.0, 2.0, 0.0, 0.0]))
    assert caught.value.row == 2  # type: ignore[attr-defined]


def test_errors_nan(engine: exprflow.Engine) -> None:
    fm = engine.compile("1 / x")
    out = fm.eval_many(x=np.array([1.0, 0.0, 4.0]), errors="nan")
    assert out.dtype == np.float64
    assert out[0] == 1.0 and np.isnan(out[1]) and out[2] == 0.25
    exact = fm.eval_many(x=[3, 0], errors="nan")
    assert exact[0] == 1 / 3 and np.isnan(exact[1])
    nan_in = fm.eval_many(x=np.array([np.nan, 2.0]), errors="nan")
    assert np.isnan(nan_in[0]) and nan_in[1] == 0.5
    with pytest.raises(exprflow.DomainError) as caught:
        fm.eval_many(x=np.array([2.0, np.inf]))
    assert caught.value.row == 1  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        fm.eval_many(x=[1.0], errors="ignore")  # type: ignore[arg-type]


def test_shapes_are_checked(engine: exprflow.Engine) -> None:
    fm = engine.compile("x + y")
    with pytest.raises(ValueError):
        fm.eval_many(x=np.zeros(3), y=np.zeros(4))
    with pytest.raises(ValueError):
        fm.eval_many(x=np.zeros((2, 2)), y=1.0)
    with pytest.raises(TypeError):
        fm.eval_many(x="123", y=1.0)
    with pytest.raises(exprflow.UnknownName):
        fm.eval_many(x=np.zeros(3))
    assert list(fm.eval_many(x=1, y=2)) == [3]
    assert list(fm.eval_many(x=np.float64(1.5), y=np.zeros(2))) == [1.5, 1.5]
    assert len(fm.eval_many(x=np.zeros(0), y=1.0)) == 0


def test_many_rows_in_chunks(engine: exprflow.Engine) -> None:
    fm = engine.compile("x * 2")
    x = np.arange(200_000, dtype=np.int64)
    np.testing.assert_array_equal(fm.eval_many(x=x), x * 2)
