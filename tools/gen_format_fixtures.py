#!/usr/bin/env python3
"""Writes tiny GGUF and safetensors fixtures for Tests/LoupeFormatsTests with the reference Python
writers (gguf-py's GGUFWriter, safetensors' save_file), plus expected.json with what a reader must see.

Run by hand from the repository root (never in CI):
    python3 -m venv tools/.venv && tools/.venv/bin/pip install gguf safetensors numpy torch
    tools/.venv/bin/python tools/gen_format_fixtures.py        # or /work/venv/bin/python
Outputs (all tiny) go to Tests/Fixtures/formats/.
"""
import json
import os

import numpy as np
import torch
import gguf
from gguf import GGMLQuantizationType as Q, GGUFValueType as V
from gguf.quants import quantize, dequantize
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "formats")
rng = np.random.default_rng(1234)
expected = {}


def floats(a):
    return [float(x) for x in np.asarray(a, dtype=np.float32).reshape(-1)]


def write_gguf(path, alignment=None):
    w = gguf.GGUFWriter(path, arch="llama")
    if alignment is not None:
        w.add_custom_alignment(alignment)
    w.add_key_value("t.u8", 200, V.UINT8)
    w.add_key_value("t.i8", -100, V.INT8)
    w.add_key_value("t.u16", 60000, V.UINT16)
    w.add_key_value("t.i16", -30000, V.INT16)
    w.add_key_value("t.u32", 4000000000, V.UINT32)
    w.add_key_value("t.i32", -2000000000, V.INT32)
    w.add_key_value("t.u64", 2**63 + 5, V.UINT64)
    w.add_key_value("t.i64", -(2**62), V.INT64)
    w.add_key_value("t.f32", 1.5, V.FLOAT32)
    w.add_key_value("t.f64", -2.25, V.FLOAT64)
    w.add_key_value("t.bool", True, V.BOOL)
    w.add_key_value("t.string", "héllo ☃ 🦙", V.STRING)
    w.add_array("t.strings", ["a", "", "Ġthe", "<|endoftext|>"])
    w.add_array("t.ints", [1, -2, 3])
    w.add_array("t.floats", [0.5, -1.0])
    w.add_key_value("t.nested", [[1, 2], [3]], V.ARRAY, sub_type=V.ARRAY)
    w.add_array("t.empty", [])

    tensors = {}
    a = rng.standard_normal((2, 3)).astype(np.float32)           # numpy shape [2, 3] -> ggml ne [3, 2]
    w.add_tensor("plain.f32", a)
    tensors["plain.f32"] = {"dtype": "F32", "shape": [2, 3], "values": floats(a)}
    h = rng.standard_normal((4,)).astype(np.float16)
    w.add_tensor("plain.f16", h)
    tensors["plain.f16"] = {"dtype": "F16", "shape": [4], "values": floats(h)}
    for name, qt, shape in [("quant.q8_0", Q.Q8_0, (2, 32)), ("quant.q4_1", Q.Q4_1, (1, 64)),
                            ("quant.q5_1", Q.Q5_1, (1, 32)), ("plain.bf16", Q.BF16, (3, 2))]:
        x = rng.standard_normal(shape).astype(np.float32)
        q = quantize(x, qt)
        w.add_tensor(name, q, raw_dtype=qt)
        tensors[name] = {"dtype": qt.name, "shape": list(shape), "values": floats(dequantize(q, qt))}

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return tensors


def main():
    os.makedirs(OUT, exist_ok=True)
    v3 = os.path.join(OUT, "tiny_v3.gguf")
    expected["gguf"] = write_gguf(v3)
    # GGUF v2 has the same layout as v3 (v3 only added big-endian files): write v3 with a 64-byte
    # alignment, then set the version field to 2.
    v2 = os.path.join(OUT, "tiny_v2.gguf")
    expected["gguf_v2"] = write_gguf(v2, alignment=64)
    with open(v2, "r+b") as f:
        f.seek(4)
        f.write((2).to_bytes(4, "little"))
    for p in (v3, v2):
        r = gguf.GGUFReader(p)   # check the reference reader agrees with what we wrote
        assert len(r.tensors) == 6

    st = {
        "w.f32": torch.randn(3, 4, dtype=torch.float32),
        "w.f16": torch.randn(2, 5).to(torch.float16),
        "w.bf16": torch.randn(4).to(torch.bfloat16),
        "ids.i64": torch.arange(5, dtype=torch.int64),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
    }
    save_file(st, os.path.join(OUT, "tiny.safetensors"), metadata={"format": "pt", "note": "loupe"})
    expected["safetensors"] = {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                                   "values": floats(v.float().numpy())} for k, v in st.items()}

    shard_dir = os.path.join(OUT, "sharded")
    os.makedirs(shard_dir, exist_ok=True)
    s1 = {"a.weight": torch.randn(2, 2), "b.weight": torch.randn(3).to(torch.float16)}
    s2 = {"c.weight": torch.randn(1, 4).to(torch.bfloat16)}
    save_file(s1, os.path.join(shard_dir, "model-00001-of-00002.safetensors"), metadata={"format": "pt"})
    save_file(s2, os.path.join(shard_dir, "model-00002-of-00002.safetensors"), metadata={"format": "pt"})
    index = {"metadata": {"total_size": 8 * 2 + 6 + 8},
             "weight_map": {"a.weight": "model-00001-of-00002.safetensors",
                            "b.weight": "model-00001-of-00002.safetensors",
                            "c.weight": "model-00002-of-00002.safetensors"}}
    with open(os.path.join(shard_dir, "model.safetensors.index.json"), "w") as f:
        json.dump(index, f, indent=2)
    expected["sharded"] = {k: {"shape": list(v.shape), "values": floats(v.float().numpy())}
                           for k, v in {**s1, **s2}.items()}

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
