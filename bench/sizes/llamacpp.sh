#!/bin/sh
# Builds llama.cpp's llama-bench and llama-quantize (CPU only, this machine's ISA) from the source vendored in
# PyPI's llama-cpp-python sdist, and writes a random-weight model of a real shape as GGUF Q8_0 (the sdist's
# convert_hf_to_gguf.py with its own gguf-py) and Q4_K_M (llama-quantize of a bf16 GGUF). Bench only:
# nothing here is committed or used by Loupe; everything lands under $LLAMACPP_DIR.
#
# Usage: bench/sizes/llamacpp.sh build
#        bench/sizes/llamacpp.sh gguf MODEL_DIR        (a make_random_model.py folder; writes MODEL_DIR-{q8_0,q4_k_m}.gguf)
# Env: LLAMACPP_DIR (default /work/bigtmp/bigbench/llamacpp), LLAMACPP_VERSION (default 0.3.36),
#      PY (a Python with torch, numpy, transformers; default tools/.venv/bin/python). Needs cmake and a C++ compiler.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DIR=${LLAMACPP_DIR:-/work/bigtmp/bigbench/llamacpp}
VERSION=${LLAMACPP_VERSION:-0.3.36}
PY=${PY:-$ROOT/tools/.venv/bin/python}
SRC=$DIR/llama_cpp_python-$VERSION/vendor/llama.cpp

fetch() {
    mkdir -p "$DIR"
    if [ ! -d "$SRC" ]; then
        # Only this package from source: its build dependencies (for the metadata step) come as wheels.
        "$PY" -m pip download --no-binary llama-cpp-python --no-deps "llama-cpp-python==$VERSION" -d "$DIR/sdist"
        tar xzf "$DIR/sdist/llama_cpp_python-$VERSION.tar.gz" -C "$DIR"
    fi
}

case "${1:-}" in
build)
    command -v cmake >/dev/null || { echo "llamacpp.sh: needs cmake (apt-get install cmake)" >&2; exit 1; }
    fetch
    cmake -S "$SRC" -B "$DIR/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF \
        -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
        -DBUILD_SHARED_LIBS=OFF
    nice -n 19 cmake --build "$DIR/build" --target llama-bench llama-quantize -j 2
    ls -l "$DIR/build/bin/llama-bench" "$DIR/build/bin/llama-quantize"
    ;;
gguf)
    MODEL=${2:?model folder}
    MODEL=${MODEL%/}
    fetch
    # The random models carry a small byte-level tokenizer that convert_hf_to_gguf.py's pre-tokenizer table
    # does not know; gguf_convert.py names it "gpt-2" (the weights, not the tokenizer, are what is measured).
    # The converter writes bf16 (a copy); llama-quantize makes Q8_0 and Q4_K_M from it with 2 threads. Its
    # Q8_0 is the converter's `--outtype q8_0` (the same round-to-nearest blocks of 32), minutes faster than
    # the converter's numpy quantiser on 2 shared cores (LLAMACPP_Q8_CONVERTER=1 uses the converter instead).
    if [ "${LLAMACPP_Q8_CONVERTER:-0}" = 1 ] && [ ! -f "$MODEL-q8_0.gguf" ]; then
        PYTHONPATH="$SRC/gguf-py" "$PY" "$HERE/gguf_convert.py" "$SRC" "$MODEL" q8_0 "$MODEL-q8_0.gguf"
    fi
    for t in q8_0 q4_k_m; do
        [ -f "$MODEL-$t.gguf" ] && continue
        [ -f "$MODEL-bf16.gguf" ] || PYTHONPATH="$SRC/gguf-py" "$PY" "$HERE/gguf_convert.py" "$SRC" "$MODEL" bf16 "$MODEL-bf16.gguf"
        "$DIR/build/bin/llama-quantize" "$MODEL-bf16.gguf" "$MODEL-$t.gguf" "$(echo $t | tr a-z A-Z)" 2
    done
    rm -f "$MODEL-bf16.gguf"
    ls -l "$MODEL"-*.gguf
    ;;
*)
    sed -n 2,10p "$0" >&2
    exit 2
    ;;
esac
