"""Writes a randomly initialised model of one of the seeds' real shapes as bf16 safetensors, sharded with
an index like the Hub's checkpoints, in Hugging Face layout (config.json, shards, index, a byte-level
tokenizer). The shapes come from transformers' configs (`from_config` on the meta device), and the weights
are written one tensor at a time, so making an 8B-shaped model needs about one shard of memory, not the
model's size. Weights are random (normal, std 0.02; norms 1): only speed and memory are measured with them.

Usage: make_random_model.py SHAPE OUT_DIR      SHAPE in tiny, gpt2-large, llama-3.2-1b, llama-2-7b, llama-3.1-8b
BENCH_LAYERS=N keeps the shape's width with N layers (Llama shapes).
Sizes on disk: tiny ~4 MB, gpt2-large 1.5 GB, llama-3.2-1b 2.5 GB, llama-2-7b 13.5 GB, llama-3.1-8b 16 GB.
"""
import json
import os
import shutil
import sys

import torch
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, GPT2Config, LlamaConfig

SHAPES = {
    "tiny": lambda: LlamaConfig(hidden_size=256, intermediate_size=768, num_hidden_layers=4, num_attention_heads=8,
                                num_key_value_heads=2, vocab_size=4096, max_position_embeddings=2048, tie_word_embeddings=True),
    # gpt2-large: 36 layers, d 1280, 20 heads, vocab 50257 (774M parameters).
    "gpt2-large": lambda: GPT2Config(n_layer=36, n_embd=1280, n_head=20, n_positions=1024, vocab_size=50257),
    # Llama-3.2-1B: 16 layers, d 2048, 32 heads (8 KV), MLP 8192, vocab 128256, tied embeddings.
    "llama-3.2-1b": lambda: LlamaConfig(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
                                        num_key_value_heads=8, vocab_size=128256, max_position_embeddings=131072,
                                        rope_theta=500000.0, tie_word_embeddings=True,
                                        rope_scaling={"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0,
                                                      "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}),
    # Llama-2-7B (LLaVA-1.5's language model): 32 layers, d 4096, 32 heads, MLP 11008, vocab 32000.
    "llama-2-7b": lambda: LlamaConfig(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32,
                                      num_key_value_heads=32, vocab_size=32000, max_position_embeddings=4096),
    # Llama-3.1-8B: 32 layers, d 4096, 32 heads (8 KV), MLP 14336, vocab 128256.
    "llama-3.1-8b": lambda: LlamaConfig(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
                                        num_key_value_heads=8, vocab_size=128256, max_position_embeddings=131072,
                                        rope_theta=500000.0,
                                        rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                      "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}),
}
SHARD_BYTES = 2 << 30


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in SHAPES:
        sys.exit(__doc__)
    shape, out = sys.argv[1], sys.argv[2]
    if os.path.exists(os.path.join(out, "model.safetensors.index.json")):
        print("exists", out)
        return
    os.makedirs(out, exist_ok=True)
    config = SHAPES[shape]()
    if os.environ.get("BENCH_LAYERS"):                  # the shape's width with fewer layers (per-layer ratios)
        config.num_hidden_layers = int(os.environ["BENCH_LAYERS"])
    config.dtype = "bfloat16"
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    # Names and shapes of what save_pretrained would write (tied weights once, non-persistent buffers dropped).
    state = model.state_dict()
    tied = set()
    if getattr(config, "tie_word_embeddings", False):
        tied = {k for k in state if k.startswith("lm_head.")}
    gen = torch.Generator().manual_seed(0)
    weight_map, shard, shard_bytes, n_shards, total = {}, {}, 0, 0, 0
    names = [k for k in state if k not in tied and not k.endswith(".attn.bias") and not k.endswith(".attn.masked_bias")]

    def flush():
        nonlocal shard, shard_bytes, n_shards
        if not shard:
            return
        n_shards += 1
        file = f"model-{n_shards:05d}.safetensors"
        save_file(shard, os.path.join(out, file), metadata={"format": "pt"})
        for k in shard:
            weight_map[k] = file
        shard, shard_bytes = {}, 0

    for name in names:
        t = state[name]
        if name.endswith("norm.weight") or ".ln_" in name and name.endswith(".weight") or name.endswith("ln_f.weight"):
            value = torch.ones(t.shape, dtype=torch.bfloat16)
        elif name.endswith(".bias"):
            value = torch.zeros(t.shape, dtype=torch.bfloat16)
        else:
            value = (torch.randn(t.shape, generator=gen, dtype=torch.float32) * 0.02).to(torch.bfloat16)
        size = value.numel() * 2
        if shard_bytes + size > SHARD_BYTES:
            flush()
        shard[name] = value.contiguous()
        shard_bytes += size
        total += size
    flush()
    # Hub names: model-0000i-of-0000n.safetensors.
    renamed = {}
    for i in range(1, n_shards + 1):
        old, new = f"model-{i:05d}.safetensors", f"model-{i:05d}-of-{n_shards:05d}.safetensors"
        os.rename(os.path.join(out, old), os.path.join(out, new))
        renamed[old] = new
    weight_map = {k: renamed[v] for k, v in weight_map.items()}
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=1)
    config.architectures = [type(model).__name__]      # as the Hub's config.json (llama.cpp's converter needs it)
    config.save_pretrained(out)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    tok = os.path.join(root, "Tests", "Fixtures", "models", "gpt2-tiny")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(tok, name), os.path.join(out, name))
    print(f"wrote {out}: {shape}, {total / 2**30:.2f} GiB in {n_shards} shard(s)")


if __name__ == "__main__":
    main()
