#!/bin/sh
# Regenerates the pictures under docs/ with the tool itself (run from the repository root).
set -e
B=${EXPRFLOW:-target/release/exprflow}
M='(delay(3,100)+delay(7,200))*(delay(2,150)+delay(8,50))*((delay(2,80)*delay(3,120))-delay(1,60))'
shot() { # shot FILE.svg FILE.png: headless Chromium screenshot at the SVG's own size
  W=$(grep -o 'width="[0-9.]*"' "$1" | head -1 | grep -o '[0-9.]*')
  H=$(grep -o 'height="[0-9.]*"' "$1" | head -1 | grep -o '[0-9.]*')
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$(mktemp -d)" \
    --window-size="$W,$H" --screenshot="$PWD/$2" "file://$PWD/$1" 2>/dev/null
}
"$B" eval -j 2 --timeline docs/timeline.svg --trace docs/trace.json "$M"
"$B" eval -j 2 --no-fuse --timeline docs/timeline-no-fuse.svg "$M"
"$B" eval --dot "$M" | dot -Tsvg -o docs/dag.svg
shot docs/timeline.svg docs/timeline.png
shot docs/timeline-no-fuse.svg docs/timeline-no-fuse.png
