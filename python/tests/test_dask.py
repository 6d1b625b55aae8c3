"""SPEC section 8: host functions on a Dask cluster (``Engine(cluster=)``)
and ``exprflow.to_dask``. One LocalCluster of 2 worker processes serves
the whole module (starting one takes a few seconds)."""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

import pytest

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")
hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import exprflow  # noqa: E402

# The workers are other processes that cannot import this test module:
# its functions travel by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

# How long the cluster may take to notice something (a cancelled task
# leaving the scheduler): generous, since CI's 2 cores are shared. The
# bound is the point of those tests; they poll the state, not sleep.
GENEROUS_SECONDS = 30.0


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    )
    with distributed.Client(cluster) as shared:
        yield shared
    cluster.close()


def triple(x: Any) -> Any:
    return 3 * x + 1


def mix(a: Any, b: Any) -> Any:
    return a - 2 * b


def boom(x: Any) -> Any:
    raise ValueError(f"boom {x}")


FUNCTIONS: dict[str, Callable[..., Any]] = {"triple": triple, "mix": mix, "boom": boom}


def outcome(run: Callable[[], Any]) -> tuple[str, Any]:
    """A value, or the error's kind and message, to compare two runs."""
    try:
        return ("value", run())
    except exprflow.Error as error:
        return (error.kind, str(error))


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + GENEROUS_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {GENEROUS_SECONDS} s: {what}")
        time.sleep(0.05)


def expressions() -> st.SearchStrategy[str]:
    leaves = st.one_of(
        st.integers(min_value=0, max_value=9).map(str),
        st.sampled_from(["0.5", "1/3"]),
    )

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        ops = st.sampled_from(["+", "-", "*", "/"])
        return st.one_of(
            st.tuples(inner, ops, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda a: f"triple({a})"),
            st.tuples(inner, inner).map(lambda t: f"mix({t[0]}, {t[1]})"),
            inner.map(lambda a: f"if({a} < 2, boom({a}), {a})"),
        )

    return st.recursive(leaves, grow, max_leaves=8)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=expressions())
def test_answers_equal_the_local_engines(client: Any, text: str) -> None:
    with exprflow.Engine(workers=2, functions=FUNCTIONS) as local:
        expected = outcome(lambda: local.eval(text))
    with exprflow.Engine(workers=2, functions=FUNCTIONS, cluster=client) as remote:
        assert outcome(lambda: remote.eval(text)) == expected
    graph = exprflow.to_dask(text, functions=FUNCTIONS)
    assert outcome(lambda: client.compute(graph).result()) == expected
    assert outcome(lambda: dask.compute(graph, scheduler="sync")[0]) == expected


def test_equal_calls_run_once_across_statements_and_engines(client: Any, tmp_path: Path) -> None:
    calls = tmp_path / "calls.txt"

    def counted(x: Any) -> Any:
        with open(calls, "a") as log:
            log.write(f"{x}\n")
        return x * x

    functions = {"counted": counted}
    with exprflow.Engine(workers=2, functions=functions, cluster=client) as engine:
        assert engine.eval("counted(3) + counted(3) * 2 + counted(1+2)") == 36
        assert engine.eval("counted(3) - 1") == 8
        session = engine.session()
        session.eval("y = counted(3)")
        assert session.eval("y + counted(4)") == 25
        with exprflow.Engine(functions=functions, cluster=client) as other:
            futures = [other.submit("counted(3) + counted(4)") for _ in range(4)]
            assert [f.result() for f in futures] == [25] * 4
    assert sorted(calls.read_text().split()) == ["3", "4"]


def test_a_volatile_function_runs_at_every_call(client: Any, tmp_path: Path) -> None:
    calls = tmp_path / "ticks.txt"

    def tick(x: Any) -> Any:
        with open(calls, "a") as log:
            log.write(f"{x}\n")
        return x

    functions = {"tick": exprflow.function(tick, volatile=True)}
    with exprflow.Engine(functions=functions, cluster=client) as engine:
        assert engine.eval("tick(2) + tick(2)") == 4
        assert engine.eval("tick(2)") == 2
    assert calls.read_text().split() == ["2", "2", "2"]


