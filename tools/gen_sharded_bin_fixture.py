#!/usr/bin/env python3
"""Tests/Fixtures/models/llama3-tiny-bin-sharded: llama3-tiny saved by transformers as a sharded PyTorch
checkpoint (pytorch_model-0000N-of-0000M.bin + pytorch_model.bin.index.json), the layout older hub
checkpoints (Llama-2-7b-hf, llava-1.5-7b's first uploads) ship. Its references are llama3-tiny.json's.

    tools/.venv/bin/python tools/gen_sharded_bin_fixture.py
"""
import json
import os

import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SRC = os.path.join(ROOT, "Tests", "Fixtures", "models", "llama3-tiny")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "models", "llama3-tiny-bin-sharded")

# transformers 5 writes only safetensors: shard with it, then store each shard as transformers 4's
# save_pretrained(safe_serialization=False) did (torch.save of the shard's state dict, the same index keys).
model = AutoModelForCausalLM.from_pretrained(SRC, dtype=torch.float32)
model.save_pretrained(OUT, max_shard_size="200KB")
index = json.load(open(os.path.join(OUT, "model.safetensors.index.json")))
shards = sorted(set(index["weight_map"].values()))
renamed = {s: s.replace("model-", "pytorch_model-").replace(".safetensors", ".bin") for s in shards}
for s in shards:
    torch.save(dict(load_file(os.path.join(OUT, s))), os.path.join(OUT, renamed[s]))
    os.remove(os.path.join(OUT, s))
os.remove(os.path.join(OUT, "model.safetensors.index.json"))
index["weight_map"] = {k: renamed[v] for k, v in index["weight_map"].items()}
json.dump(index, open(os.path.join(OUT, "pytorch_model.bin.index.json"), "w"), indent=2)
for name in ("generation_config.json",):
    if os.path.exists(os.path.join(OUT, name)):
        os.remove(os.path.join(OUT, name))
print({f: os.path.getsize(os.path.join(OUT, f)) for f in sorted(os.listdir(OUT))})
