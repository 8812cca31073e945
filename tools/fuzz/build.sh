#!/bin/sh
# Builds the libFuzzer targets in Fuzz/ (GGUF, safetensors, tokenizer.json, pickle / PyTorch) into
# .build-fuzz/fuzz-<name>. A build of its own (--build-path .build-fuzz) with coverage instrumentation
# (-sanitize=fuzzer): the normal `swift build` and `make test` never see these flags. See Fuzz/README.md.
set -eu
cd "$(dirname "$0")/../.."
# debug configuration: the release one builds with -Ounchecked (no bounds or overflow checks), which
# would hide the very bugs a fuzzer looks for; these targets still get -O (numericSettings)
BP=.build-fuzz
R=$BP/debug
nice -n 19 swift build --build-path "$BP" -c debug --target LoupeTokenizers \
    -Xswiftc -sanitize=fuzzer -Xswiftc -enable-testing -Xcc -fsanitize=fuzzer-no-link
OBJECTS=$(ls "$R"/LoupeTensor.build/*.o "$R"/LoupeFormats.build/*.o "$R"/LoupeTokenizers.build/*.o \
             "$R"/CKernels.build/*.o "$R"/CBF16Kernels.build/*.o)
MODULE_MAPS="-Xcc -fmodule-map-file=$R/CKernels.build/module.modulemap \
             -Xcc -fmodule-map-file=$R/CBF16Kernels.build/module.modulemap \
             -Xcc -fmodule-map-file=Sources/COpenBLAS/module.modulemap \
             -Xcc -ISources/CKernels/include -Xcc -ISources/CBF16Kernels/include"
for target in ${*:-gguf safetensors tokenizer pickle}; do
    # shellcheck disable=SC2086
    nice -n 19 swiftc -O -sanitize=fuzzer -parse-as-library -module-name "Fuzz_$target" -I "$R/Modules" \
        $MODULE_MAPS Fuzz/FuzzCommon.swift "Fuzz/$target.swift" $OBJECTS -lopenblas -ldnnl -lgomp -o "$BP/fuzz-$target"
    echo "built $BP/fuzz-$target"
done
