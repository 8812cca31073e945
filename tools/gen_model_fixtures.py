#!/usr/bin/env python3
"""Reference fixtures for LoupeModels (run by hand, never in CI).

    python3 -m venv tools/.venv
    tools/.venv/bin/pip install torch transformers transformer_lens gguf tokenizers numpy
    tools/.venv/bin/python tools/gen_model_fixtures.py            # tiny random models
    tools/.venv/bin/python tools/gen_model_fixtures.py --smollm2   # + models/smollm2 GGUF references

Writes Tests/Fixtures/models/:
  tokenizer/                      a small byte-level BPE trained here (shared by the tiny models)
  <name>/                         HF layout: model.safetensors + config.json + tokenizer files
  <name>.json, <name>.bin         reference activations: the JSON index maps an entry name to
                                  {"offset": floats, "shape": [...]}; the .bin holds little-endian float32.
Tiny models: gpt2-tiny (F32), llama-tiny (GQA, RoPE theta 1e4, untied, stored F16),
llama3-tiny (GQA, rope_scaling llama3, untied, stored BF16).
References come from TransformerLens 4.x's TransformerBridge in compatibility mode (the
HookedTransformer-equivalent path), which matches HookedTransformer's hook names and numerics.
Entry names: "<run>/<hook name>" with runs "single" (one prompt, batch dim dropped), "batch"
(two prompts right-padded as TL pads), "proc" (single prompt on the TL-default processed weights).
"""
import json, os, sys, math
import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "models")
torch.set_grad_enabled(False)

PROMPTS = ["When Mary and John went to the store,",
           "The quick brown fox"]
CANON = ["hook_embed", "hook_pos_embed"]
BLOCK = ["hook_resid_pre", "ln1.hook_scale", "ln1.hook_normalized", "attn.hook_q", "attn.hook_k",
         "attn.hook_v", "attn.hook_rot_q", "attn.hook_rot_k", "attn.hook_attn_scores",
         "attn.hook_pattern", "attn.hook_z", "hook_attn_out", "hook_resid_mid", "ln2.hook_scale",
         "ln2.hook_normalized", "mlp.hook_pre", "mlp.hook_pre_linear", "mlp.hook_post",
         "hook_mlp_out", "hook_resid_post"]
FINAL = ["ln_final.hook_scale", "ln_final.hook_normalized"]


class Writer:
    def __init__(self, name):
        self.name, self.index, self.chunks, self.offset, self.meta = name, {}, [], 0, {}

    def add(self, key, t):
        a = np.ascontiguousarray(t.detach().to(torch.float32).cpu().numpy(), dtype="<f4")
        self.index[key] = {"offset": self.offset, "shape": list(a.shape)}
        self.chunks.append(a.tobytes())
        self.offset += a.size

    def save(self):
        with open(os.path.join(OUT, self.name + ".bin"), "wb") as f:
            for c in self.chunks:
                f.write(c)
        with open(os.path.join(OUT, self.name + ".json"), "w") as f:
            json.dump({"meta": self.meta, "tensors": self.index}, f, indent=0, sort_keys=True)
        big = sorted(self.index.items(), key=lambda kv: -math.prod(kv[1]["shape"]))[:5]
        print("  largest:", [(k, v["shape"]) for k, v in big])
        print(f"{self.name}: {self.offset * 4 / 1e6:.2f} MB, {len(self.index)} tensors")


def train_tokenizer(d):
    from tokenizers import Tokenizer, models, trainers, pre_tokenizers, decoders
    from transformers import PreTrainedTokenizerFast
    text = [p for p in PROMPTS] + ["The cat sat on the mat. The dog ate the bone.",
            "Hello world! 1234 tokens, numbers and café déjà vu.", "once upon a time there was a model"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tr = trainers.BpeTrainer(vocab_size=320, special_tokens=["<|endoftext|>"],
                             initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(text * 20, tr)
    ft = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>",
                                 eos_token="<|endoftext|>", unk_token="<|endoftext|>")
    ft.save_pretrained(d)
    return ft


def randomise(model, std):
    """Non-trivial norms and biases, so weight folding and centring are really exercised."""
    g = torch.Generator().manual_seed(1234)
    for name, p in model.named_parameters():
        if "ln" in name or "norm" in name:
            p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g) if name.endswith("weight")
                    else 0.1 * torch.randn(p.shape, generator=g))
        elif name.endswith("bias"):
            p.copy_(0.05 * torch.randn(p.shape, generator=g))
        else:
            p.copy_(std * torch.randn(p.shape, generator=g))


