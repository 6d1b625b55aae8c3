#!/usr/bin/env python3
"""Peer benchmark: 16 independent CPU-bound terms, summed.

exprflow side:  busy(1, 25) + busy(2, 25) + ... + busy(16, 25)
(`busy(x, ms)` is x after ms milliseconds of CPU work on a worker.)

Here busy(i, ms) burns ms milliseconds of the calling thread's own CPU time: it
loops until time.thread_time() has advanced by ms/1000, then returns i.

Peers:
  sequential        plain loop in the main thread (reference: N * ms)
  threadpool-2      ThreadPoolExecutor(max_workers=2): GIL-bound, ~sequential
  processpool-2     ProcessPoolExecutor(max_workers=2), pool started and warmed
                    up before timing (extra.incl_pool_start_s includes start-up)

The ideal on 2 cores is N * ms / 2 (16 * 25 / 2 = 200 ms), reported as
extra.two_core_bound_s. Each peer runs --repeat times (default 3) and reports
the best wall time; all runs are in extra.runs_s.

Output: one JSON line per measurement on stdout, human-readable text on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import emit, fmt_s, log, parse_peers  # noqa: E402

WORKLOAD = "busy"
PEERS = ["sequential", "threadpool-2", "processpool-2"]
WORKERS = 2


def busy(i: int, secs: float) -> int:
    """Return i after burning `secs` seconds of this thread's CPU time."""
    end = time.thread_time() + secs
    while time.thread_time() < end:
        pass
    return i


def _noop(i: int) -> int:
    return i


def run_sequential(n: int, secs: float) -> int:
    return sum(busy(i, secs) for i in range(1, n + 1))


def run_pool(ex, n: int, secs: float) -> int:
    futs = [ex.submit(busy, i, secs) for i in range(1, n + 1)]
    return sum(f.result() for f in futs)


def measure(peer: str, n: int, secs: float, repeat: int) -> None:
    runs: list[float] = []
    results: list[int] = []
    extra: dict = {}
    if peer == "sequential":
        for _ in range(repeat):
            t0 = time.perf_counter()
            results.append(run_sequential(n, secs))
            runs.append(time.perf_counter() - t0)
    elif peer == "threadpool-2":
        for _ in range(repeat):
            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=WORKERS) as ex:
                results.append(run_pool(ex, n, secs))
            runs.append(time.perf_counter() - t0)
    elif peer == "processpool-2":
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=WORKERS) as ex:
            # Warm up: make sure both worker processes exist and have run a task.
            list(ex.map(_noop, range(4 * WORKERS)))
            start = time.perf_counter() - t0
            for _ in range(repeat):
                t1 = time.perf_counter()
                results.append(run_pool(ex, n, secs))
                runs.append(time.perf_counter() - t1)
        extra["pool_start_s"] = round(start, 6)
        extra["incl_pool_start_s"] = round(start + runs[0], 6)
    else:  # pragma: no cover
        raise AssertionError(peer)

    expected = n * (n + 1) // 2
    ok = all(r == expected for r in results)
    if not ok:
        log(f"ERROR: {peer}: results {results} != {expected}")
    best = min(runs)
    bound = n * secs / WORKERS
    emit(
        WORKLOAD,
        peer,
        n,
        best,
        ms=secs * 1e3,
        workers=1 if peer == "sequential" else WORKERS,
        result=results[-1],
        correct=ok,
        two_core_bound_s=bound,
        sequential_bound_s=n * secs,
        speedup_vs_sequential_bound=round(n * secs / best, 3),
        runs_s=[round(r, 6) for r in runs],
        **extra,
    )
    log(
        f"{WORKLOAD:6} {peer:14} n={n:<3} best {fmt_s(best):>9} of {repeat}"
        f"   (2-core bound {fmt_s(bound)}, sequential {fmt_s(n * secs)})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=16, help="number of busy terms (default 16)")
    ap.add_argument("--ms", type=float, default=25.0, help="CPU milliseconds per term (default 25)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per peer, best is reported (default 3)")
    ap.add_argument(
        "--peers",
        nargs="+",
        metavar="PEER",
        help=f"peers to run, space- or comma-separated (default: all): {', '.join(PEERS)}",
    )
    ap.add_argument(
        "--emit",
        metavar="FILE",
        help="write the exprflow expression 'busy(1,MS)+...+busy(N,MS)' to FILE (one line)",
    )
    args = ap.parse_args()
    secs = args.ms / 1e3
    if args.emit:
        with open(args.emit, "w") as f:
            f.write("+".join(f"busy({i},{args.ms:g})" for i in range(1, args.n + 1)))
            f.write("\n")
        log(f"wrote {args.emit}: {args.n} busy terms")
    log(f"busy: {args.n} x busy(i, {args.ms:g} ms CPU), expected sum {args.n * (args.n + 1) // 2}")
    for peer in parse_peers(args.peers, PEERS):
        measure(peer, args.n, secs, args.repeat)


if __name__ == "__main__":
    main()
