"""Writes a randomly initialised GPT-2-small-shaped model (124M parameters, seed 0) in Hugging Face
layout (safetensors + config.json + a byte-level tokenizer.json) for the speed benchmark. The weights are
random, so only speed and memory are measured with it. Usage: make_gpt2_random.py OUT_DIR"""
import os
import shutil
import sys

import torch
from transformers import GPT2Config, GPT2LMHeadModel

out = sys.argv[1]
if os.path.exists(os.path.join(out, "model.safetensors")):
    sys.exit(0)
torch.manual_seed(0)
model = GPT2LMHeadModel(GPT2Config())
model.save_pretrained(out, safe_serialization=True)
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
tok = os.path.join(root, "Tests", "Fixtures", "models", "gpt2-tiny")
for name in ("tokenizer.json", "tokenizer_config.json"):
    if os.path.exists(os.path.join(tok, name)):
        shutil.copy(os.path.join(tok, name), os.path.join(out, name))
print("wrote", out)
