#!/bin/sh
# The bf16 GEMM ceiling of a gpt2-large pass at its own shapes, in one run: oneDNN's matmul on weights packed once
# (bench/blas/packed_ceiling.c, as Loupe's packed [in, out] weights) and torch's F.linear (oneDNN underneath,
# weights [out, in] as nn.Linear stores them), every layer's matrices as distinct copies plus the unembedding,
# 2 threads, at 32 and 128 rows. Prints a JSON line per measurement.
# Usage: bench/sizes/gpt2_large_ceiling.sh [PYTHON with torch, default bench/.venv/bin/python]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=${1:-$root/bench/.venv/bin/python}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
gcc -O2 -o "$out/packed_ceiling" "$root/bench/blas/packed_ceiling.c" -ldnnl -lgomp -lpthread
for m in 32 128; do
    echo "{\"m\": $m, \"what\": \"oneDNN packed bf16\", \"result\": $("$out/packed_ceiling" gpt2-large "$m" bf16)}"
    echo "{\"m\": $m, \"what\": \"torch bf16 F.linear\", \"result\": $(OMP_NUM_THREADS=2 "$py" "$here/torch_pass_gemm.py" "$m")}"
done