def test_a_call_on_the_cluster_holds_no_pool_worker(client: Any, tmp_path: Path) -> None:
    def meet(x: Any) -> Any:
        # 1 when the other call is running at the same time, 0 after the
        # generous bound: two calls on one pool worker meet only if
        # neither holds that worker while the cluster runs it.
        (tmp_path / f"started-{x}").touch()
        other = tmp_path / f"started-{3 - x}"
        deadline = time.monotonic() + GENEROUS_SECONDS
        while not other.exists():
            if time.monotonic() > deadline:
                return 0
            time.sleep(0.01)
        return 1

    with exprflow.Engine(workers=1, functions={"meet": meet}, cluster=client) as engine:
        assert engine.eval("meet(1) + meet(2)") == 2


def test_a_worker_that_dies_during_a_call_is_rerun(client: Any, tmp_path: Path) -> None:
    attempted = tmp_path / "attempted"

    def fragile(x: Any) -> Any:
        if not attempted.exists():
            attempted.touch()
            os._exit(1)
        return x + 1

    with exprflow.Engine(functions={"fragile": fragile}, cluster=client) as engine:
        assert engine.eval("fragile(41) * 2") == 84
    assert attempted.exists()
    wait_until(lambda: len(client.scheduler_info()["workers"]) == 2, "the worker restarts")


def test_a_remote_exception_is_a_domain_error_with_its_cause(client: Any) -> None:
    engine = exprflow.Engine(functions=FUNCTIONS, cluster=client)
    with engine, pytest.raises(exprflow.DomainError) as caught:
        engine.eval("1 + boom(7)")
    error = caught.value
    assert error.span == (4, 11)
    assert "boom raised ValueError: boom 7" in str(error)
    assert isinstance(error.__cause__, ValueError)
    assert str(error.__cause__) == "boom 7"


def test_cancel_removes_the_task_from_the_scheduler(client: Any, tmp_path: Path) -> None:
    release = tmp_path / "release"

    def stuck(x: Any) -> Any:
        # Waits for the test to let it go (bounded), so that the worker
        # is free again for the tests after this one.
        deadline = time.monotonic() + GENEROUS_SECONDS
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        return x

    def processing(dask_scheduler: Any) -> list[str]:
        return [str(t.key) for t in dask_scheduler.tasks.values() if t.state == "processing"]

    def stuck_running() -> bool:
        keys = client.run_on_scheduler(processing)
        return any(key.startswith("stuck-") for key in keys)

    with exprflow.Engine(functions={"stuck": stuck}, cluster=client) as engine:
        future = engine.submit("stuck(5) + 1")
        wait_until(stuck_running, "the call reaches the cluster")
        assert future.cancel()
        wait_until(lambda: not stuck_running(), "the cancelled task leaves processing")
    release.touch()


def test_async_host_functions_stay_on_the_engines_loop(client: Any) -> None:
    async def local_price(x: Any) -> Any:
        return x * 10

    functions: dict[str, Callable[..., Any]] = {
        "price": local_price,
        "triple": triple,
        "hyp": math.hypot,
    }
    with exprflow.Engine(functions=functions, cluster=client) as engine:
        assert engine.eval("price(2) + triple(2)") == 27
        assert engine.eval("hyp(3, 4) + hyp(5, 12, 84)") == 90.0  # no signature: any arity


def test_a_client_is_required() -> None:
    with pytest.raises(TypeError, match=r"dask\.distributed\.Client"):
        exprflow.Engine(cluster="tcp://scheduler:8786")


