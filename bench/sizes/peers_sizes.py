"""The peers' side of the model-size benchmark: transformers and TransformerLens on a random-weight model
written by make_random_model.py, 2 threads, one job per process (peak RSS per job).

Usage: peers_sizes.py JOB MODEL_DIR N DTYPE    JOB in load, hf_forward, hf_step, hf_steplens, tl_cache, hf_generate; DTYPE bf16 or f32
Prints one JSON line: {"job", "model", "n", "dtype", "ms" (median of BENCH_REPEATS, default 5, after a warm-up), "min_ms", "max_ms", "tokens_per_s"?, "peak_rss_mb"}.
"""
import json
import os
import resource
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch  # noqa: E402

torch.set_num_threads(2)
torch.set_grad_enabled(False)
DTYPES = {"bf16": torch.bfloat16, "f32": torch.float32}


def load_hf(path, dtype):
    from transformers import AutoModelForCausalLM
    return AutoModelForCausalLM.from_pretrained(path, dtype=DTYPES[dtype]).eval()


def load_tl(path, dtype):
    """TransformerLens on the local checkpoint: 4.x's TransformerBridge in compatibility mode (no
    processing), or 2.x's HookedTransformer built from the converted state dict."""
    try:
        from transformer_lens import HookedTransformer, HookedTransformerConfig  # 2.x
    except ImportError:
        from transformer_lens.model_bridge import TransformerBridge
        hf = load_hf(path, dtype)
        bridge = TransformerBridge.boot_transformers(path, device="cpu", hf_model=hf, dtype=DTYPES[dtype])
        bridge.enable_compatibility_mode(no_processing=True, disable_warnings=True)
        return bridge
    from transformer_lens.pretrained.weight_conversions import convert_gpt2_weights, convert_llama_weights
    hf = load_hf(path, dtype)
    c = hf.config
    if c.model_type == "gpt2":
        cfg = HookedTransformerConfig(
            n_layers=c.n_layer, d_model=c.n_embd, n_ctx=c.n_positions, d_head=c.n_embd // c.n_head, n_heads=c.n_head,
            d_mlp=4 * c.n_embd, d_vocab=c.vocab_size, act_fn="gelu_new", normalization_type="LN", eps=c.layer_norm_epsilon,
            original_architecture="GPT2LMHeadModel", positional_embedding_type="standard", dtype=DTYPES[dtype])
        sd = convert_gpt2_weights(hf, cfg)
    else:
        cfg = HookedTransformerConfig(
            n_layers=c.num_hidden_layers, d_model=c.hidden_size, n_ctx=4096, d_head=c.hidden_size // c.num_attention_heads,
            n_heads=c.num_attention_heads, n_key_value_heads=c.num_key_value_heads, d_mlp=c.intermediate_size,
            d_vocab=c.vocab_size, act_fn="silu", normalization_type="RMS", eps=c.rms_norm_eps,
            positional_embedding_type="rotary", rotary_dim=c.hidden_size // c.num_attention_heads, final_rms=True,
            gated_mlp=True, original_architecture="LlamaForCausalLM", rotary_adjacent_pairs=False, dtype=DTYPES[dtype])
        sd = convert_llama_weights(hf, cfg)
    del hf
    tl = HookedTransformer(cfg)
    tl.load_and_process_state_dict(sd, fold_ln=False, center_writing_weights=False, center_unembed=False,
                                   fold_value_biases=False, refactor_factored_attn_matrices=False)
    del sd
    return tl.eval()


SPREAD = {}


def median_ms(fn, repeats=None):
    repeats = repeats or int(os.environ.get("BENCH_REPEATS", "5"))
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    SPREAD.update(min_ms=min(times), max_ms=max(times))
    return statistics.median(times)


def main():
    job, path, n, dtype = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    out = {"job": job, "model": path, "n": n, "dtype": dtype}
    g = torch.Generator().manual_seed(0)
    t0 = time.perf_counter()
    if job == "load":
        load_hf(path, dtype)
        out["ms"] = (time.perf_counter() - t0) * 1000
    elif job == "hf_forward":
        m = load_hf(path, dtype)
        toks = torch.randint(0, m.config.vocab_size, (1, n), generator=g)
        out["ms"] = median_ms(lambda: m(toks))
    elif job in ("hf_step", "hf_steplens"):
        # One step of seed 003's loop in transformers: eager attention with the patterns and every hidden
        # state returned; hf_steplens adds the logit lens of every layer at every position (final norm,
        # lm_head, softmax, top 5).
        from transformers import AutoModelForCausalLM
        m = AutoModelForCausalLM.from_pretrained(path, dtype=DTYPES[dtype], attn_implementation="eager").eval()
        toks = torch.randint(0, m.config.vocab_size, (1, n), generator=g)

        def step():
            o = m(toks, output_attentions=True, output_hidden_states=True)
            if job == "hf_steplens":
                for h in o.hidden_states:
                    torch.softmax(m.lm_head(m.model.norm(h)).float(), dim=-1).topk(5)
        out["ms"] = median_ms(step)
    elif job == "tl_cache":
        from importlib.metadata import version
        m = load_tl(path, dtype)
        out["tl_version"] = version("transformer_lens")
        toks = torch.randint(0, m.cfg.d_vocab, (1, n), generator=g)
        out["ms"] = median_ms(lambda: m.run_with_cache(toks))
    elif job == "hf_generate":
        m = load_hf(path, dtype)
        toks = torch.randint(0, m.config.vocab_size, (1, 8), generator=g)
        ms = median_ms(lambda: m.generate(toks, max_new_tokens=n, min_new_tokens=n, do_sample=False, pad_token_id=0))
        out["ms"] = ms
        out["tokens_per_s"] = n / (ms / 1000)
    else:
        raise SystemExit(f"unknown job {job}")
    out.update(SPREAD)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
