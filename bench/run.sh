#!/usr/bin/env bash
# Benchmarks against the peers (never in CI). See bench/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/run.py "$@"