def test_to_dask_fuses_the_arithmetic_into_the_call_tasks(client: Any) -> None:
    text = "triple(1) * 2 + mix(3, 4) * 3 - (1 + 2) * 4 / 5 + 6 - 7 + 8 * 9"
    graph = exprflow.to_dask(text, functions=FUNCTIONS)
    from dask.delayed import Delayed

    assert isinstance(graph, Delayed)
    assert len(dict(graph.__dask_graph__())) == 3  # 2 calls and the rest
    with exprflow.Engine(functions=FUNCTIONS) as engine:
        assert dask.compute(graph)[0] == engine.eval(text)
        assert client.compute(graph).result() == engine.eval(text)
    shared = exprflow.to_dask("triple(2) + triple(2) * triple(triple(2))", functions=FUNCTIONS)
    assert len(dict(shared.__dask_graph__())) == 3
    assert dask.compute(shared)[0] == 7 + 7 * 22


@pytest.mark.parametrize(
    "text, kind",
    [
        ("1/0 + boom(1)", "DivisionByZero"),
        ("boom(1) + 1/0", "Domain"),
        ("triple(1, 2)", "WrongArity"),
        ("triple(x)", "UnknownVariable"),
        ("if(1, 2, boom(1))", "value"),
    ],
)
def test_to_dask_errors_are_the_engines(text: str, kind: str) -> None:
    with exprflow.Engine(functions=FUNCTIONS) as engine:
        expected = outcome(lambda: engine.eval(text))
    assert expected[0] == kind
    graph = exprflow.to_dask(text, functions=FUNCTIONS)
    assert outcome(lambda: dask.compute(graph, scheduler="sync")[0]) == expected


def test_to_dask_values_cross_exactly() -> None:
    graph = exprflow.to_dask("triple(1/3) + triple(2^70)", functions=FUNCTIONS)
    assert dask.compute(graph, scheduler="sync")[0] == Fraction(2) + 3 * 2**70 + 1


def test_huge_arguments_cross_both_ways(client: Any) -> None:
    # More digits than Python converts to decimal text by default (4,300).
    text = "triple(2^20000 / 3) - triple(-(2^20000))"
    expected = (2**20000 + 1) - (-3 * 2**20000 + 1)
    with exprflow.Engine(functions=FUNCTIONS, cluster=client) as engine:
        assert engine.eval(text) == expected
    graph = exprflow.to_dask(text, functions=FUNCTIONS)
    assert dask.compute(graph, scheduler="sync")[0] == expected


def test_to_dask_refuses_bad_text_at_once() -> None:
    with pytest.raises(exprflow.ParseError):
        exprflow.to_dask("triple(1", functions=FUNCTIONS)
    with pytest.raises(exprflow.ParseError):
        exprflow.to_dask("x = triple(1)", functions=FUNCTIONS)


def test_to_dask_cuts_calls_out_of_text_with_non_ascii_comments() -> None:
    text = "# café, naïve: the calls come after multi-byte characters\ntriple(2) * mix(1, 1) # é"
    graph = exprflow.to_dask(text, functions=FUNCTIONS)
    assert len(dict(graph.__dask_graph__())) == 3
    assert dask.compute(graph, scheduler="sync")[0] == -7


@pytest.mark.parametrize(
    "text",
    ["triple(" * 5000 + "1" + ")" * 5000, "triple(1)\0", "triple(1,,2)", "x = 1", ""],
)
def test_to_dask_hostile_text_is_an_error_with_its_place(text: str) -> None:
    with pytest.raises(exprflow.Error) as caught:
        exprflow.to_dask(text, functions=FUNCTIONS)
    assert caught.value.line >= 1 and caught.value.column >= 1


def test_to_dask_of_many_and_deeply_nested_calls() -> None:
    wide = " + ".join(f"triple({i})" for i in range(5000))
    assert len(dict(exprflow.to_dask(wide, functions=FUNCTIONS).__dask_graph__())) == 5001
    deep = "triple(" * 300 + "1" + ")" * 300
    graph = exprflow.to_dask(deep, functions=FUNCTIONS)
    assert len(dict(graph.__dask_graph__())) == 301
    with exprflow.Engine(functions=FUNCTIONS) as engine:
        assert dask.compute(graph, scheduler="sync")[0] == engine.eval(deep)
