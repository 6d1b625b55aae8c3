#!/usr/bin/env python3
"""Peer benchmark: N independent simulated-I/O delays, summed.

exprflow side:  delay(1, 50) + delay(2, 50) + ... + delay(N, 50)
(`delay(x, ms)` is x, available ms milliseconds later, and must not occupy a
pool worker while it waits, so the ideal wall time is ~50 ms whatever N is.)

Peers (each computes sum(1..N) from N tasks that each sleep 50 ms then return i):
  threadpool            concurrent.futures.ThreadPoolExecutor(), default max_workers
                        (min(32, cpus + 4)); each task time.sleep()s on a worker thread
  asyncio               asyncio.gather over N coroutines doing asyncio.sleep
  dask-threads-2        dask.delayed + time.sleep, scheduler="threads", num_workers=2
  dask-threads-default  same, dask's default thread count (its CPU count)

Before the peers, a fresh subprocess runs the asyncio peer with --rss-n
(default 10000) tasks and reports its peak RSS: resource.getrusage ru_maxrss
(extra.peak_rss_kib) and, on Linux, VmHWM (extra.vm_hwm_kib), each with its
value just before the run.

Output: one JSON line per measurement on stdout, human-readable text on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import emit, fmt_s, import_dask, log, parse_peers  # noqa: E402

WORKLOAD = "delays"
PEERS = ["threadpool", "asyncio", "dask-threads-2", "dask-threads-default"]


def expected_sum(n: int) -> int:
    return n * (n + 1) // 2


def peak_rss_kib() -> int:
    """resource.getrusage(RUSAGE_SELF).ru_maxrss in KiB.

    Caveat: on Linux this high-water mark survives fork+exec, so a child starts
    with at least its parent's RSS at spawn time. That is why the probe runs in
    a subprocess spawned before the parent has imported dask or started pools,
    and why vm_hwm_kib() (per address space, reset by exec) is reported too.
    """
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return rss // 1024 if sys.platform == "darwin" else rss


def vm_hwm_kib() -> int | None:
    """Peak RSS of this process's own address space (Linux VmHWM), or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


# --------------------------------------------------------------------------- peers


def sleep_then(i: int, secs: float) -> int:
    time.sleep(secs)
    return i


def run_threadpool(n: int, secs: float) -> tuple[float, int, dict]:
    t0 = time.perf_counter()
    with ThreadPoolExecutor() as ex:
        workers = ex._max_workers  # the default chosen by the stdlib
        futs = [ex.submit(sleep_then, i, secs) for i in range(1, n + 1)]
        total = sum(f.result() for f in futs)
    wall = time.perf_counter() - t0
    bound = math.ceil(n / workers) * secs
    return wall, total, {"max_workers": workers, "lower_bound_s": bound}


async def _async_delay(i: int, secs: float) -> int:
    await asyncio.sleep(secs)
    return i


def run_asyncio(n: int, secs: float) -> tuple[float, int, dict]:
    timing: dict[str, float] = {}

    async def main() -> int:
        t0 = time.perf_counter()
        vals = await asyncio.gather(*(_async_delay(i, secs) for i in range(1, n + 1)))
        timing["gather"] = time.perf_counter() - t0
        return sum(vals)

    t0 = time.perf_counter()
    total = asyncio.run(main())
    incl_loop = time.perf_counter() - t0
    # wall_s is the gather itself; extra carries the cost including loop set-up.
    return timing["gather"], total, {"incl_event_loop_s": round(incl_loop, 6), "lower_bound_s": secs}


def run_dask(n: int, secs: float, num_workers: int | None) -> tuple[float, int, dict]:
    import dask
    from dask import delayed

    t0 = time.perf_counter()
    terms = [delayed(sleep_then)(i, secs) for i in range(1, n + 1)]
    total_d = delayed(sum)(terms)
    t1 = time.perf_counter()
    kwargs = {"scheduler": "threads"}
    if num_workers is not None:
        kwargs["num_workers"] = num_workers
    total = dask.compute(total_d, **kwargs)[0]
    t2 = time.perf_counter()
    if num_workers is None:
        from dask.system import CPU_COUNT

        workers = CPU_COUNT
    else:
        workers = num_workers
    return (
        t2 - t0,
        total,
        {
            "num_workers": workers,
            "num_workers_requested": num_workers if num_workers is not None else "default",
            "build_s": round(t1 - t0, 6),
            "compute_s": round(t2 - t1, 6),
            "lower_bound_s": math.ceil(n / workers) * secs,
            "dask": dask.__version__,
        },
    )


# --------------------------------------------------------------------------- main


