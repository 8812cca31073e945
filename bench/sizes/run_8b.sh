#!/bin/sh
# The seeds' largest size in one quiet run: a Llama-3.1-8B-shaped random model (bf16 safetensors, the Hub's
# layout) and the GGUF Q8_0 / Q4_K_M files made from it, against transformers and llama.cpp, one process per
# job. Writes bench/sizes/RESULTS-bf16-llama-3.1-8b<TAG>.md (seed 003's step with the same-run bf16 GEMM
# ceiling), RESULTS-gen-llama-3.1-8b<TAG>.md (generation and prompt processing vs llama-bench) and
# RESULTS-llama-3.1-8b<TAG>.md (load and the seed-003 attention_maps loop). About 45 minutes on 2 cores.
#
# Usage: bench/sizes/run_8b.sh DIR     DIR holds llama-3.1-8b/ (make_random_model.py llama-3.1-8b DIR/llama-3.1-8b)
#                                      and llama-3.1-8b-{q8_0,q4_k_m}.gguf (llamacpp.sh gguf DIR/llama-3.1-8b).
# Env: BENCH_TAG (results-file suffix), BENCH_REPEATS (default 5). Needs the release build (swift build -c release).
# Delete DIR afterwards: ~30 GB.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DIR=${1:?folder with llama-3.1-8b/ and its GGUF files}
DIR=${DIR%/}
PY=${BENCH_PY:-$ROOT/tools/.venv/bin/python}
M=$DIR/llama-3.1-8b
for f in "$M/model.safetensors.index.json" "$M-q8_0.gguf" "$M-q4_k_m.gguf" "$ROOT/.build/release/loupe"; do
    [ -e "$f" ] || { echo "run_8b.sh: missing $f" >&2; exit 1; }
done
cd "$ROOT"
echo "== seed 003's step, Loupe bf16 vs transformers bf16 ($(date -u +%H:%M))"
"$PY" "$HERE/bf16_steps.py" "$M" 32,128,512 32 ""
echo "== generation and prompt processing vs llama-bench ($(date -u +%H:%M))"
BENCH_PP=${BENCH_PP:-32,128} BENCH_GEN=${BENCH_GEN:-16} "$PY" "$HERE/gen_vs_llamacpp.py" "$M" "$M-q8_0.gguf" "$M-q4_k_m.gguf"
echo "== load and the seed-003 attention_maps loop ($(date -u +%H:%M))"
LOUPE_BENCH_DIR=$DIR "$PY" "$HERE/run_sizes.py" llama-3.1-8b q8,hfload,hf,tl,q8full,full,cache,generate
echo "== done ($(date -u +%H:%M))"
