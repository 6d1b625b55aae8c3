"""Host functions from Python: plain callables on pool workers, `async
def` on the engine's event loop, exprflow.function for arity and
volatility, raised exceptions chained as __cause__."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from fractions import Fraction
from typing import Any

import pytest

import exprflow


def test_plain_callables_get_and_give_python_numbers() -> None:
    seen: list[tuple[Any, ...]] = []

    def record(*args: Any) -> Any:
        seen.append(args)
        return args[0]

    with exprflow.Engine(workers=2, functions={"record": record}) as engine:
        assert engine.eval("record(1/3, 2^70, float(1/2))") == Fraction(1, 3)
    assert seen == [(Fraction(1, 3), 2**70, 0.5)]
    assert [type(v) for v in seen[0]] == [Fraction, int, float]


def test_plain_callables_run_on_pool_workers() -> None:
    threads: set[str] = set()

    def where(x: int) -> int:
        threads.add(threading.current_thread().name)
        return x

    with exprflow.Engine(workers=2, functions={"where": where}) as engine:
        assert engine.eval("where(1) + where(2)") == 3
    assert threading.main_thread().name not in threads


def test_pure_calls_are_shared_and_volatile_ones_are_not() -> None:
    counts = {"pure": 0, "tick": 0}

    def pure(x: int) -> int:
        counts["pure"] += 1
        return x

    def tick() -> int:
        counts["tick"] += 1
        return counts["tick"]

    functions: dict[str, Any] = {"pure": pure, "tick": exprflow.function(tick, volatile=True)}
    with exprflow.Engine(workers=2, functions=functions) as engine:
        assert engine.eval("pure(7) + pure(7) + pure(3)") == 17
        assert counts["pure"] == 2
        assert engine.eval("tick() + tick()") == 3
        assert counts["tick"] == 2
    assert "volatile=True" in repr(functions["tick"])


def test_arity_comes_from_the_signature_or_is_given() -> None:
    def two(a: int, b: int = 0) -> int:
        return a + b

    functions: dict[str, Any] = {
        "two": two,
        "hyp": math.hypot,  # no signature: any number of arguments
        "three": exprflow.function(lambda *xs: len(xs), arity=3),
        "anyn": lambda *xs: sum(xs),
    }
    with exprflow.Engine(workers=2, functions=functions) as engine:
        assert engine.eval("two(1) + two(1, 2)") == 4
        assert engine.eval("hyp(3, 4) + hyp()") == 5.0
        assert engine.eval("three(1, 2, 3)") == 3
        assert engine.eval("anyn() + anyn(1, 2, 3)") == 6
        with pytest.raises(exprflow.WrongArity, match="two takes 1 to 2 arguments, got 3"):
            engine.eval("two(1, 2, 3)")
        with pytest.raises(TypeError, match="three takes 3 arguments, got 2"):
            engine.eval("three(1, 2)")


def test_a_raised_exception_is_a_domain_error_with_its_cause() -> None:
    class Boom(Exception):
        pass

    def explode(x: int) -> int:
        raise Boom(f"no {x}")

    engine = exprflow.Engine(workers=2, functions={"explode": explode})
    with engine, pytest.raises(exprflow.DomainError) as caught:
        engine.eval("1 + explode(2)")
    error = caught.value
    assert str(error) == "domain error: explode raised Boom: no 2"
    assert isinstance(error.__cause__, Boom)
    assert error.span == (4, 14)


def test_a_result_that_is_not_a_number_names_its_type() -> None:
    functions: dict[str, Any] = {
        "text": lambda: "7",
        "none": lambda: None,
        "nan": lambda: math.nan,
    }
    with exprflow.Engine(workers=1, functions=functions) as engine:
        with pytest.raises(exprflow.DomainError, match="text returned str, not a number"):
            engine.eval("text()")
        with pytest.raises(exprflow.DomainError, match="NoneType"):
            engine.eval("none()")
        with pytest.raises(exprflow.DomainError, match="nan returned float"):
            engine.eval("nan()")


def test_async_functions_hold_no_worker_while_they_await() -> None:
    calls: list[int] = []

    async def price(x: int) -> int:
        calls.append(x)
        await asyncio.sleep(0.05)
        return x

    with exprflow.Engine(workers=2, functions={"price": price}) as engine:
        text = " + ".join(f"price({i})" for i in range(200))
        start = time.perf_counter()
        assert engine.eval(text) == sum(range(200))
        elapsed = time.perf_counter() - start
    assert sorted(calls) == list(range(200))
    # 200 waits of 50 ms each on 2 workers: 5 s if each held a worker in
    # turn, about 50 ms when they wait together. The 2.5 s bound is far
    # from both; that the waits overlap is the point of this test.
    assert elapsed < 2.5


def test_async_exceptions_and_cancellation() -> None:
    started = threading.Event()
    cancelled = threading.Event()

    async def fail(x: int) -> int:
        raise ValueError("bad price")

    async def forever(x: int) -> int:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return x

    functions = {"fail": fail, "forever": forever}
    with exprflow.Engine(workers=2, functions=functions) as engine:
        with pytest.raises(exprflow.DomainError) as caught:
            engine.eval("fail(1)")
        assert isinstance(caught.value.__cause__, ValueError)
        f = engine.submit("forever(1)")
        assert started.wait(20)
        assert f.cancel()
        assert cancelled.wait(20)


def test_bad_function_tables_are_type_errors() -> None:
    with pytest.raises(TypeError):
        exprflow.Engine(functions={"f": 3})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        exprflow.Engine(functions={1: abs})  # type: ignore[dict-item]
    with pytest.raises(exprflow.ParseError):
        exprflow.Engine(functions={"2x": abs})
    with pytest.raises(ValueError):
        exprflow.function(abs, arity=-1)


def test_a_dropped_engine_ends_its_event_loop_thread() -> None:
    import gc

    async def later(x: int) -> int:
        return x

    def loop_threads() -> int:
        return sum(t.name == "exprflow-event-loop" for t in threading.enumerate())

    before = loop_threads()
    engine = exprflow.Engine(workers=1, functions={"later": later})
    assert engine.eval("later(2)") == 2
    assert loop_threads() == before + 1
    del engine
    gc.collect()
    for _ in range(2000):  # wait on the state (the thread's end), not a time
        if loop_threads() == before:
            break
        time.sleep(0.01)
    assert loop_threads() == before
