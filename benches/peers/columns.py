"""Python peers of benches/columns.rs (issue 25): numexpr (2 threads) and
numpy on the same 1,000,000-row arrays, built by the same formulas.

    python3 -m venv target/peers-venv
    target/peers-venv/bin/pip install numpy numexpr
    target/peers-venv/bin/python benches/peers/columns.py

Prints one Markdown row per measurement (best of 5 passes), as the Rust
bench does. These are Python-side times (numexpr's and numpy's C loops
called from Python); the Rust bench's are Rust-side (no Python call).
"""

import time

import numexpr as ne
import numpy as np

ROWS = 1_000_000
REPEATS = 5


def best(fn):
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def row(workload, engine, workers, seconds):
    print(f"| {workload} | {engine} | {workers} | {seconds * 1e9 / ROWS:.2f} | {seconds * 1e3:.2f} |")


def main():
    i = np.arange(ROWS, dtype=np.int64)
    x = ((i * 7919) % 2000).astype(np.float64) / 100.0 - 10.0
    y = ((i * 104729) % 3000).astype(np.float64) / 100.0 - 15.0
    n = (i * 7919) % 2001 - 1000
    xd = np.where(i % 100 == 0, 3.0, x + 0.005)
    a, b, c = 1.5, -2.25, 0.5
    ia, ib, ic = 3, -7, 11
    with open("/proc/loadavg") as f:
        print("load average at start:", f.read().strip())
    print()
    print("| workload | engine | workers | ns/row | total ms |")
    print("|---|---|---|---:|---:|")
    ne.set_num_threads(2)
    env = dict(x=x, y=y, n=n, xd=xd, a=a, b=b, c=c, ia=ia, ib=ib, ic=ic)

    def ev(text):
        return ne.evaluate(text, local_dict=env)

    expected = a * (x * x) + b * x + c
    assert np.array_equal(ev("a*x**2 + b*x + c"), expected)
    row("quadratic, f64", "numexpr", 2, best(lambda: ev("a*x**2 + b*x + c")))
    row("quadratic, f64", "numpy", 1, best(lambda: a * x**2 + b * x + c))
    assert np.array_equal(ev("ia*n**2 + ib*n + ic"), 3 * n * n - 7 * n + 11)
    row("quadratic, i64", "numexpr", 2, best(lambda: ev("ia*n**2 + ib*n + ic")))
    row("quadratic, i64", "numpy", 1, best(lambda: ia * n**2 + ib * n + ic))
    branches = "where(x > 0, x*a, b - x) + where(x <= y, y, 0.5*y)"
    row("`if` and comparisons, f64", "numexpr", 2, best(lambda: ev(branches)))
    row(
        "`if` and comparisons, f64",
        "numpy",
        1,
        best(lambda: np.where(x > 0, x * a, b - x) + np.where(x <= y, y, 0.5 * y)),
    )
    with np.errstate(divide="ignore"):
        row("division failing on 1% of rows", "numexpr", 2, best(lambda: ev("a / (xd - 3)")))
        row("division failing on 1% of rows", "numpy", 1, best(lambda: a / (xd - 3)))
    print()
    with open("/proc/loadavg") as f:
        print("load average at end:", f.read().strip())


if __name__ == "__main__":
    main()
