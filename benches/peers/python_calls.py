"""Issue 22: exprflow from Python against the stdlib, side by side.

1. Per call, tiny work: ``engine.eval("1+2")``, ``engine.submit("1+2").result()``
   and ``ThreadPoolExecutor.submit(lambda: 1 + 2).result()``, in µs per call
   (``--calls`` calls, one after another, from one Python thread).
2. The course's exercise ``(3+7)*(2+8)*((2*3)-1)``: one ThreadPoolExecutor
   future per operation (as the course's notebook solves it) versus
   ``engine.eval`` of the text, in µs per evaluation.
3. 1,000 independent 50 ms waits: ``delay`` (one expression summing them,
   and 1,000 ``engine.submit`` futures) versus ``asyncio.gather`` of
   ``asyncio.sleep`` versus a thread pool of ``time.sleep`` (the default
   size, and one thread per wait).

Each figure is the median of ``--repeat`` (3) runs. One JSON line per
measurement on stdout (``_common.emit``), a summary on stderr. Needs the
exprflow package (scripts/test's venv:
``target/python-venv/bin/python benches/peers/python_calls.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from typing import Any, Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import exprflow
from _common import emit, log

COURSE = "(3+7)*(2+8)*((2*3)-1)"


def median_of(repeat: int, run: Callable[[], Any]) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def per_call(args: argparse.Namespace, engine: exprflow.Engine) -> dict[str, float]:
    n = args.calls
    us: dict[str, float] = {}

    def evals() -> None:
        for _ in range(n):
            engine.eval("1+2")

    def submits() -> None:
        for _ in range(n):
            engine.submit("1+2").result()

    with ThreadPoolExecutor(max_workers=2) as pool:

        def stdlib() -> None:
            for _ in range(n):
                pool.submit(lambda: 1 + 2).result()

        for name, run in [("eval", evals), ("submit_result", submits), ("tpe", stdlib)]:
            t, runs = median_of(args.repeat, run)
            us[name] = t / n * 1e6
            peer = "threadpool_submit_result" if name == "tpe" else f"exprflow_{name}"
            emit("python_per_call", peer, n, t, runs_s=runs, us_per_call=round(us[name], 3))
    return us


def course(args: argparse.Namespace, engine: exprflow.Engine) -> dict[str, float]:
    n = args.course
    us: dict[str, float] = {}

    with ThreadPoolExecutor(max_workers=2) as pool:

        def futures_per_operation() -> int:
            a = pool.submit(lambda: 3 + 7)
            b = pool.submit(lambda: 2 + 8)
            c = pool.submit(lambda: 2 * 3)
            d = pool.submit(lambda: c.result() - 1)
            ab = pool.submit(lambda: a.result() * b.result())
            return pool.submit(lambda: ab.result() * d.result()).result()

        assert futures_per_operation() == 500 == engine.eval(COURSE)
        t, runs = median_of(args.repeat, lambda: [futures_per_operation() for _ in range(n)])
        us["tpe"] = t / n * 1e6
        emit("course_exercise", "threadpool_future_per_op", n, t, runs_s=runs)
    t, runs = median_of(args.repeat, lambda: [engine.eval(COURSE) for _ in range(n)])
    us["eval"] = t / n * 1e6
    emit("course_exercise", "exprflow_eval", n, t, runs_s=runs)
    return us


def waits(args: argparse.Namespace, engine: exprflow.Engine) -> dict[str, float]:
    n, ms = args.waits, 50
    s: dict[str, float] = {}
    text = " + ".join(f"delay({i}, {ms})" for i in range(n))
    expected = n * (n - 1) // 2

    def one_expression() -> None:
        assert engine.eval(text) == expected

    def many_futures() -> None:
        futures = [engine.submit(f"delay({i}, {ms})") for i in range(n)]
        assert sum(f.result() for f in futures) == expected

    async def gathered() -> int:
        async def wait_one(i: int) -> int:
            await asyncio.sleep(ms / 1000)
            return i

        return sum(await asyncio.gather(*(wait_one(i) for i in range(n))))

    def sleeper(i: int) -> int:
        time.sleep(ms / 1000)
        return i

    def pool_of(workers: int | None) -> Callable[[], None]:
        def run() -> None:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = [pool.submit(sleeper, i) for i in range(n)]
                wait_all(futures)
                assert sum(f.result() for f in futures) == expected

        return run

    default_workers = min(32, (os.cpu_count() or 1) + 4)
    rows: list[tuple[str, Callable[[], Any]]] = [
        ("exprflow_delay_one_expression", one_expression),
        ("exprflow_delay_1000_futures", many_futures),
        ("asyncio_gather_sleep", lambda: asyncio.run(gathered())),
        (f"threadpool_default_{default_workers}_threads", pool_of(None)),
        (f"threadpool_{n}_threads", pool_of(n)),
    ]
    for peer, run in rows:
        t, runs = median_of(args.repeat, run)
        s[peer] = t
        emit("waits_1000x50ms", peer, n, t, runs_s=runs)
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--course", type=int, default=5_000)
    parser.add_argument("--waits", type=int, default=1_000)
    args = parser.parse_args()
    log(f"loadavg before: {os.getloadavg()}")
    with exprflow.Engine(workers=2) as engine:
        calls = per_call(args, engine)
        exercise = course(args, engine)
        slept = waits(args, engine)
    log(f"loadavg after: {os.getloadavg()}")
    log(
        f"per call (µs): eval {calls['eval']:.1f}, submit+result {calls['submit_result']:.1f}, "
        f"ThreadPoolExecutor submit+result {calls['tpe']:.1f}; "
        f"submit+result / stdlib = {calls['submit_result'] / calls['tpe']:.2f}"
    )
    log(
        f"course exercise (µs per evaluation): futures per operation {exercise['tpe']:.1f}, "
        f"engine.eval {exercise['eval']:.1f} ({exercise['tpe'] / exercise['eval']:.2f}x)"
    )
    log("1,000 waits of 50 ms (s): " + ", ".join(f"{k} {v:.3f}" for k, v in slept.items()))


if __name__ == "__main__":
    main()
