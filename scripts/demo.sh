#!/usr/bin/env bash
# Runs every notebook in notebooks/ on the embedded default model and writes reports/<name>/.
set -euo pipefail
cd "$(dirname "$0")/.."
loupe=.build/release/loupe
start=$(date +%s)
status=0
for nb in notebooks/*.loupe; do
    [ -e "$nb" ] || continue
    name=$(basename "$nb" .loupe)
    echo "== $nb -> reports/$name/"
    "$loupe" run "$nb" --out "reports/$name" || status=1
done
echo "demo: finished in $(( $(date +%s) - start ))s; open reports/*/index.html"
exit $status
