#!/bin/sh
# f32 C = A·Bᵀ at SmolLM2's and GPT-2-small's product shapes, M = 1, 32, 256, 1024, on 1 and 2 threads, in one
# process: OpenBLAS 0.3.21 sgemm (the kernels it detects, and the Haswell ones), BLIS 0.9.0 sgemm (skx kernels,
# Debian's pthread and OpenMP builds) and oneDNN 2.6's f32 matmul on weights packed once. Then, on one
# thread, which kernels each BLAS has on this CPU.
# Needs: apt-get install libopenblas-dev libdnnl-dev libblis-pthread-dev libblis4-openmp libblis4-serial
# Arguments go to the main run (e.g. `-m 32,256 -s 0,4`); `--main` first runs only that. Writes the tables to stdout.
set -e
main_only=0
if [ "$1" = --main ]; then main_only=1; shift; fi
here=$(cd "$(dirname "$0")" && pwd)
lib=/usr/lib/x86_64-linux-gnu
openblas=$lib/openblas-pthread/libopenblas.so.0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
gcc -O2 -Wall -o "$out/gemm_peers" "$here/gemm_peers.c" -ldnnl -lgomp -ldl -lm
# @KERNELS picks a library's kernels: a name sets OPENBLAS_CORETYPE, a number BLIS_ARCH_TYPE (an arch_t id:
# 0 skx, 3 haswell, 6 zen3); without it each library detects the CPU itself (the environment's
# OPENBLAS_CORETYPE, if any, is cleared for that). Each is read once per loaded library, so every choice gets
# its own copy of the .so. On AMD family 0x1A (Zen 5) OpenBLAS 0.3.21 detects Cooperlake (AVX-512 with bf16);
# BLIS 0.9.0 does not know the family and falls back to its portable 'generic' kernels.
for core in Haswell SkylakeX Zen; do cp "$openblas" "$out/openblas-$core.so"; done
for arch in zen3 haswell skx; do cp "$lib/blis-serial/libblis.so.4" "$out/blis-serial-$arch.so"; done
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
echo "## Main table ($(date -u '+%Y-%m-%d %H:%M UTC'), $cpu, $(nproc) cores)"
echo
echo "environment: $(env | grep -E '^(OPENBLAS|BLIS|OMP|GOMP)_' | sort | tr '\n' ' ')"
echo
"$out/gemm_peers" "$@" "OpenBLAS=$openblas" "OpenBLAS=$out/openblas-Haswell.so@Haswell" \
    "BLIS pthread=$lib/blis-pthread/libblis.so.4@0" "BLIS OpenMP=$lib/blis-openmp/libblis.so.4@0" onednn
[ $main_only = 1 ] && exit 0
echo
echo "## Kernels each library has here: one thread, BLIS's serial build"
echo
"$out/gemm_peers" -t 1 -m 32,256 -s 0,2,7 -r 5 "OpenBLAS=$openblas" "OpenBLAS=$out/openblas-SkylakeX.so@SkylakeX" \
    "OpenBLAS=$out/openblas-Haswell.so@Haswell" "OpenBLAS=$out/openblas-Zen.so@Zen" \
    "BLIS=$lib/blis-serial/libblis.so.4" "BLIS=$out/blis-serial-zen3.so@6" \
    "BLIS=$out/blis-serial-haswell.so@3" "BLIS=$out/blis-serial-skx.so@0"
echo
echo "## One row (M = 1) through each BLAS's sgemv"
echo
"$out/gemm_peers" -v -m 1 -r 7 "OpenBLAS=$openblas" "OpenBLAS=$out/openblas-Haswell.so@Haswell" \
    "BLIS pthread=$lib/blis-pthread/libblis.so.4@0" "BLIS OpenMP=$lib/blis-openmp/libblis.so.4@0" onednn