def build(name, kind, tok):
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    V = len(tok)
    if kind == "gpt2":
        cfg = GPT2Config(vocab_size=V, n_positions=64, n_embd=64, n_layer=2, n_head=4, n_inner=128,
                         bos_token_id=0, eos_token_id=0, layer_norm_epsilon=1e-5)
        m = GPT2LMHeadModel(cfg).eval()
        randomise(m, 0.15)
        dtype = torch.float32
    else:
        extra = {}
        if kind == "llama3":
            extra["rope_parameters"] = {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
                                        "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                        "original_max_position_embeddings": 16}
        else:
            extra["rope_parameters"] = {"rope_type": "default", "rope_theta": 10000.0}
        cfg = LlamaConfig(vocab_size=V, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                          num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                          tie_word_embeddings=False, bos_token_id=0, eos_token_id=0,
                          rms_norm_eps=1e-5, **extra)
        m = LlamaForCausalLM(cfg).eval()
        randomise(m, 0.15)
        dtype = torch.bfloat16 if kind == "llama3" else torch.float16
        # Round in place so the F32 reference model equals the stored (half-size) weights exactly.
        for p in m.parameters():
            p.copy_(p.to(dtype).to(torch.float32))
    m.to(dtype).save_pretrained(d)
    tok.save_pretrained(d)
    # Reload in F32: casting the model also rounds buffers such as RoPE's inv_freq, which the
    # stored checkpoint does not carry.
    cls = GPT2LMHeadModel if kind == "gpt2" else LlamaForCausalLM
    m = cls.from_pretrained(d, dtype=torch.float32, attn_implementation="eager").eval()
    return d, m


BATCH_HOOKS = {"hook_embed", "hook_resid_pre", "attn.hook_rot_k", "attn.hook_v", "attn.hook_attn_scores",
               "attn.hook_pattern", "hook_resid_post", "ln_final.hook_normalized"}


def tl_hooks(cache, n_layers, prefix, w, drop_batch):
    for k in CANON + [f"blocks.{l}.{h}" for l in range(n_layers) for h in BLOCK] + FINAL:
        if prefix == "batch" and k.split(".", 2)[-1] not in BATCH_HOOKS and k not in BATCH_HOOKS:
            continue
        if k in cache:
            t = cache[k]
            w.add(f"{prefix}/{k}", t[0] if drop_batch else t)


def weights(model, w, prefix, n_layers, attrs=None):
    """Processed weights; the big embeddings only as their first 16 rows/columns (logits cover the rest)."""
    for attr in attrs or ["W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O", "W_in", "W_gate",
                          "W_out", "b_in", "b_out", "W_U", "b_U", "W_E", "W_pos"]:
        try:
            t = getattr(model, attr)
        except Exception:
            continue
        if t is None:
            continue
        if attr in ("W_in", "W_gate", "W_out", "b_in", "b_out"):
            t = t[:1]
        if attr in ("W_E", "W_pos"):
            t = t[:16]
        elif attr == "W_U":
            t = t[:, :16]
        w.add(f"{prefix}/{attr}", t)


def references(name, kind, d, hf, tok):
    from transformer_lens.model_bridge import TransformerBridge
    w = Writer(name)
    n_layers = hf.config.num_hidden_layers
    # HF logits and greedy continuations (raw weights).
    singles = [tok(tok.bos_token + p, return_tensors="pt")["input_ids"] for p in PROMPTS]
    w.meta["prompts"] = PROMPTS
    w.meta["tokens"] = [s[0].tolist() for s in singles]
    for i, ids in enumerate(singles):
        logits = hf(ids).logits[0]
        if i == 0:
            hf_logits0 = logits
        else:
            w.add(f"hf/logits{i}", logits)
        # An explicit mask: the BOS id doubles as the pad id and must not be masked out.
        out = hf.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=12, do_sample=False,
                          pad_token_id=0, eos_token_id=None)
        w.meta[f"greedy{i}"] = out[0, ids.shape[1]:].tolist()

    def bridge():
        return TransformerBridge.boot_transformers(d, device="cpu", hf_model=hf)

    # Raw (no processing): must equal HF.
    b = bridge()
    b.enable_compatibility_mode(no_processing=True, disable_warnings=True)
    toks = b.to_tokens(PROMPTS[0])
    assert toks[0].tolist() == w.meta["tokens"][0], (toks, w.meta["tokens"][0])
    logits, cache = b.run_with_cache(toks)
    w.add("single/logits", logits[0])
    print(f"  TL raw vs HF logits max diff {(logits[0] - hf_logits0).abs().max().item():.2e}")
    tl_hooks(cache, n_layers, "single", w, True)
    # hook_result (opt-in in TL) = z @ W_O per head, without b_O.
    for l in range(n_layers):
        z = cache[f"blocks.{l}.attn.hook_z"][0]                     # [pos, head, d_head]
        w.add(f"single/blocks.{l}.attn.hook_result", torch.einsum("phd,hdm->phm", z, b.W_O[l]))
    batch = b.to_tokens(PROMPTS, padding_side="right")
    w.meta["batch_tokens"] = batch.tolist()
    mask = (torch.arange(batch.shape[1])[None, :] < torch.tensor([len(t) for t in w.meta["tokens"]])[:, None])
    w.meta["batch_mask"] = mask.int().tolist()
    logits, cache = b.run_with_cache(batch, attention_mask=mask.long())
    w.add("batch/logits", logits)
    tl_hooks(cache, n_layers, "batch", w, False)

    # TL-default processing (fold_ln, center_writing_weights, center_unembed, fold_value_biases).
    b = bridge()
    b.enable_compatibility_mode(disable_warnings=True)
    logits, cache = b.run_with_cache(toks)
    w.add("proc/logits", logits[0])
    tl_hooks(cache, n_layers, "proc", w, True)
    weights(b, w, "proc", n_layers)
    # Logit lens: accumulated_resid(incl_mid) + apply_ln_to_stack both ways.
    stack, labels = cache.accumulated_resid(layer=None, incl_mid=True, return_labels=True)
    w.meta["accumulated_labels"] = labels
    w.add("proc/accumulated_resid", stack[:, 0])
    w.add("proc/ln_stack_cached", cache.apply_ln_to_stack(stack, layer=-1, recompute_ln=False)[:, 0])
    w.add("proc/ln_stack_recomputed", cache.apply_ln_to_stack(stack, layer=-1, recompute_ln=True)[:, 0])
    dec, dlabels = cache.decompose_resid(layer=None, return_labels=True)
    w.meta["decompose_labels"] = dlabels
    w.add("proc/decompose_resid", dec[:, 0])

    # Same plus refactor_factored_attn_matrices (TL refuses it for rotary models).
    if kind != "gpt2":
        w.save()
        return
    b = bridge()
    b.enable_compatibility_mode(disable_warnings=True, refactor_factored_attn_matrices=True)
    logits, cache = b.run_with_cache(toks)
    w.add("refactor/logits", logits[0])
    weights(b, w, "refactor", n_layers, ["W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O"])
    w.save()


