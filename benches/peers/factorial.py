#!/usr/bin/env python3
"""Peer benchmark: a big exact factorial and its decimal conversion.

exprflow side:  fact(100000)   (or 100000!), printed in decimal.

Measurements (best of --repeat, default 3):
  factorial      math.factorial(N)                    (CPython's binary-split product)
  factorial_str  str(math.factorial(N)), conversion only (CPython 3.11's int->str is
                 quadratic; sys.set_int_max_str_digits(0) lifts the 4300-digit limit)

Output: one JSON line per measurement on stdout, human-readable text on stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import emit, fmt_s, log  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="compute N! (default 100000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs, best reported (default 3)")
    args = ap.parse_args()
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)

    n = args.n
    runs: list[float] = []
    value = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        value = math.factorial(n)
        runs.append(time.perf_counter() - t0)
    best = min(runs)
    emit(
        "factorial",
        "cpython-math.factorial",
        n,
        best,
        result_bits=value.bit_length(),
        runs_s=[round(r, 6) for r in runs],
    )
    log(f"factorial      math.factorial({n})   best {fmt_s(best):>10} of {args.repeat}   ({value.bit_length():,} bits)")

    sruns: list[float] = []
    text = ""
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        text = str(value)
        sruns.append(time.perf_counter() - t0)
    sbest = min(sruns)
    emit(
        "factorial_str",
        "cpython-str",
        n,
        sbest,
        result_digits=len(text),
        result_sha256_decimal=hashlib.sha256(text.encode()).hexdigest(),
        factorial_plus_str_s=round(best + sbest, 6),
        runs_s=[round(r, 6) for r in sruns],
    )
    log(f"factorial_str  str({n}!)              best {fmt_s(sbest):>10} of {args.repeat}   ({len(text):,} digits)")


if __name__ == "__main__":
    main()
