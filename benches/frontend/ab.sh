#!/bin/sh
# Whole-process A/B of two exprflow binaries on the front-end inputs, back
# to back in one run (ratios are what a loaded machine can compare):
#   cargo bench --bench workloads -- frontend   # writes the inputs once
#   benches/frontend/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]
# One line per run: binary, input, wall seconds, peak RSS (KiB, GNU time),
# with the load average first. On the shared machine wrap it in the lock:
#   flock /work/wt/notes/bench.lock benches/frontend/ab.sh OLD NEW
set -eu
old=$1 new=$2 rounds=${3:-2}
dir=$(dirname "$0")/../../target/frontend-inputs
run() {
    uptime
    i=0
    while [ "$i" -lt "$rounds" ]; do
        for bin in "$old" "$new"; do
            for input in products tree flat; do
                /usr/bin/time -f "$bin $input %e s %M KiB" \
                    "$bin" batch "$dir/$input.expr" > /dev/null
            done
        done
        i=$((i + 1))
    done
}
run 2>&1