def smollm2():
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformer_lens.model_bridge import TransformerBridge
    src = os.path.join(ROOT, "models", "smollm2")
    gg = "SmolLM2-135M-Instruct.Q4_1.gguf"
    tok = AutoTokenizer.from_pretrained(src, gguf_file=gg)
    hf = AutoModelForCausalLM.from_pretrained(src, gguf_file=gg, dtype=torch.float32,
                                              attn_implementation="eager").eval()
    w = Writer("smollm2")
    prompts = ["The capital of France is", "Once upon a time, there was a little",
               "def fibonacci(n):\n    "]
    w.meta["prompts"] = prompts
    w.meta["tokens"], w.meta["greedy"] = [], []
    w.meta["bos_token_id"], w.meta["eos_token_id"] = tok.bos_token_id, tok.eos_token_id
    for i, p in enumerate(prompts):
        ids = tok(p, return_tensors="pt")["input_ids"]
        w.meta["tokens"].append(ids[0].tolist())
        logits = hf(ids).logits[0]                                   # [pos, vocab]
        top = logits[-1].topk(20)
        w.meta[f"top20_ids{i}"] = top.indices.tolist()
        w.add(f"hf/top20_logits{i}", top.values)
        w.add(f"hf/logsumexp{i}", logits.logsumexp(-1))              # [pos]
        w.add(f"hf/max{i}", logits.max(-1).values)                   # [pos]
        w.meta[f"argmax{i}"] = logits.argmax(-1).tolist()
        w.add(f"hf/logits_first64_{i}", logits[:, :64])              # [pos, 64]
        out = hf.generate(ids, max_new_tokens=16, do_sample=False, pad_token_id=tok.eos_token_id)
        w.meta["greedy"].append(out[0, ids.shape[1]:].tolist())
    # A few hooks through TransformerLens wrapping the dequantised HF model.
    tmp = "/tmp/smollm2_cfg"
    hf.config.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    b = TransformerBridge.boot_transformers(tmp, device="cpu", hf_model=hf)
    b.enable_compatibility_mode(no_processing=True, disable_warnings=True)
    ids = torch.tensor([w.meta["tokens"][0]])
    logits, cache = b.run_with_cache(ids)
    L = hf.config.num_hidden_layers
    for k in ["hook_embed", "blocks.0.attn.hook_q", "blocks.0.attn.hook_k", "blocks.0.attn.hook_rot_q",
              "blocks.0.attn.hook_rot_k", "blocks.0.attn.hook_v", "blocks.0.attn.hook_pattern",
              "blocks.0.hook_attn_out", "blocks.0.mlp.hook_post", "blocks.0.hook_resid_post",
              f"blocks.{L // 2}.hook_resid_post", f"blocks.{L - 1}.attn.hook_pattern",
              f"blocks.{L - 1}.hook_resid_post", "ln_final.hook_normalized"]:
        w.add(f"tl/{k}", cache[k][0])
    w.add("tl/logits_last", logits[0, -1])
    w.save()


def main():
    os.makedirs(OUT, exist_ok=True)
    if "--only-smollm2" not in sys.argv:
        tok = train_tokenizer(os.path.join(OUT, "tokenizer"))
        for name, kind in [("gpt2-tiny", "gpt2"), ("llama-tiny", "llama"), ("llama3-tiny", "llama3")]:
            d, hf = build(name, kind, tok)
            references(name, kind, d, hf, tok)
    if "--smollm2" in sys.argv or "--only-smollm2" in sys.argv:
        smollm2()


if __name__ == "__main__":
    main()
