#!/usr/bin/env python3
"""Peer benchmark: a big balanced random expression tree of cheap nodes.

The tree has --nodes nodes (default ~2,000,000; a balanced binary tree always
has an odd count 2L-1, L leaves). Leaves are random integers 1..--leaf-max
(default 9), inner nodes are `+` or `*` (50/50), all with exact Python ints.
The tree is generated from --seed (default 42) with random.Random.random()
only, so it is the same tree on every run and Python version. `--emit FILE`
writes it as one line of fully parenthesised infix, e.g. ((3+5)*(2+7)), so that
exprflow can evaluate the identical expression:

    python3 benches/peers/tree.py --emit /tmp/tree.expr --peers none
    exprflow batch /tmp/tree.expr

Peers (each reports µs per node = wall / nodes in extra.us_per_node):
  python-iterative  one pass over the nodes in post-order (sequential reference)
  python-recursive  plain recursive evaluator (the tree is only ~21 levels deep)
  threadpool-2      concurrent.futures, ThreadPoolExecutor(max_workers=2), one
                    future per node (leaves included). Leaves are submitted in
                    post-order; a node is submitted from its last child's
                    add_done_callback once both children are done, so no task ever
                    blocks on another future (naive waiting would deadlock a
                    bounded pool). Runs on a tree of --futures-nodes nodes
                    (default 200,000, same seed; --futures-nodes 0 uses --nodes).
  dask-threads-2    dask.delayed graph (one delayed call per node, leaves
                    included), scheduler="threads", num_workers=2, on a smaller
                    tree of --dask-nodes nodes (default 20,000: dask costs
                    hundreds of µs a node). wall_s = build + compute.
  dask-sync         the same graph on dask's single-threaded "sync" scheduler.

Hash-consing note: exprflow merges structurally identical subexpressions into one
DAG node. With small leaf values a random tree has many repeats near the leaves
(only 9 distinct leaves, at most 162 distinct `a op b` of two leaves, ...), so
extra.distinct_subtrees reports how many nodes a hash-consing evaluator really
has to compute. Python peers evaluate every node of the tree. Use a larger
--leaf-max to make repeats rarer.

Output: one JSON line per measurement on stdout, human-readable text on stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import threading
import time
from array import array
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import emit, fmt_s, import_dask, log, parse_peers  # noqa: E402

WORKLOAD = "tree"
PEERS = ["python-iterative", "python-recursive", "threadpool-2", "dask-threads-2", "dask-sync"]
LEAF, ADD, MUL = 0, 1, 2
OPCHAR = {ADD: "+", MUL: "*"}


class Tree:
    """A binary expression tree stored as post-order arrays (index = node id)."""

    def __init__(self, nodes: int, seed: int, leaf_max: int) -> None:
        leaves = max(1, (nodes + 1) // 2)
        self.seed = seed
        self.leaf_max = leaf_max
        self.op = bytearray()
        self.left = array("l")
        self.right = array("l")
        self.leafval: list[int] = []  # leaf value, 0 for inner nodes
        rnd = random.Random(seed).random
        op, left, right, leafval = self.op, self.left, self.right, self.leafval

        def build(nleaves: int) -> int:
            if nleaves == 1:
                op.append(LEAF)
                left.append(-1)
                right.append(-1)
                leafval.append(1 + int(rnd() * leaf_max))
                return len(op) - 1
            half = nleaves // 2
            a = build(nleaves - half)
            b = build(half)
            op.append(ADD if rnd() < 0.5 else MUL)
            left.append(a)
            right.append(b)
            leafval.append(0)
            return len(op) - 1

        self.root = build(leaves)
        self.n = len(op)
        parent = array("l", [-1]) * self.n
        for i in range(self.n):
            if op[i] != LEAF:
                parent[left[i]] = i
                parent[right[i]] = i
        self.parent = parent

    def depth(self) -> int:
        d = bytearray(self.n)
        for i in range(self.n):
            if self.op[i] != LEAF:
                d[i] = 1 + max(d[self.left[i]], d[self.right[i]])
        return d[self.root]

    def distinct_subtrees(self) -> int:
        """Node count after merging structurally identical subtrees (hash-consing)."""
        ids: dict = {}
        canon = array("l", [0]) * self.n
        op, left, right, leafval = self.op, self.left, self.right, self.leafval
        for i in range(self.n):
            o = op[i]
            key = (0, leafval[i]) if o == LEAF else (o, canon[left[i]], canon[right[i]])
            canon[i] = ids.setdefault(key, len(ids))
        return len(ids)

    def to_infix(self) -> str:
        parts: list[str] = []
        op, left, right, leafval = self.op, self.left, self.right, self.leafval

        def walk(i: int) -> None:
            o = op[i]
            if o == LEAF:
                parts.append(str(leafval[i]))
                return
            parts.append("(")
            walk(left[i])
            parts.append(OPCHAR[o])
            walk(right[i])
            parts.append(")")

        walk(self.root)
        return "".join(parts)


# --------------------------------------------------------------------------- evaluators


def eval_iterative(t: Tree) -> int:
    op, left, right, leafval = t.op, t.left, t.right, t.leafval
    vals: list = [None] * t.n
    for i in range(t.n):
        o = op[i]
        if o == LEAF:
            vals[i] = leafval[i]
        elif o == ADD:
            vals[i] = vals[left[i]] + vals[right[i]]
        else:
            vals[i] = vals[left[i]] * vals[right[i]]
    return vals[t.root]


def eval_recursive(t: Tree) -> int:
    op, left, right, leafval = t.op, t.left, t.right, t.leafval

    def ev(i: int) -> int:
        o = op[i]
        if o == LEAF:
            return leafval[i]
        if o == ADD:
            return ev(left[i]) + ev(right[i])
        return ev(left[i]) * ev(right[i])

    return ev(t.root)


def eval_threadpool(t: Tree, workers: int) -> int:
    """One future per node on a bounded pool, parents submitted by callbacks.

    A node's task only runs once both of its children's futures are done, so
    no worker ever blocks waiting for another task (which would deadlock once
    every worker waits on a task queued behind it).
    """
    op, left, right, leafval, parent = t.op, t.left, t.right, t.leafval, t.parent
    vals: list = [None] * t.n
    # pending[i] = number of children of node i that have not finished yet.
    pending = bytearray(t.n)
    for i in range(t.n):
        if op[i] != LEAF:
            pending[i] = 2
    lock = threading.Lock()
    finished = threading.Event()
    failure: list[BaseException] = []

    def task(i: int) -> int:
        o = op[i]
        if o == LEAF:
            v = leafval[i]
        elif o == ADD:
            v = vals[left[i]] + vals[right[i]]
        else:
            v = vals[left[i]] * vals[right[i]]
        vals[i] = v
        return i

    with ThreadPoolExecutor(max_workers=workers) as ex:
        submit = ex.submit

        def on_done(fut) -> None:
            exc = fut.exception()
            if exc is not None:
                failure.append(exc)
                finished.set()
                return
            i = fut.result()
            p = parent[i]
            if p < 0:
                finished.set()
                return
            with lock:
                pending[p] -= 1
                ready = pending[p] == 0
            if ready:
                submit(task, p).add_done_callback(on_done)

        for i in range(t.n):  # post-order: every leaf, in topological order
            if op[i] == LEAF:
                submit(task, i).add_done_callback(on_done)
        finished.wait()
    if failure:
        raise failure[0]
    return vals[t.root]


def build_dask(t: Tree):
    from dask import delayed
    import operator

    op, left, right, leafval = t.op, t.left, t.right, t.leafval
    d_leaf = delayed(_identity)
    d_add = delayed(operator.add)
    d_mul = delayed(operator.mul)
    nodes: list = [None] * t.n
    for i in range(t.n):
        o = op[i]
        if o == LEAF:
            nodes[i] = d_leaf(leafval[i])
        elif o == ADD:
            nodes[i] = d_add(nodes[left[i]], nodes[right[i]])
        else:
            nodes[i] = d_mul(nodes[left[i]], nodes[right[i]])
    return nodes[t.root]


def _identity(x: int) -> int:
    return x


# --------------------------------------------------------------------------- reporting


def result_info(v: int) -> dict:
    s = str(v)
    return {
        "result_bits": v.bit_length(),
        "result_digits": len(s),
        "result_mod_1e9_7": v % 1_000_000_007,
        "result_sha256_decimal": hashlib.sha256(s.encode()).hexdigest(),
        "result_head": s[:20],
        "result_tail": s[-20:],
    }


class TreeInfo:
    """A tree plus the facts every JSON line about it carries."""

    def __init__(self, nodes: int, seed: int, leaf_max: int) -> None:
        t0 = time.perf_counter()
        self.tree = Tree(nodes, seed, leaf_max)
        gen_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        self.expected = eval_iterative(self.tree)
        self.distinct = self.tree.distinct_subtrees()
        self.facts = {
            "seed": seed,
            "leaf_max": leaf_max,
            "leaves": (self.tree.n + 1) // 2,
            "depth": self.tree.depth(),
            "distinct_subtrees": self.distinct,
            **result_info(self.expected),
        }
        log(
            f"tree: {self.tree.n:,} nodes (seed {seed}, leaves 1..{leaf_max}, depth "
            f"{self.facts['depth']}), generated in {fmt_s(gen_s)}; "
            f"{self.distinct:,} distinct subtrees; result has {self.facts['result_digits']} digits"
        )


def report(peer: str, info: TreeInfo, wall: float, value: int, **extra) -> None:
    n = info.tree.n
    ok = value == info.expected
    if not ok:
        log(f"ERROR: {peer}: wrong result")
    emit(
        WORKLOAD,
        peer,
        n,
        wall,
        us_per_node=round(wall / n * 1e6, 4),
        us_per_distinct_subtree=round(wall / info.distinct * 1e6, 4),
        correct=ok,
        **extra,
        **info.facts,
    )
    log(f"{WORKLOAD:4} {peer:17} n={n:<9,} wall {fmt_s(wall):>10}   {wall / n * 1e6:9.3f} µs/node")


def main() -> None:
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)  # the result has thousands of digits
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=2_000_000, help="tree size in nodes (default 2,000,000)")
    ap.add_argument(
        "--futures-nodes",
        type=int,
        default=200_000,
        help="tree size for the threadpool-2 peer (default 200,000: ~40 µs a future, "
        "so the full 2M tree takes ~85 s and ~1.4 GB on 2 cores; 0 = same as --nodes)",
    )
    ap.add_argument("--dask-nodes", type=int, default=20_000, help="tree size for the dask peers (default 20,000)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    ap.add_argument("--leaf-max", type=int, default=9, help="leaves are random ints 1..LEAF_MAX (default 9)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of every peer, best reported (default 3, as exprflow)")
    ap.add_argument(
        "--peers",
        nargs="+",
        metavar="PEER",
        help=f"peers to run, space- or comma-separated, or 'none' (default: all): {', '.join(PEERS)}",
    )
    ap.add_argument("--emit", metavar="FILE", help="write the --nodes tree to FILE as fully parenthesised infix (one line)")
    ap.add_argument("--emit-futures", metavar="FILE", help="write the --futures-nodes tree to FILE (exprflow's same-size row)")
    ap.add_argument("--emit-dask", metavar="FILE", help="write the --dask-nodes tree to FILE (exprflow's same-size row)")
    args = ap.parse_args()
    if args.peers and [p for v in args.peers for p in v.split(",")] == ["none"]:
        peers: list[str] = []
    else:
        peers = parse_peers(args.peers, PEERS)
    if any(p.startswith("dask") for p in peers) and import_dask() is None:
        peers = [p for p in peers if not p.startswith("dask")]
    futures_nodes = args.futures_nodes or args.nodes

    cache: dict[int, TreeInfo] = {}

    def tree_of(nodes: int) -> TreeInfo:
        key = max(1, (nodes + 1) // 2)
        if key not in cache:
            cache[key] = TreeInfo(nodes, args.seed, args.leaf_max)
        return cache[key]

    if args.emit:
        info = tree_of(args.nodes)
        t0 = time.perf_counter()
        text = info.tree.to_infix()
        with open(args.emit, "w") as f:
            f.write(text)
            f.write("\n")
        log(
            f"wrote {args.emit}: {len(text):,} bytes in {fmt_s(time.perf_counter() - t0)}; "
            f"expected value: {info.facts['result_digits']} digits, "
            f"mod 1e9+7 = {info.facts['result_mod_1e9_7']}, "
            f"sha256(decimal) = {info.facts['result_sha256_decimal']}"
        )

    for path, nodes in ((args.emit_futures, futures_nodes), (args.emit_dask, args.dask_nodes)):
        if path:
            with open(path, "w") as f:
                f.write(tree_of(nodes).tree.to_infix())
                f.write("\n")
            log(f"wrote {path}: the {nodes:,}-node tree")

    for peer in peers:
        if peer in ("python-iterative", "python-recursive"):
            info = tree_of(args.nodes)
            fn = eval_iterative if peer == "python-iterative" else eval_recursive
            runs = []
            value = None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                value = fn(info.tree)
                runs.append(time.perf_counter() - t0)
            report(peer, info, min(runs), value, runs_s=[round(r, 6) for r in runs])
        elif peer == "threadpool-2":
            info = tree_of(futures_nodes)
            runs = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                value = eval_threadpool(info.tree, 2)
                runs.append(time.perf_counter() - t0)
            report(peer, info, min(runs), value, workers=2, futures=info.tree.n, runs_s=[round(r, 6) for r in runs])
        elif peer in ("dask-threads-2", "dask-sync"):
            import dask

            info = tree_of(args.dask_nodes)
            runs = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                graph = build_dask(info.tree)
                t1 = time.perf_counter()
                if peer == "dask-sync":
                    value = dask.compute(graph, scheduler="sync")[0]
                else:
                    value = dask.compute(graph, scheduler="threads", num_workers=2)[0]
                t2 = time.perf_counter()
                runs.append((t2 - t0, t0, t1, t2))
            _, t0, t1, t2 = min(runs)
            n = info.tree.n
            report(
                peer,
                info,
                t2 - t0,
                value,
                build_s=round(t1 - t0, 6),
                compute_s=round(t2 - t1, 6),
                build_us_per_node=round((t1 - t0) / n * 1e6, 3),
                compute_us_per_node=round((t2 - t1) / n * 1e6, 3),
                workers=1 if peer == "dask-sync" else 2,
                dask=dask.__version__,
                runs_s=[round(r[0], 6) for r in runs],
            )


if __name__ == "__main__":
    main()
