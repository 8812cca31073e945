"""Generate dequantisation fixtures for LoupeTensor's `Dequant` (bit-exact with gguf-py).

Run by hand (never from CI or tests):
    python3 -m venv tools/.venv && tools/.venv/bin/pip install gguf numpy
    tools/.venv/bin/python tools/gen_quant_fixtures.py
(or use an existing venv with gguf+numpy, e.g. /work/venv/bin/python tools/gen_quant_fixtures.py)

For every dtype it writes into Tests/Fixtures/quant/:
    <DTYPE>.bin   raw stored bytes (little-endian blocks exactly as in a GGUF file)
    <DTYPE>.f32   expected values from gguf.quants.dequantize, float32 little-endian
and manifest.json listing {dtype: element count}.
For the types Loupe converts weights to on load (F16, BF16, Q8_0) it also writes
    encode_<DTYPE>.src.f32   float32 inputs
    encode_<DTYPE>.bin       gguf.quants.quantize of them (the bytes LoupeTensor's `Quantize` must write)
Types gguf-py can quantize go through gguf.quants.quantize on random data; K-quants (which gguf-py
only dequantizes) are random valid block bytes built with numpy, with finite f16 scales.
"""
import json
import pathlib

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf.quants import dequantize, quantize
from gguf.constants import GGML_QUANT_SIZES

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "quant"
rng = np.random.default_rng(1234)


def f16_bytes(values):
    return np.asarray(values, dtype=np.float16).view(np.uint8).reshape(-1, 2)


def random_k_blocks(qtype, n_blocks):
    """Random block bytes with the f16 scale fields set to finite values of either sign."""
    _, type_size = GGML_QUANT_SIZES[qtype]
    b = rng.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    d = f16_bytes(rng.normal(0, 0.05, n_blocks))
    dmin = f16_bytes(rng.normal(0, 0.05, n_blocks))
    if qtype == T.Q2_K:      # scales[16] qs[64] d dmin
        b[:, 80:82] = d; b[:, 82:84] = dmin
    elif qtype == T.Q3_K:    # hmask[32] qs[64] scales[12] d
        b[:, 108:110] = d
    elif qtype in (T.Q4_K, T.Q5_K):  # d dmin scales[12] ...
        b[:, 0:2] = d; b[:, 2:4] = dmin
    elif qtype == T.Q6_K:    # ql[128] qh[64] scales[16] d
        b[:, 208:210] = d
    return b.reshape(-1)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {}
    # Includes exact specials in the float types: zeros of both signs, ±inf, subnormals, extremes.
    specials = np.array([0.0, -0.0, np.inf, -np.inf, 1e-7, -6e-8, 65504.0, 3.0e38, -1.0, 0.5],
                        dtype=np.float32)
    cases = {
        T.F32: 96, T.F16: 96, T.BF16: 96,
        T.Q8_0: 4 * 32, T.Q4_0: 4 * 32, T.Q4_1: 4 * 32, T.Q5_0: 4 * 32, T.Q5_1: 4 * 32,
        T.Q2_K: 3 * 256, T.Q3_K: 3 * 256, T.Q4_K: 3 * 256, T.Q5_K: 3 * 256, T.Q6_K: 3 * 256,
    }
    for qtype, n in cases.items():
        if qtype in (T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K):
            raw = random_k_blocks(qtype, n // 256)
        else:
            x = (rng.standard_normal(n) * rng.choice([0.01, 1.0, 30.0], n)).astype(np.float32)
            if qtype in (T.F32, T.F16, T.BF16):
                x[:len(specials)] = specials
            else:
                x[:32] = np.abs(x[:32])  # one all-positive block (min > 0 for the _1 types)
                x[32:64] = 0.0           # one all-zero block (d == 0)
            if qtype == T.F32:
                raw = x.view(np.uint8)
            else:
                raw = quantize(x, qtype).reshape(-1).view(np.uint8)
        expected = dequantize(raw, qtype).astype(np.float32).reshape(-1)
        assert expected.size == n, (qtype, expected.size)
        name = qtype.name
        (OUT / f"{name}.bin").write_bytes(raw.tobytes())
        (OUT / f"{name}.f32").write_bytes(expected.astype("<f4").tobytes())
        manifest[name] = n
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print("wrote", OUT, manifest)
    encode_fixtures()


def encode_fixtures():
    """Inputs and gguf-py's quantisation for the conversion targets (own generator: the files above stay as they were)."""
    g = np.random.default_rng(99)
    n = 8 * 32
    x = (g.standard_normal(n) * g.choice([1e-3, 1.0, 40.0], n)).astype(np.float32)
    x[:12] = [0.0, -0.0, 1e-8, -3e-5, 65519.0, 65520.0, 1e5, -1e5, 1.0 + 2**-11, 1.0 + 3 * 2**-11, 2.5, -0.5]
    x[32:64] = 0.0                                          # an all-zero Q8_0 block
    x[64:96] = np.arange(-16, 16, dtype=np.float32) * 0.5   # values whose quotient lands on .5 ties
    for qtype in (T.F16, T.BF16, T.Q8_0):
        raw = quantize(x, qtype).reshape(-1).view(np.uint8)
        (OUT / f"encode_{qtype.name}.src.f32").write_bytes(x.astype("<f4").tobytes())
        (OUT / f"encode_{qtype.name}.bin").write_bytes(raw.tobytes())
    print("wrote encode fixtures for F16, BF16, Q8_0,", n, "values each")


if __name__ == "__main__":
    main()
