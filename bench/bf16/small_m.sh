#!/bin/sh
# bf16 products for few rows: oneDNN (column split, as BF16Products.gemm) against bf16_few_rows.c's tiles.
set -e
here=$(cd "$(dirname "$0")" && pwd); root="$here/../.."
out=$(mktemp -d)
clang -O2 -o "$out/small_m" "$here/small_m.c" "$root/Sources/CBF16Kernels/bf16_kernels.c" "$root/Sources/CBF16Kernels/bf16_few_rows.c" \
    -I"$root/Sources/CBF16Kernels/include" -ldnnl -lgomp -lpthread -lm
"$out/small_m" "$@"
rm -rf "$out"
