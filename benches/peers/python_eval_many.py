"""Issue 22's last benchmark row: `Formula.eval_many` on 1,000,000 float
rows of `a*x^2 + b*x + c`, through the Python package, beside numexpr
(2 threads) and plain numpy on the same numpy arrays, all timed from
Python, best of 5, with the load average printed.

    target/python-venv/bin/pip install numexpr    # scripts/test made the venv
    target/python-venv/bin/python benches/peers/python_eval_many.py

Every path's answer is checked against numpy's before it is timed.
"""

import numexpr as ne
import numpy as np

import exprflow
from columns import ROWS, best  # the same rows and best-of-5 clock as the columns peer


def main():
    i = np.arange(ROWS, dtype=np.int64)
    x = ((i * 7919) % 2000).astype(np.float64) / 100.0 - 10.0
    a, b, c = 1.5, -2.25, 0.5
    with open("/proc/loadavg") as f:
        print("load average at start:", f.read().strip())
    expected = a * (x * x) + b * x + c
    ne.set_num_threads(2)
    env = dict(a=a, x=x, b=b, c=c)

    def numexpr():
        return ne.evaluate("a*x**2 + b*x + c", local_dict=env)

    with exprflow.Engine(workers=2) as engine:
        fm = engine.compile("a*x^2 + b*x + c")
        got = fm.eval_many(a=a, x=x, b=b, c=c)
        assert got.dtype == np.float64 and np.array_equal(got, expected)
        assert np.array_equal(numexpr(), expected)
        rows = [
            ("exprflow eval_many", 2, best(lambda: fm.eval_many(a=a, x=x, b=b, c=c))),
            ("numexpr", 2, best(numexpr)),
            ("numpy", 1, best(lambda: a * x**2 + b * x + c)),
        ]
    base = rows[1][2]
    print()
    print("| engine | workers | ns/row | total ms | vs numexpr |")
    print("|---|---|---:|---:|---:|")
    for name, workers, seconds in rows:
        print(f"| {name} | {workers} | {seconds * 1e9 / ROWS:.1f} | {seconds * 1e3:.1f} | {seconds / base:.1f}x |")
    with open("/proc/loadavg") as f:
        print("load average at end:", f.read().strip())


if __name__ == "__main__":
    main()
