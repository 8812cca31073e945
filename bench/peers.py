"""The peers' side of Loupe's benchmark: Hugging Face transformers and TransformerLens on the same
machine, same models, same token counts, 2 threads. One job per process so peak memory is per job.

Run by bench/run.sh (never in CI). Needs a venv with torch, transformers, gguf and transformer_lens 2.x
(the HookedTransformer API the seed notebooks used):
    python3 -m venv bench/.venv && bench/.venv/bin/pip install "transformer_lens==2.16.1" gguf "datasets<3" "pyarrow<17"
Usage: peers.py JOB MODEL [N]   JOB in load, hf_forward, tl_cache, hf_generate, tl_generate, tl_seed000, torch_gemm
       MODEL in smollm2, gpt2  (gpt2 = a randomly initialised GPT-2-small-shaped model)
Prints one JSON line: {"job", "model", "n", "ms" (median), "tokens_per_s"?, "peak_rss_mb"}.
"""
import json
import os
import resource
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
import torch  # noqa: E402

torch.set_num_threads(2)
torch.set_grad_enabled(False)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GGUF_DIR = os.path.join(ROOT, "models", "smollm2")
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
GPT2_DIR = os.environ.get("LOUPE_BENCH_GPT2", "/tmp/loupe-bench/gpt2-random")


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_hf(model):
    from transformers import AutoModelForCausalLM
    if model == "smollm2":
        return AutoModelForCausalLM.from_pretrained(GGUF_DIR, gguf_file=GGUF_FILE, torch_dtype=torch.float32).eval()
    return AutoModelForCausalLM.from_pretrained(GPT2_DIR, torch_dtype=torch.float32).eval()


def tl_config(hf):
    from transformer_lens import HookedTransformerConfig
    c = hf.config
    if c.model_type == "gpt2":
        return HookedTransformerConfig(
            n_layers=c.n_layer, d_model=c.n_embd, n_ctx=c.n_positions, d_head=c.n_embd // c.n_head,
            n_heads=c.n_head, d_mlp=4 * c.n_embd, d_vocab=c.vocab_size, act_fn="gelu_new",
            normalization_type="LN", eps=c.layer_norm_epsilon, original_architecture="GPT2LMHeadModel",
            positional_embedding_type="standard", default_prepend_bos=False)
    return HookedTransformerConfig(
        n_layers=c.num_hidden_layers, d_model=c.hidden_size, n_ctx=2048, d_head=c.hidden_size // c.num_attention_heads,
        n_heads=c.num_attention_heads, n_key_value_heads=c.num_key_value_heads, d_mlp=c.intermediate_size,
        d_vocab=c.vocab_size, act_fn="silu", normalization_type="RMS", eps=c.rms_norm_eps,
        positional_embedding_type="rotary", rotary_dim=c.hidden_size // c.num_attention_heads,
        rotary_base=int(getattr(c, "rope_theta", None) or (getattr(c, "rope_parameters", None) or {}).get("rope_theta", 10000)), final_rms=True, gated_mlp=True, original_architecture="LlamaForCausalLM",
        rotary_adjacent_pairs=False, default_prepend_bos=False)


def load_tl(model):
    from transformer_lens import HookedTransformer
    from transformer_lens.pretrained.weight_conversions import convert_gpt2_weights, convert_llama_weights
    hf = load_hf(model)
    cfg = tl_config(hf)
    tl = HookedTransformer(cfg)
    sd = convert_gpt2_weights(hf, cfg) if model == "gpt2" else convert_llama_weights(hf, cfg)
    tl.load_and_process_state_dict(sd, fold_ln=False, center_writing_weights=False, center_unembed=False,
                                   fold_value_biases=False, refactor_factored_attn_matrices=False)
    del hf
    # generate() asserts a tokenizer even for token input with stop_at_eos=False; transformers 5 can't
    # rebuild SmolLM2's GGUF tokenizer, and generation from ids only reads these fields.
    from types import SimpleNamespace
    tl.tokenizer = SimpleNamespace(eos_token_id=0, pad_token_id=0, bos_token_id=0, padding_side="right")
    return tl.eval()


def tokens(n, vocab):
    g = torch.Generator().manual_seed(0)
    return torch.randint(0, vocab, (1, n), generator=g)


RUNS = []


def timed_ms(fn, repeats):
    """Milliseconds of `repeats` calls after a warm-up call; each is also recorded in RUNS."""
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    RUNS.extend(times)
    return times


def median_ms(fn, repeats):
    return statistics.median(timed_ms(fn, repeats))


def min_ms(fn, repeats):
    return min(timed_ms(fn, repeats))


def main():
    job, model = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    out = {"job": job, "model": model, "n": n}
    t0 = time.perf_counter()
    if job == "load":
        load_hf(model)
        out["ms"] = (time.perf_counter() - t0) * 1000
    elif job == "hf_forward":
        m = load_hf(model)
        toks = tokens(n, m.config.vocab_size)
        out["ms"] = median_ms(lambda: m(toks), 5)
    elif job == "tl_cache":
        m = load_tl(model)
        toks = tokens(n, m.cfg.d_vocab)
        out["ms"] = median_ms(lambda: m.run_with_cache(toks), 5)
    elif job == "hf_generate":
        m = load_hf(model)
        toks = tokens(8, m.config.vocab_size)
        def gen():
            m.generate(toks, max_new_tokens=n, min_new_tokens=n, do_sample=False, pad_token_id=0)
        ms = median_ms(gen, 3)
        out["ms"] = ms
        out["tokens_per_s"] = n / (ms / 1000)
    elif job == "tl_generate":
        m = load_tl(model)
        toks = tokens(8, m.cfg.d_vocab)
        ms = median_ms(lambda: m.generate(toks, max_new_tokens=n, do_sample=False, verbose=False, stop_at_eos=False), 3)
        out["ms"] = ms
        out["tokens_per_s"] = n / (ms / 1000)
    elif job == "tl_seed000":
        # Seed 000's loop: each step runs the whole growing sequence with a full cache, takes the logit
        # lens of every layer (accumulated_resid incl_mid + apply_ln_to_stack + W_U, top-5), then
        # appends the argmax token.
        m = load_tl(model)
        start = tokens(32, m.cfg.d_vocab)
        W_U = m.W_U
        def loop():
            seq = start
            for _ in range(n):
                logits, cache = m.run_with_cache(seq)
                for layer in range(1, m.cfg.n_layers, 5):
                    _ = cache["pattern", layer, "attn"][0, :, -40:, -40:]
                stack = cache.accumulated_resid(layer=-1, incl_mid=True)
                lens = cache.apply_ln_to_stack(stack, layer=-1) @ W_U
                torch.topk(lens, k=5, dim=-1)
                nxt = logits[0, -1].argmax()
                seq = torch.cat([seq, nxt.view(1, 1)], dim=1)
        ms = median_ms(loop, 2)
        out["ms"] = ms
        out["ms_per_step"] = ms / n
    elif job == "torch_gemm":
        # The GEMM ceiling: float32 matmul at the shape [n, d_model] x [d_model, 4 d_model] (GPT-2's MLP),
        # best of 7 (GFLOP/s in "gflops").
        a, b = torch.randn(n, 768), torch.randn(768, 3072)
        ms = min_ms(lambda: a @ b, 7)
        out["ms"] = ms
        out["gflops"] = 2 * n * 768 * 3072 / ms / 1e6
    else:
        raise SystemExit(f"unknown job {job}")
    out["times"] = RUNS
    out["peak_rss_mb"] = round(peak_mb(), 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