def run_once(peer: str, n: int, secs: float) -> tuple[float, int, dict]:
    if peer == "threadpool":
        return run_threadpool(n, secs)
    if peer == "asyncio":
        return run_asyncio(n, secs)
    if peer == "dask-threads-2":
        return run_dask(n, secs, 2)
    if peer == "dask-threads-default":
        return run_dask(n, secs, None)
    raise AssertionError(peer)  # pragma: no cover


def run_peer(peer: str, n: int, secs: float, repeat: int) -> None:
    """Best of `repeat` runs (as exprflow's), every run's time kept."""
    runs = [run_once(peer, n, secs) for _ in range(repeat)]
    wall, total, extra = min(runs, key=lambda r: r[0])
    extra = dict(extra, runs_s=[round(r[0], 6) for r in runs])
    ok = total == expected_sum(n)
    if not ok:
        log(f"ERROR: {peer}: sum {total} != {expected_sum(n)}")
    emit(WORKLOAD, peer, n, wall, ms=secs * 1e3, result=total, correct=ok, **extra)
    log(
        f"{WORKLOAD:8} {peer:22} n={n:<6} wall {fmt_s(wall):>10}"
        f"   (lower bound {fmt_s(extra['lower_bound_s'])})"
    )


def rss_probe(n: int, secs: float) -> None:
    """Run in a fresh process: asyncio peer only, report peak RSS."""
    before = peak_rss_kib()
    hwm_before = vm_hwm_kib()
    wall, total, extra = run_asyncio(n, secs)
    after = peak_rss_kib()
    hwm_after = vm_hwm_kib()
    if hwm_after is not None:
        extra["vm_hwm_kib"] = hwm_after
        extra["baseline_vm_hwm_kib"] = hwm_before
        extra["vm_hwm_growth_kib"] = hwm_after - hwm_before
    ok = total == expected_sum(n)
    emit(
        WORKLOAD,
        "asyncio",
        n,
        wall,
        ms=secs * 1e3,
        result=total,
        correct=ok,
        rss_probe=True,
        peak_rss_kib=after,
        baseline_peak_rss_kib=before,
        rss_growth_kib=after - before,
        **extra,
    )
    msg = (
        f"{WORKLOAD:8} {'asyncio (RSS probe)':22} n={n:<6} wall {fmt_s(wall):>10}"
        f"   peak RSS (getrusage) {after / 1024:.1f} MiB, before the run {before / 1024:.1f} MiB"
    )
    if hwm_after is not None:
        msg += f"; VmHWM {hwm_after / 1024:.1f} MiB, before the run {hwm_before / 1024:.1f} MiB"
    log(msg)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="number of delay terms (default 1000)")
    ap.add_argument("--ms", type=float, default=50.0, help="latency of each term in ms (default 50)")
    ap.add_argument(
        "--peers",
        nargs="+",
        metavar="PEER",
        help=f"peers to run, space- or comma-separated (default: all): {', '.join(PEERS)}",
    )
    ap.add_argument(
        "--rss-n",
        type=int,
        default=10000,
        help="run the asyncio peer with this many tasks in a fresh process and report "
        "its peak RSS (default 10000; 0 disables)",
    )
    ap.add_argument(
        "--emit",
        metavar="FILE",
        help="write the exprflow expression 'delay(1,MS)+...+delay(N,MS)' to FILE (one line)",
    )
    ap.add_argument("--repeat", type=int, default=3, help="runs per peer, best reported (default 3, as exprflow)")
    ap.add_argument("--rss-probe", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    secs = args.ms / 1e3
    ms_txt = f"{args.ms:g}"

    if args.rss_probe:
        rss_probe(args.n, secs)
        return

    if args.emit:
        with open(args.emit, "w") as f:
            f.write("+".join(f"delay({i},{ms_txt})" for i in range(1, args.n + 1)))
            f.write("\n")
        log(f"wrote {args.emit}: {args.n} delay terms, expected value {expected_sum(args.n)}")

    peers = parse_peers(args.peers, PEERS)

    if args.rss_n > 0:
        # First, while this process is still small (see peak_rss_kib()).
        cmd = [
            sys.executable,
            os.path.abspath(__file__),
            "--rss-probe",
            "--n",
            str(args.rss_n),
            "--ms",
            ms_txt,
        ]
        sys.stdout.flush()
        subprocess.run(cmd, check=True)

    if any(p.startswith("dask") for p in peers) and import_dask() is None:
        peers = [p for p in peers if not p.startswith("dask")]
    log(f"delays: {args.n} x delay(i, {ms_txt} ms), expected sum {expected_sum(args.n)}")
    for peer in peers:
        run_peer(peer, args.n, secs, args.repeat)


if __name__ == "__main__":
    main()
