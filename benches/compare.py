#!/usr/bin/env python3
"""Put exprflow's workloads beside the Python peers, from one run.

    benches/compare.py                  # runs the peers and `cargo bench`, prints markdown
    benches/compare.py --reuse DIR      # only formats DIR/peers.jsonl + DIR/ours.jsonl

Writes the raw JSON lines to benches/results/ (peers.jsonl, ours.jsonl) and
prints the tables that BENCHMARKS.md records. Ratios, not absolute times, are
what to compare: this is meant for noisy shared machines.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))
    return rows


def pick(rows, workload, peer):
    for r in rows:
        if r["workload"] == workload and r["peer"] == peer:
            return r
    return None


def both(ours, peers, workload):
    """Rows of `workload`, ours first, each with a display name."""
    for r in [x for x in ours if x["workload"] == workload] + [x for x in peers if x["workload"] == workload]:
        yield (r["peer"] if r["peer"].startswith("exprflow") else "Python " + r["peer"]), r


def ms(r):
    return "n/a" if r is None else f"{r['wall_s'] * 1e3:.1f} ms"


def run(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    peers = os.path.join(out_dir, "peers.jsonl")
    ours = os.path.join(out_dir, "ours.jsonl")
    subprocess.run([os.path.join(ROOT, "benches/peers/run_all.sh"), peers], check=True)
    with open(ours, "w") as f:
        subprocess.run(["cargo", "bench", "--bench", "workloads"], cwd=ROOT, stdout=f, check=True)
    return peers, ours


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reuse", help="directory with peers.jsonl and ours.jsonl")
    args = ap.parse_args()
    out_dir = args.reuse or os.path.join(ROOT, "benches/results")
    if args.reuse:
        peers, ours = os.path.join(out_dir, "peers.jsonl"), os.path.join(out_dir, "ours.jsonl")
    else:
        peers, ours = run(out_dir)
    p, o = load(peers), load(ours)
    out = []
    w = out.append

    w("### 1,000 and 10,000 independent `delay(i, 50)`, summed (2 workers)\n")
    w("| who | n | wall | × 50 ms critical path | peak RSS |")
    w("|---|---|---|---|---|")
    for n, wl in ((1000, "delays"), (10000, "delays10k")):
        r = pick(o, wl, "exprflow-2-workers")
        if r:
            w(f"| exprflow, 2 workers | {n} | {ms(r)} | {r['wall_s'] / 0.05:.2f} | {r['extra'].get('peak_rss_kib', 0) / 1024:.1f} MiB |")
    for r in p:
        if r["workload"] == "delays":
            rss = r["extra"].get("vm_hwm_kib") or r["extra"].get("peak_rss_kib")
            rss = f"{rss / 1024:.1f} MiB" if rss else ""
            w(f"| Python {r['peer']} | {r['n']} | {ms(r)} | {r['wall_s'] / 0.05:.2f} | {rss} |")

    w("\n### 16 independent `busy(i, 25)` (2 workers; the 2-core bound is 200 ms)\n")
    w("| who | wall | fraction of the bound |")
    w("|---|---|---|")
    for who, r in both(o, p, "busy"):
        w(f"| {who} | {ms(r)} | {0.2 / r['wall_s']:.2f} |")

    w("\n### Balanced random expression, ~2 million cheap nodes (`+`/`*` of 1..9)\n")
    w("| who | nodes | wall | µs per source node |")
    w("|---|---|---|---|")
    for who, r in both(o, p, "tree"):
        w(f"| {who} | {r['n']} | {ms(r)} | {r['extra'].get('us_per_node', 0):.4f} |")
    seq, par = pick(o, "tree", "exprflow-sequential"), pick(o, "tree", "exprflow-2-workers")
    fut = pick(p, "tree", "threadpool-2")
    if seq and par:
        w(f"\nparallel(2) / sequential speedup: **{seq['wall_s'] / par['wall_s']:.2f}×**; "
          f"DAG nodes after hash-consing and rebalancing: {seq['extra'].get('dag_nodes')}.")
    if par and fut:
        w(f"Python futures µs/node ÷ exprflow(2) µs/node: **{fut['extra']['us_per_node'] / par['extra']['us_per_node']:.0f}×**.")

    w("\n### Per-node scheduling cost, fusion off (200,000 distinct additions)\n")
    w("| who | ns per node | overhead over sequential, ns per node |")
    w("|---|---|---|")
    for r in [x for x in o if x["workload"] == "pernode"]:
        w(f"| {r['peer']} | {r['extra'].get('ns_per_node', 0):.0f} | {r['extra'].get('scheduling_overhead_ns_per_node', '')} |")

    w("\n### `1*2*3*…*100000` written flat\n")
    r = pick(o, "factorial", "exprflow-flat-product-2-workers")
    f, s = pick(p, "factorial", "cpython-math.factorial"), pick(p, "factorial_str", "cpython-str")
    w("| who | evaluate | print 456,574 digits |")
    w("|---|---|---|")
    if r:
        w(f"| exprflow (parse + DAG + evaluate; print) | {r['extra']['parse_build_eval_s'] * 1e3:.1f} ms | {r['extra']['print_s'] * 1e3:.1f} ms |")
    if f and s:
        w(f"| Python `math.factorial`; `str()` | {ms(f)} | {ms(s)} |")

    w("\n### Parsing a 10 MB expression\n")
    r = pick(o, "parse", "exprflow-parse-to-ast")
    if r:
        e = r["extra"]
        w(f"pest alone: {e['pest_raw_mb_per_s']:.1f} MB/s; pest + fold to AST: {e['mb_per_s']:.1f} MB/s; "
          f"DAG build {e['dag_build_s']:.2f} s = {e['build_to_parse']:.2f}× the parse.")
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
