"""Issue 27: heavy Python host functions on a Dask cluster.

8 calls of a pure-Python function that burns about 0.25 s of CPU, summed:

- ``local``: ``exprflow.Engine(workers=2)``: the calls run on the pool's
  threads, one at a time under the GIL;
- ``cluster``: ``exprflow.Engine(cluster=client)`` on a LocalCluster of 2
  worker processes (1 thread each);
- ``to_dask``: ``exprflow.to_dask(text).compute()`` on the same client;
- ``dask``: plain ``dask.delayed`` of the same calls on the same client.

Then the per-call overhead of each path, with a function that does nothing:
200 independent calls in one expression (throughput) and 30 calls one after
another (latency), exprflow's cluster path beside Dask's own
(``client.submit(...).result()``, ``client.gather`` of 200 submits).

Every measurement is the median of ``--repeat`` runs (3), each with fresh
argument values so that no call is shared with an earlier run. One JSON
line per measurement on stdout (``_common.emit``); a summary on stderr.
Needs the exprflow package and ``dask[distributed]`` (scripts/test's venv:
``target/python-venv/bin/python benches/peers/python_dask.py``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any, Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dask
import exprflow
from _common import emit, log
from dask.distributed import Client, LocalCluster

ROUNDS = [0]  # set by calibrate(): loop rounds for 0.25 s of CPU


def burn(x: int) -> int:
    """About 0.25 s of pure-Python CPU work (holds the GIL throughout)."""
    total = x
    for i in range(ROUNDS[0]):
        total = (total * 31 + i) % 1_000_003
    return total


def noop(x: int) -> int:
    return x


def calibrate(seconds: float) -> int:
    ROUNDS[0] = 200_000
    start = time.perf_counter()
    burn(0)
    elapsed = time.perf_counter() - start
    return int(200_000 * seconds / elapsed)


def median_of(repeat: int, run: Callable[[int], Any]) -> tuple[float, list[float]]:
    times = []
    for r in range(repeat):
        start = time.perf_counter()
        run(r)
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=0.25)
    args = parser.parse_args()
    ROUNDS[0] = calibrate(args.seconds)
    log(f"burn: {ROUNDS[0]} rounds for about {args.seconds} s; loadavg {os.getloadavg()}")
    n = args.calls

    def text(fn: str, r: int, count: int) -> str:
        base = 1000 * (r + 1)
        return " + ".join(f"{fn}({base + i})" for i in range(count))

    # ROUNDS travels with burn's module globals (cloudpickle by value).
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    client.run(lambda: None)  # workers up
    figures: dict[str, float] = {}
    try:
        with exprflow.Engine(workers=2, functions={"burn": burn}) as local:
            figures["local"], runs = median_of(
                args.repeat, lambda r: local.eval(text("burn", r, n))
            )
            emit("dask_burn8", "exprflow_local", n, figures["local"], runs_s=runs)
        with exprflow.Engine(workers=2, functions={"burn": burn}, cluster=client) as remote:
            figures["cluster"], runs = median_of(
                args.repeat, lambda r: remote.eval(text("burn", r + 10, n))
            )
            emit("dask_burn8", "exprflow_cluster", n, figures["cluster"], runs_s=runs)
        figures["to_dask"], runs = median_of(
            args.repeat,
            lambda r: exprflow.to_dask(text("burn", r + 20, n), functions={"burn": burn}).compute(),
        )
        emit("dask_burn8", "exprflow_to_dask", n, figures["to_dask"], runs_s=runs)

        def plain(r: int) -> int:
            calls = [dask.delayed(burn)(1000 * (r + 31) + i) for i in range(n)]
            return int(sum(dask.compute(*calls)))

        figures["dask"], runs = median_of(args.repeat, plain)
        emit("dask_burn8", "dask_delayed", n, figures["dask"], runs_s=runs)

        many = 200
        with exprflow.Engine(workers=2, functions={"noop": noop}, cluster=client) as remote:
            t, runs = median_of(args.repeat, lambda r: remote.eval(text("noop", r + 40, many)))
            figures["cluster_many_ms"] = t / many * 1000
            emit("dask_overhead200", "exprflow_cluster", many, t, runs_s=runs)

            def one_by_one(r: int) -> None:
                for i in range(30):
                    remote.eval(f"noop({100_000 * (r + 1) + i})")

            t, runs = median_of(args.repeat, one_by_one)
            figures["cluster_one_ms"] = t / 30 * 1000
            emit("dask_latency30", "exprflow_cluster", 30, t, runs_s=runs)

        def dask_many(r: int) -> None:
            futures = [client.submit(noop, 50_000 * (r + 1) + i, pure=False) for i in range(many)]
            client.gather(futures)

        t, runs = median_of(args.repeat, dask_many)
        figures["dask_many_ms"] = t / many * 1000
        emit("dask_overhead200", "dask_submit", many, t, runs_s=runs)

        def dask_one(r: int) -> None:
            for i in range(30):
                client.submit(noop, 200_000 * (r + 1) + i, pure=False).result()

        t, runs = median_of(args.repeat, dask_one)
        figures["dask_one_ms"] = t / 30 * 1000
        emit("dask_latency30", "dask_submit", 30, t, runs_s=runs)
    finally:
        client.close()
        cluster.close()

    log(f"loadavg after: {os.getloadavg()}")
    log(
        f"{n} x {args.seconds} s burn, median of {args.repeat}: "
        f"local {figures['local']:.3f} s, cluster {figures['cluster']:.3f} s, "
        f"to_dask {figures['to_dask']:.3f} s, dask.delayed {figures['dask']:.3f} s"
    )
    log(
        f"speed-up of cluster= over local: {figures['local'] / figures['cluster']:.2f}x; "
        f"cluster / dask.delayed: {figures['cluster'] / figures['dask']:.3f}; "
        f"to_dask / dask.delayed: {figures['to_dask'] / figures['dask']:.3f}"
    )
    log(
        f"per call, 200 at once: cluster= {figures['cluster_many_ms']:.2f} ms, "
        f"dask submit+gather {figures['dask_many_ms']:.2f} ms; one after another: "
        f"cluster= {figures['cluster_one_ms']:.2f} ms, dask submit().result() "
        f"{figures['dask_one_ms']:.2f} ms"
    )


if __name__ == "__main__":
    main()
