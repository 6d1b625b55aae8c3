#!/usr/bin/env python3
"""Peer benchmark: Cilk's classic parallel recursion, pfib.

exprflow side (benches/calls.rs):
    pfib(n, k) = if(n < 2, busy(n, MS), pfib(n-1, 2*k) + pfib(n-2, 2*k+1))
    pfib(N, 1)
The extra argument k (the call's path in the call tree) makes every call
distinct, so exprflow's memo by value cannot fold the tree into n calls:
both sides do the full naive recursion, fib(N+1) leaves of MS ms of CPU.

Here busy(i, ms) burns ms milliseconds of the calling thread's own CPU time
(time.thread_time), then returns i, as exprflow's `busy` does. With
--leaf sleep the leaves sleep instead (exprflow: `delay`), which shows the
parallelism of the recursion whatever the machine's load.

Peers:
  sequential        plain recursion in the main thread
  processpool-1     ProcessPoolExecutor(max_workers=1)
  processpool-2     ProcessPoolExecutor(max_workers=2)
A process pool cannot submit from inside a task, so the pool peers split the
recursion at the top (the subtrees CUTOFF levels down, 2^CUTOFF tasks at
most) and run each subtree serially in a worker process, then add up: the
usual way to write pfib with concurrent.futures. Pools are started and
warmed up before timing (extra.pool_start_s).

Output: one JSON line per measurement on stdout, human-readable on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import emit, fmt_s, log  # noqa: E402

WORKLOAD = "pfib"


def busy(i: int, secs: float) -> int:
    """Return i after burning `secs` seconds of this thread's CPU time."""
    end = time.thread_time() + secs
    while time.thread_time() < end:
        pass
    return i


def sleep(i: int, secs: float) -> int:
    time.sleep(secs)
    return i


LEAVES = {"busy": busy, "sleep": sleep}


def pfib(n: int, k: int, secs: float, leaf: str = "busy") -> int:
    if n < 2:
        return LEAVES[leaf](n, secs)
    return pfib(n - 1, 2 * k, secs, leaf) + pfib(n - 2, 2 * k + 1, secs, leaf)


def _noop(i: int) -> int:
    return i


def split(n: int, k: int, levels: int, out: list[tuple[int, int]]) -> None:
    """The subtrees `levels` down (or leaves reached earlier), left to right."""
    if levels == 0 or n < 2:
        out.append((n, k))
        return
    split(n - 1, 2 * k, levels - 1, out)
    split(n - 2, 2 * k + 1, levels - 1, out)


def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=18, help="N of pfib(N, 1) (default 18)")
    ap.add_argument("--ms", type=float, default=0.5, help="CPU milliseconds per leaf (default 0.5)")
    ap.add_argument("--cutoff", type=int, default=8, help="levels split into pool tasks (default 8)")
    ap.add_argument("--leaf", choices=sorted(LEAVES), default="busy", help="leaf work (default busy)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per peer, best is reported (default 3)")
    args = ap.parse_args()
    n, secs = args.n, args.ms / 1e3
    expected = fib(n)
    leaves = fib(n + 1)
    log(f"pfib({n}, 1): {leaves} leaves x {args.ms:g} ms {args.leaf} = {fmt_s(leaves * secs)} of work")
    one_worker = None
    for peer, workers in [("sequential", 0), ("processpool-1", 1), ("processpool-2", 2)]:
        runs: list[float] = []
        results: list[int] = []
        extra: dict = {}
        if workers == 0:
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                results.append(pfib(n, 1, secs, args.leaf))
                runs.append(time.perf_counter() - t0)
        else:
            t0 = time.perf_counter()
            with ProcessPoolExecutor(max_workers=workers) as ex:
                list(ex.map(_noop, range(4 * workers)))
                extra["pool_start_s"] = round(time.perf_counter() - t0, 6)
                for _ in range(args.repeat):
                    t1 = time.perf_counter()
                    tasks: list[tuple[int, int]] = []
                    split(n, 1, args.cutoff, tasks)
                    futures = [ex.submit(pfib, m, k, secs, args.leaf) for m, k in tasks]
                    results.append(sum(f.result() for f in futures))
                    runs.append(time.perf_counter() - t1)
            extra["tasks"] = len(tasks)
        best = min(runs)
        if workers == 1:
            one_worker = best
        if workers == 2 and one_worker:
            extra["speedup_vs_1_worker"] = round(one_worker / best, 3)
        ok = all(r == expected for r in results)
        emit(
            WORKLOAD if args.leaf == "busy" else "pfib-delay",
            peer,
            n,
            best,
            leaf_ms=args.ms,
            leaves=leaves,
            leaf_work_s=round(leaves * secs, 6),
            workers=max(workers, 1),
            correct=ok,
            runs_s=[round(r, 6) for r in runs],
            **extra,
        )
        log(f"{WORKLOAD} {peer:14} best {fmt_s(best):>9} of {args.repeat}" + ("" if ok else "  WRONG"))


if __name__ == "__main__":
    main()
