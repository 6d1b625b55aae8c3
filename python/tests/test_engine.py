"""SPEC section 6: the engine, values both ways, futures and errors."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from concurrent.futures import FIRST_COMPLETED, as_completed, wait
from fractions import Fraction

import pytest

import exprflow


def test_eval_gives_python_numbers(engine: exprflow.Engine) -> None:
    assert engine.eval("(3+7)*(2+8)*((2*3)-1)") == 500
    assert type(engine.eval("(3+7)*(2+8)*((2*3)-1)")) is int
    assert (engine.eval("1/3 + 1/6"), engine.eval("sqrt(2)")) == (
        Fraction(1, 2),
        1.4142135623730951,
    )
    assert type(engine.eval("1/3 + 1/6")) is Fraction
    assert type(engine.eval("sqrt(2)")) is float


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2^100", 2**100),
        ("-2^100", -(2**100)),
        ("-(2^63)", -(2**63)),
        ("2^63", 2**63),
        ("2^64 - 1", 2**64 - 1),
        ("-1/3", Fraction(-1, 3)),
        ("2^70 / 3^50", Fraction(2**70, 3**50)),
        ("-(2^70) / 3^50", Fraction(-(2**70), 3**50)),
        ("0.1 + 0.2 == 0.3", 1),
        ("2^-1", Fraction(1, 2)),
        ("float(1/3)", 1 / 3),
        ("0", 0),
        ("float(0) * -1", -0.0),
    ],
)
def test_values_cross_exactly(engine: exprflow.Engine, text: str, expected: object) -> None:
    value = engine.eval(text)
    assert value == expected
    assert type(value) is type(expected)


def test_huge_integer_round_trips(engine: exprflow.Engine) -> None:
    value = engine.eval("fact(3000)")
    import math

    assert value == math.factorial(3000)


def test_submit_returns_a_stdlib_future(engine: exprflow.Engine) -> None:
    f = engine.submit("fact(30) / fact(28)")
    assert isinstance(f, concurrent.futures.Future)
    assert isinstance(f, exprflow.Future)
    assert f.result(timeout=1.0) == 870
    assert f.done() and not f.cancelled() and f.exception() is None
    assert "finished" in repr(f)


def test_cancel_stops_a_running_evaluation(engine: exprflow.Engine) -> None:
    f = engine.submit("delay(1, 60000)")
    assert f.running()
    assert f.cancel() is True
    assert f.cancelled() and f.done()
    with pytest.raises(concurrent.futures.CancelledError):
        f.result()
    done = engine.submit("1+1")
    assert done.result() == 2
    assert done.cancel() is False


def test_cancel_frees_the_only_worker() -> None:
    with exprflow.Engine(workers=1) as one:
        busy = one.submit("busy(1, 60000)")
        busy.cancel()
        # The next evaluation needs the one worker: it runs at once. The
        # 20 s bound is far beyond the minute the busy loop would take
        # only if cancel did not free the worker; it is the point here.
        assert one.submit("busy(2, 10)").result(timeout=20) == 2


def test_as_completed_and_wait_work_unchanged(engine: exprflow.Engine) -> None:
    texts = ["delay(1, 150)", "delay(2, 10)", "delay(3, 80)"]
    futures = [engine.submit(t) for t in texts]
    order = [f.result() for f in as_completed(futures, timeout=20)]
    assert sorted(order) == [1, 2, 3]
    assert order[0] == 2
    futures = [engine.submit("delay(1, 60000)"), engine.submit("delay(2, 1)")]
    done, not_done = wait(futures, return_when=FIRST_COMPLETED, timeout=20)
    assert [f.result() for f in done] == [2]
    assert not_done == {futures[0]}
    futures[0].cancel()
    done, not_done = wait(futures, timeout=20)
    assert not not_done


def test_add_done_callback_runs_once_finished(engine: exprflow.Engine) -> None:
    seen: list[object] = []
    event = threading.Event()

    def record(future: concurrent.futures.Future[exprflow.Number]) -> None:
        seen.append(future.result())
        event.set()

    engine.submit("delay(7, 20)").add_done_callback(record)
    assert event.wait(20)
    assert seen == [7]


def test_errors_travel_through_futures(engine: exprflow.Engine) -> None:
    f = engine.submit("1 + 1/0")
    error = f.exception(timeout=20)
    assert isinstance(error, exprflow.DivisionByZero)
    with pytest.raises(ZeroDivisionError):
        f.result()


def test_result_timeout_raises_timeout_error(engine: exprflow.Engine) -> None:
    f = engine.submit("delay(1, 60000)")
    with pytest.raises(TimeoutError):
        f.result(timeout=0.01)
    assert not f.done()
    f.cancel()


def test_submit_timeout_stops_the_evaluation(engine: exprflow.Engine) -> None:
    f = engine.submit("delay(1, 60000)", timeout=0.02)
    with pytest.raises(TimeoutError) as caught:
        f.result(timeout=20)
    assert isinstance(caught.value, exprflow.TimedOut)
    assert caught.value.kind == "TimedOut"


def test_map_keeps_input_order_and_raises_at_the_item(engine: exprflow.Engine) -> None:
    assert list(engine.map(["1+1", "2^100"])) == [2, 2**100]
    results = engine.map(["1", "1/0", "3"])
    assert next(results) == 1
    with pytest.raises(exprflow.DivisionByZero) as caught:
        next(results)
    assert caught.value.span == (0, 3)


def test_eval_async_and_wrap_future(engine: exprflow.Engine) -> None:
    async def main() -> list[object]:
        first = await engine.eval_async("delay(1, 50)")
        second = await asyncio.wrap_future(engine.submit("delay(2, 10)"))
        return [first, second]

    assert asyncio.run(main()) == [1, 2]


def test_cancelling_the_awaiting_task_cancels_the_evaluation(engine: exprflow.Engine) -> None:
    async def main() -> None:
        task = asyncio.ensure_future(engine.eval_async("delay(1, 60000)"))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())


def test_shutdown_refuses_new_work() -> None:
    engine = exprflow.Engine(workers=1)
    with engine:
        assert engine.eval("1+1") == 2
    with pytest.raises(RuntimeError):
        engine.submit("1")
    with pytest.raises(RuntimeError):
        engine.eval("1")
    assert "shut down" in repr(engine)


def test_shutdown_waits_or_cancels() -> None:
    engine = exprflow.Engine(workers=1)
    slow = engine.submit("delay(5, 30)")
    engine.shutdown(wait=True)
    assert slow.result(timeout=0) == 5
    engine = exprflow.Engine(workers=1)
    never = engine.submit("delay(5, 60000)")
    engine.shutdown(wait=True, cancel_futures=True)
    assert never.cancelled()


def test_map_spans_index_each_items_own_text(engine: exprflow.Engine) -> None:
    def first_error(texts: list[str]) -> str:
        with pytest.raises(exprflow.Error) as caught:
            list(engine.map(texts))
        start, end = caught.value.span
        failing = texts[len(texts) - 1]
        return failing[start:end]

    assert first_error(["1", "2 + 1/0"]) == "1/0"
    assert first_error(["2", "7", "5 * sqrt(-4)"]) == "sqrt(-4)"
    # Shared with an earlier item that never evaluates it (hash-consing:
    # the node's span is its first occurrence): its own place here.
    assert first_error(["if(0, 1/(1-1), 1)", "5 * (1/(1-1))"]) == "(1/(1-1))"


def test_waiting_through_the_stdlib_never_misses_a_completion(engine: exprflow.Engine) -> None:
    # Futures finishing while as_completed/wait/add_done_callback install
    # themselves: each must still be seen, exactly once.
    for round in range(20):
        futures = [engine.submit(f"delay({i}, {i % 3})") for i in range(50)]
        seen = [f.result() for f in as_completed(futures, timeout=20)]
        assert sorted(seen) == list(range(50)), round
        done, not_done = wait([engine.submit(f"{i} + 1") for i in range(50)], timeout=20)
        assert not not_done and len(done) == 50
        calls = _Calls(50)
        for i in range(50):
            engine.submit(f"delay({i}, {i % 2})").add_done_callback(calls.called)
        assert calls.finished.wait(20)
        assert sorted(calls.values) == list(range(50))


class _Calls:
    """Done callbacks' values, and an event once `expected` came."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.values: list[int] = []
        self.finished = threading.Event()

    def called(self, future: concurrent.futures.Future[exprflow.Number]) -> None:
        value = future.result()
        assert isinstance(value, int)
        self.values.append(value)
        if len(self.values) == self.expected:
            self.finished.set()


def test_an_unwatched_future_still_runs_to_its_end() -> None:
    ran = threading.Event()

    def mark() -> int:
        ran.set()
        return 1

    with exprflow.Engine(workers=1, functions={"mark": mark}) as engine:
        engine.submit("delay(0, 20) + mark()")  # the future is dropped at once
        assert ran.wait(20)


def test_a_finished_future_is_freed_by_reference_counting(engine: exprflow.Engine) -> None:
    import gc
    import weakref

    gc.disable()
    try:
        f = engine.submit("2^10")
        assert f.result() == 1024
        alive = weakref.ref(f)
        del f
        # The evaluation's completion callback, on a pool thread, lets go
        # of its reference just after result() returns; PyO3 applies that
        # release at the next call into the extension. With the collector
        # off, only reference counting can free the future: a cycle never
        # would, whatever the wait. 20 s is the bound of a hang, not a
        # timing claim.
        deadline = time.monotonic() + 20
        while alive() is not None and time.monotonic() < deadline:
            engine.eval("0")
            time.sleep(0.001)
        assert alive() is None  # no cycle: freed by reference counting
    finally:
        gc.enable()
