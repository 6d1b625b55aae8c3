#!/usr/bin/env bash
# Run every peer benchmark with its defaults and collect the JSON lines.
#
#   benches/peers/run_all.sh [OUT]      (OUT defaults to benches/peers/results.jsonl)
#
# OUT is overwritten. Human-readable output goes to the terminal (stderr).
# Set PYTHON to choose the interpreter (default: python3). dask peers are
# skipped with a notice if dask is not installed (pip install "dask[delayed]").
# Also writes the tree.py expression to benches/peers/tree.expr for the Rust side.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PYTHON:-python3}"
OUT="${1:-$DIR/results.jsonl}"

mkdir -p "$(dirname "$OUT")"
: > "$OUT"

run() {
    echo "== $*" >&2
    "$PY" "$@" >> "$OUT"
}

start=$(date +%s)
run "$DIR/delays.py"                                  # ~3.5 min: n=1000, 4 peers x 3 runs + asyncio RSS probe (n=10000)
run "$DIR/busy.py"                                    # ~3 s
run "$DIR/tree.py" --emit "$DIR/tree.expr" \
    --emit-futures "$DIR/tree-futures.expr" --emit-dask "$DIR/tree-dask.expr"  # ~60 s: 2M-node tree, futures on 200k, dask on 20k, 3 runs each
run "$DIR/factorial.py"                               # ~8 s
end=$(date +%s)

echo "== $(wc -l < "$OUT") measurements written to $OUT in $((end - start)) s" >&2
