#!/usr/bin/env bash
# Idempotent set-up: system packages Loupe needs, then the embedded default model and the test
# photographs.
# A second run installs nothing and fetches nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in libopenblas-dev libedit-dev libzmq3-dev libssl-dev libdnnl-dev libfftw3-dev tmux chromium fortunes librsvg2-bin unzip libjpeg62-turbo-dev libpng-dev libjpeg-turbo-progs bc curl python3-venv; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

scripts/fetch-model.sh
scripts/fetch-llama3-tokenizer.sh
scripts/fetch-photos.sh
