#!/bin/sh
# bf16 GEMM at the 8B's shapes: oneDNN vs Loupe's AVX512_BF16 kernel vs OpenBLAS sgemm, then torch.
set -e
here=$(cd "$(dirname "$0")" && pwd); root="$here/../.."
out=$(mktemp -d)
gcc -O2 -o "$out/gemm_bench" "$here/gemm_bench.c" "$root/Sources/CBF16Kernels/bf16_kernels.c" "$here/dot_kernel.c" \
    -I"$root/Sources/CBF16Kernels/include" -I/usr/include/x86_64-linux-gnu/openblas-pthread -ldnnl -lopenblas -lpthread -lgomp -lm
OMP_NUM_THREADS=2 "$out/gemm_bench" "$@"
rm -rf "$out"
"${BENCH_PY:-$root/tools/.venv/bin/python}" "$here/torch_gemm.py"
