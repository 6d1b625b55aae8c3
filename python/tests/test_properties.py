"""Property tests (hypothesis): random expressions evaluated by exprflow
equal Python's own int/Fraction/float evaluation of the same expression,
and a session gives what one DAG of the same program gives."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import exprflow

Number = Union[int, Fraction, float]


class Undefined(Exception):
    """Python's evaluation raised, or made an infinity or a NaN: exprflow
    must give an error."""


@dataclass(frozen=True)
class Expr:
    text: str
    exact_only: bool  # no float anywhere inside

    def __str__(self) -> str:
        return self.text


def normal(value: Number) -> Number:
    """Python's value in exprflow's canonical form: an integral Fraction
    is an int; a float must be finite."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Undefined
        return value
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return value


def python_value(text: str) -> Number:
    """Python's evaluation of the generated text (the generator writes
    only what both languages read alike, once `^` is `**` and literals are
    Fractions)."""
    source = text.replace("^", "**")
    try:
        value = eval(source, {"F": Fraction, "float": float, "__builtins__": {}})
    except (ZeroDivisionError, OverflowError) as error:
        raise Undefined from error
    return normal(value)


def literal(n: int, d: int) -> tuple[str, str]:
    """exprflow's literal for n/d (exact) and Python's text for the same."""
    return (f"({n}/{d})", f"F({n}, {d})")


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> tuple[str, str, bool]:
    """(exprflow text, Python text, exact) for a random expression."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        kind = draw(st.sampled_from(["int", "ratio", "decimal", "float"]))
        if kind == "int":
            n = draw(st.integers(-(10**6), 10**6))
            return (f"({n})", f"F({n})", True)
        if kind == "ratio":
            n, d = draw(st.integers(-1000, 1000)), draw(st.integers(1, 1000))
            ours, theirs = literal(n, d)
            return (ours, theirs, True)
        if kind == "decimal":
            whole, frac = draw(st.integers(0, 999)), draw(st.integers(0, 999))
            return (f"{whole}.{frac:03d}", f"F('{whole}.{frac:03d}')", True)
        n, d = draw(st.integers(-1000, 1000)), draw(st.integers(1, 1000))
        return (f"float({n}/{d})", f"float(F({n}, {d}))", False)
    a_ours, a_theirs, a_exact = draw(expressions(depth=depth - 1))
    op = draw(st.sampled_from(["+", "-", "*", "/", "//", "%", "^", "neg"]))
    if op == "neg":
        return (f"(-{a_ours})", f"(-{a_theirs})", a_exact)
    if op == "^":
        k = draw(st.integers(-3, 3))
        if not a_exact:  # float powers may round differently: exact bases only
            return (a_ours, a_theirs, a_exact)
        return (f"({a_ours}^({k}))", f"({a_theirs}**({k}))", True)
    b_ours, b_theirs, b_exact = draw(expressions(depth=depth - 1))
    if op in ("//", "%") and not (a_exact and b_exact):
        op = "+"  # float floor division and modulo: exact operands only
    theirs = f"({a_theirs} {op} {b_theirs})"
    if op == "//":
        theirs = f"F{theirs}"  # Fraction // Fraction is an int: keep it a Fraction
    return (f"({a_ours} {op} {b_ours})", theirs, a_exact and b_exact)


def same(ours: Number | None, theirs: Number) -> bool:
    return type(ours) is type(theirs) and ours == theirs


@pytest.fixture(scope="module")
def shared() -> Iterator[exprflow.Engine]:
    with exprflow.Engine(workers=2) as engine:
        yield engine


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions())
def test_exprflow_agrees_with_python(shared: exprflow.Engine, expr: tuple[str, str, bool]) -> None:
    ours_text, python_text, _exact = expr
    try:
        expected: Number | None = python_value(python_text)
    except Undefined:
        expected = None
    try:
        value = shared.eval(ours_text)
    except exprflow.Error as error:
        assert expected is None, (
            f"{ours_text}: exprflow raised {error!r}, Python gives {expected!r}"
        )
        return
    assert expected is not None, f"{ours_text}: exprflow gives {value!r}, Python raised"
    assert same(value, expected), f"{ours_text}: {value!r} != {expected!r}"


@st.composite
def programs(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Assignments `v0 = ...`, `v1 = ...` (each may use the earlier ones),
    as (exprflow statement, Python expression) pairs."""
    statements: list[tuple[str, str]] = []
    for k in range(draw(st.integers(1, 6))):
        ours, theirs, _ = draw(expressions(depth=2))
        if k and draw(st.booleans()):
            j = draw(st.integers(0, k - 1))
            ours, theirs = f"({ours} + v{j})", f"({theirs} + v{j})"
        statements.append((f"v{k} = {ours}", theirs))
    return statements


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_a_session_gives_what_one_dag_gives(
    shared: exprflow.Engine, program: list[tuple[str, str]]
) -> None:
    # Python's values first: only programs whose assignments all succeed.
    env: dict[str, Number] = {}
    for k, (_, theirs) in enumerate(program):
        source = theirs.replace("^", "**")
        try:
            value = eval(source, {"F": Fraction, "float": float, "__builtins__": {}}, dict(env))
            env[f"v{k}"] = normal(value)
        except (ZeroDivisionError, OverflowError, Undefined):
            return
    session = shared.session()
    got = [session.eval(ours) for ours, _ in program]
    # The same program as one DAG: each variable inlined where it is used.
    inlined: list[str] = []
    for ours, _ in program:
        body = ours.split(" = ", 1)[1]
        for j in reversed(range(len(inlined))):
            body = body.replace(f"v{j}", f"({inlined[j]})")
        inlined.append(body)
    together = list(shared.map(inlined))
    expected = [env[f"v{k}"] for k in range(len(program))]
    assert all(same(a, b) for a, b in zip(got, expected)), (program, got, expected)
    assert all(same(a, b) for a, b in zip(together, expected)), (program, together, expected)
