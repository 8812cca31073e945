#!/usr/bin/env bash
# Fetches Meta's Llama 3 tokenizer (tiktoken BPE file, 2.2 MB) from the PyPI wheel llama-models
# (pinned, both the wheel and the file checked by SHA-256) into models/llama3/tokenizer.model.
# Does nothing when the file is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.3.0
wheel_sha256=7f77f78ff13fca09f70d76a376aff6414cd901623fb9d57e69c2f8367a73032f
file_sha256=82e9d31979e92ab929cd544440f129d9ecd797b69e327f80f17e1c50d5551b55
dest=models/llama3/tokenizer.model
member=llama_models/llama3/tokenizer.model
[ -s "$dest" ] && exit 0

command -v python3 >/dev/null || { echo "setup: python3 is needed to fetch the Llama 3 tokenizer" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "llama-models==$version --hash=sha256:$wheel_sha256" >"$tmp/requirements.txt"
if ! python3 -m pip download --quiet --no-deps --require-hashes -r "$tmp/requirements.txt" -d "$tmp" >"$tmp/log" 2>&1; then
    cat "$tmp/log" >&2
    cat >&2 <<MSG
setup: could not download llama-models $version. Run by hand:
    python3 -m pip download --no-deps llama-models==$version -d /tmp/llm
    mkdir -p models/llama3 && unzip -j /tmp/llm/llama_models-$version-*.whl '$member' -d models/llama3
MSG
    exit 1
fi
mkdir -p models/llama3
python3 - "$tmp"/llama_models-"$version"-*.whl "$member" "$dest" "$wheel_sha256" "$file_sha256" <<'PY'
import hashlib, os, sys, zipfile
wheel, member, dest, wheel_sha, file_sha = sys.argv[1:]
with open(wheel, "rb") as f:
    if hashlib.sha256(f.read()).hexdigest() != wheel_sha:
        sys.exit(f"setup: {wheel} does not have the expected SHA-256 {wheel_sha}")
with zipfile.ZipFile(wheel) as z:
    data = z.read(member)
if hashlib.sha256(data).hexdigest() != file_sha:
    sys.exit(f"setup: {member} in {wheel} does not have the expected SHA-256 {file_sha}")
with open(dest + ".part", "wb") as out:
    out.write(data)
os.replace(dest + ".part", dest)
PY
echo "setup: Llama 3 tokenizer at $dest ($(du -h "$dest" | cut -f1))"
