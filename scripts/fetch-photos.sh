#!/usr/bin/env bash
# Fetches real photographs for the image tests into models/photos/: the sample pictures that
# scikit-image's wheel ships (PyPI, pinned version, each file checked against its SHA-256), plus
# progressive JPEGs made from two of them by lossless transcoding (jpegtran, libjpeg-turbo-progs).
# Does nothing when every file is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=models/photos
version=0.26.0
# name  sha256
photos="
chelsea.png 596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb
coffee.png cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7
astronaut.png 88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5
camera.png b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a
horse.png c7fb60789fe394c485f842291ea3b21e50d140f39d6dcb5fb9917cc178225455
logo.png f2c57fe8af089f08b5ba523d95573c26e62904ac5967f4c8851b27d033690168
chessboard_RGB.png 1ac01eff2d4e50f4eda55a2ddecdc28a6576623a58d7a7ef84513c5cc19a0331
rocket.jpg c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c
retina.jpg 38a07f36f27f095e818aea7b96d34202c05176d30253c66733f2e00379e9e0e6
hubble_deep_field.jpg 3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4
"
progressive="rocket retina"

complete=1
while read -r name sum; do
    [ -z "$name" ] && continue
    [ -s "$dest/$name" ] || complete=0
done <<<"$photos"
for p in $progressive; do [ -s "$dest/${p}_progressive.jpg" ] || complete=0; done
[ "$complete" = 1 ] && exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v python3 >/dev/null || { echo "setup: python3 is needed to fetch the test photographs" >&2; exit 1; }
if ! python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
        --platform manylinux_2_28_x86_64 --implementation cp "scikit-image==$version" -d "$tmp" >"$tmp/log" 2>&1; then
    cat "$tmp/log" >&2
    echo "setup: could not download scikit-image $version (its wheel carries the test photographs)" >&2
    exit 1
fi
wheel=$(ls "$tmp"/scikit_image-*.whl | head -1)
mkdir -p "$dest"
while read -r name sum; do
    [ -z "$name" ] && continue
    unzip -p "$wheel" "skimage/data/$name" >"$tmp/$name"
    got=$(sha256sum "$tmp/$name" | cut -d' ' -f1)
    if [ "$got" != "$sum" ]; then
        echo "setup: skimage/data/$name has SHA-256 $got, expected $sum" >&2
        exit 1
    fi
    mv "$tmp/$name" "$dest/$name"
done <<<"$photos"
for p in $progressive; do
    jpegtran -progressive -copy all "$dest/$p.jpg" >"$dest/${p}_progressive.jpg"
done
echo "setup: test photographs in $dest ($(ls "$dest" | wc -l) files)"
