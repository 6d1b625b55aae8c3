"""Shared helpers for the peer benchmark scripts (standard library only).

Every measurement is printed as ONE JSON line on stdout:

    {"workload": ..., "peer": ..., "n": ..., "wall_s": ..., "extra": {...}}

Human-readable progress and summaries go to stderr, so `script.py > out.jsonl`
collects only the machine-readable lines.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from typing import Any, Iterable


def env_info() -> dict[str, Any]:
    """Context attached to every JSON line (under extra["env"])."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(terse=True),
    }


def emit(workload: str, peer: str, n: int, wall_s: float, **extra: Any) -> None:
    """Print one machine-readable measurement line on stdout."""
    extra = dict(extra)
    extra["env"] = env_info()
    line = {
        "workload": workload,
        "peer": peer,
        "n": n,
        "wall_s": round(wall_s, 6),
        "extra": extra,
    }
    print(json.dumps(line, sort_keys=False), flush=True)


def log(*args: Any) -> None:
    """Human-readable output, on stderr."""
    print(*args, file=sys.stderr, flush=True)


def parse_peers(values: Iterable[str] | None, known: list[str]) -> list[str]:
    """Accept `--peers a b` as well as `--peers a,b`; validate against `known`."""
    if not values:
        return list(known)
    out: list[str] = []
    for v in values:
        for name in v.split(","):
            name = name.strip()
            if not name:
                continue
            if name == "all":
                out.extend(p for p in known if p not in out)
                continue
            if name not in known:
                raise SystemExit(
                    f"unknown peer {name!r}; known peers: {', '.join(known)}"
                )
            if name not in out:
                out.append(name)
    return out


def import_dask():
    """Return the `dask` module, or None (with a printed notice) if missing."""
    try:
        import dask  # noqa: F401
        import dask.delayed  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        log(
            f"notice: dask is not installed ({exc}); skipping the dask peers. "
            'Install it with: python3 -m pip install "dask[delayed]"'
        )
        return None
    return dask


def best_of(fn, repeat: int) -> tuple[float, list[float], Any]:
    """Run fn() `repeat` times; return (best wall seconds, all times, last result)."""
    times: list[float] = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), times, result


def fmt_s(s: float) -> str:
    if s >= 1:
        return f"{s:.3f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.1f} µs"
