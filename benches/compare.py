#!/usr/bin/env python3
"""Put exprflow's workloads beside the Python peers, from one run.

    benches/compare.py                  # runs the peers and `cargo bench`, prints markdown
    benches/compare.py --reuse DIR      # only formats DIR/peers.jsonl + DIR/ours.jsonl
    benches/compare.py --check FILE...  # CI: fails if a line says `"correct": false`

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


def wrong(rows):
    """The rows whose `correct` flag is false (a wrong answer: no figure)."""
    return [r for r in rows if r.get("extra", {}).get("correct") is False]


def check(paths):
    """CI: every JSON line of `paths` answered correctly; 1 otherwise."""
    rows = [r for path in paths for r in load(path)]
    bad = wrong(rows)
    for r in bad:
        print(f"WRONG RESULT: {r['workload']} / {r['peer']} (n={r.get('n')})", file=sys.stderr)
    print(f"{len(rows)} measurements, {len(bad)} with a wrong result")
    return 1 if bad or not rows else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reuse", help="directory with peers.jsonl and ours.jsonl")
    ap.add_argument("--check", nargs="+", metavar="FILE",
                    help="only check that every JSON line in FILE... has no `correct: false`")
    args = ap.parse_args()
    if args.check:
        return check(args.check)
    out_dir = args.reuse or os.path.join(ROOT, "benches/results")
    if args.reuse:
        peers, ours = os.path.join(out_dir, "peers.jsonl"), os.path.join(out_dir, "ours.jsonl")
    else:
        peers, ours = run(out_dir)
    p, o = load(peers), load(ours)
    # A wrong answer's time is no figure: refuse to print the tables.
    bad = wrong(p + o)
    if bad:
        for r in bad:
            print(f"WRONG RESULT: {r['workload']} / {r['peer']}", file=sys.stderr)
        return 1
    out = []
    w = out.append

    def e2e(r):
        """The end-to-end (text to value) time of an evaluation-only row."""
        v = r["extra"].get("end_to_end_s")
        return "" if v is None else f"{v * 1e3:.1f} ms"

    def timed(r):
        t = r["extra"].get("timed")
        return {"eval": "evaluation only (parse + DAG build outside)",
                "text_to_value": "text to value"}.get(t, t or "")

    def runs(r):
        n = len(r["extra"].get("runs_s", [])) or 1
        return f"best of {n}"

    w("Every exprflow figure is the best of 3 runs, as is every peer's (see `runs_s` in the raw lines).\n")
    w("### 1,000 and 10,000 independent `delay(i, 50)`, summed (2 workers)\n")
    w("| who | n | timed | wall | end-to-end | × 50 ms | peak RSS | RSS growth |")
    w("|---|---|---|---|---|---|---|---|")
    for n, wl in ((1000, "delays"), (10000, "delays10k")):
        r = pick(o, wl, "exprflow-2-workers")
        if r:
            x = r["extra"]
            w(f"| exprflow, 2 workers | {n} | {timed(r)} | {ms(r)} | {e2e(r)} | {r['wall_s'] / 0.05:.2f} | "
              f"{x.get('peak_rss_kib', 0) / 1024:.1f} MiB | {x.get('rss_growth_kib', 0) / 1024:.1f} MiB |")
    for r in p:
        if r["workload"] == "delays":
            x = r["extra"]
            rss = x.get("vm_hwm_kib") or x.get("peak_rss_kib")
            growth = x.get("vm_hwm_growth_kib") or x.get("rss_growth_kib")
            rss = f"{rss / 1024:.1f} MiB" if rss else ""
            growth = f"{growth / 1024:.1f} MiB" if growth else ""
            what = "building the graph + computing" if "dask" in r["peer"] else "creating the tasks + running"
            w(f"| Python {r['peer']} | {r['n']} | {what} ({runs(r)}) | {ms(r)} | {ms(r)} | {r['wall_s'] / 0.05:.2f} | {rss} | {growth} |")

    w("\n### 16 independent `busy(i, 25)` (2 workers; the 2-core bound is 200 ms)\n")
    w("| who | timed | wall | end-to-end | fraction of the bound |")
    w("|---|---|---|---|---|")
    for who, r in both(o, p, "busy"):
        t = timed(r) if who.startswith("exprflow") else f"submitting + running ({runs(r)})"
        end = e2e(r) if who.startswith("exprflow") else ms(r)
        w(f"| {who} | {t} | {ms(r)} | {end} | {0.2 / r['wall_s']:.2f} |")

    w("\n### Balanced random expression, ~2 million cheap nodes (`+`/`*` of 1..9)\n")
    w("| who | source nodes | timed | wall | µs per source node | end-to-end µs per source node |")
    w("|---|---|---|---|---|---|")
    for who, r in both(o, p, "tree"):
        x = r["extra"]
        if who.startswith("exprflow"):
            w(f"| {who} | {r['n']} | {timed(r)} | {ms(r)} | {x.get('us_per_node', 0):.4f} | {x.get('end_to_end_us_per_node', 0):.4f} |")
        else:
            what = "building the graph + computing" if "dask" in r["peer"] else (
                "creating the futures + running" if "threadpool" in r["peer"] else "evaluating the built tree")
            w(f"| {who} | {r['n']} | {what} ({runs(r)}) | {ms(r)} | {x.get('us_per_node', 0):.4f} | {x.get('us_per_node', 0):.4f} |")
    seq, par = pick(o, "tree", "exprflow-sequential"), pick(o, "tree", "exprflow-2-workers")
    if seq and par:
        w(f"\nparallel(2) / sequential speedup, evaluation only: **{seq['wall_s'] / par['wall_s']:.2f}×**; "
          f"DAG nodes after hash-consing and rebalancing: {seq['extra'].get('dag_nodes')}.")

    w("\n### The same trees as the Python futures peers: every node a task, and fused\n")
    w("| tree | who | DAG nodes | µs per source node, evaluation | end to end | Python ÷ exprflow: evaluation, end to end |")
    w("|---|---|---|---|---|---|")
    for size, peer_names in ((199999, ["threadpool-2"]), (19999, ["dask-threads-2", "dask-sync"])):
        mine = [r for r in o if r["workload"] == "samesize" and r["n"] == size]
        theirs = [r for r in p if r["workload"] == "tree" and r["peer"] in peer_names and r["n"] == size]
        for r in mine:
            x = r["extra"]
            ratios = "; ".join(
                f"{t['peer']} {t['extra']['us_per_node'] / x['us_per_node']:.0f}×, "
                f"{t['extra']['us_per_node'] / x['end_to_end_us_per_node']:.0f}×" for t in theirs)
            w(f"| {size:,} | {r['peer']} | {x['dag_nodes']:,} | {x['us_per_node']:.4f} | {x['end_to_end_us_per_node']:.4f} | {ratios} |")
        for t in theirs:
            w(f"| {size:,} | Python {t['peer']} ({runs(t)}) | {t['n']:,} futures/tasks | | {t['extra']['us_per_node']:.4f} | |")

    w("\n### Per-node scheduling cost (200,000 distinct additions)\n")
    w("| who | ns per node, evaluation | overhead over sequential, ns per node | end-to-end |")
    w("|---|---|---|---|")
    for r in [x for x in o if x["workload"] == "pernode"]:
        w(f"| {r['peer']} | {r['extra'].get('ns_per_node', 0):.0f} | {r['extra'].get('scheduling_overhead_ns_per_node', '')} | {e2e(r)} |")

    w("\n### `1*2*3*…*100000` written flat\n")
    r = pick(o, "factorial", "exprflow-flat-product-2-workers")
    f, s = pick(p, "factorial", "cpython-math.factorial"), pick(p, "factorial_str", "cpython-str")
    w("| who | evaluation only | text to value | print 456,574 digits |")
    w("|---|---|---|---|")
    if r:
        x = r["extra"]
        w(f"| exprflow, 2 workers | {x.get('eval_only_s', 0) * 1e3:.1f} ms | {x['parse_build_eval_s'] * 1e3:.1f} ms | {x['print_s'] * 1e3:.1f} ms |")
    if f and s:
        w(f"| Python `math.factorial`; `str()` | {ms(f)} | {ms(f)} | {ms(s)} |")

    w("\n### Parsing a 10 MB expression\n")
    r = pick(o, "parse", "exprflow-parse-to-ast")
    if r:
        e = r["extra"]
        w(f"pest alone: {e['pest_raw_mb_per_s']:.1f} MB/s; pest + fold to AST: {e['mb_per_s']:.1f} MB/s; "
          f"DAG build {e['dag_build_s']:.2f} s = {e['build_to_parse']:.2f}× the parse.")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
