"""Models: cells like a spreadsheet, as a mapping."""

from __future__ import annotations

from fractions import Fraction

import pytest

import exprflow


def test_cells_recompute_only_what_changed(engine: exprflow.Engine) -> None:
    m = engine.model()
    m.define("total = price * qty + fee")
    m["price"], m["qty"], m["fee"] = 3, 4, 1
    assert m["total"] == 13
    m["fee"] = 2
    assert m["total"] == 14
    assert m.last_recompute == exprflow.Recompute(recomputed=1, reused=0)
    assert m.last_recompute == (1, 0)
    m["qty"] = Fraction(1, 2)
    assert m["total"] == Fraction(7, 2)
    assert "total" in m.source
    assert repr(m) == "<exprflow.Model cells=1>" or "exprflow.Model" in repr(m)


def test_errors_and_cycles(engine: exprflow.Engine) -> None:
    m = engine.model()
    m.define("a = b + 1\nb = a * 2")
    with pytest.raises(exprflow.Error) as caught:
        m["a"]
    assert caught.value.kind == "Cycle"
    m.define("r = sqrt(x)")
    m["x"] = -4
    with pytest.raises(exprflow.DomainError):
        m["r"]
    with pytest.raises(exprflow.UnknownName):
        m["nope"]
    with pytest.raises(exprflow.ParseError):
        m.define("c = 1 +")
    with pytest.raises(TypeError):
        m["x"] = "4"  # type: ignore[assignment]
