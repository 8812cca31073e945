"""The attention-token table the direct way, for a few heads, extrapolated to the whole dataset (every head
of every layer, n_prompts prompts): per head, each causal pair's q_i ⊙ k_j goes through W_Q[h]ᵀ into the
residual stream and then through W_U ([pairs, d_model] @ [d_model, vocab]), argmax; q through W_Qᵀ, k through
W_Kᵀ, v through W_O, likewise — TransformerLens's formulas in torch. TransformerLens 4 (the venv's) removed
HookedTransformer and its bridge needs hub weights, so q, k, v and the weights are random tensors of the model's
shapes (GPT-2 small or SmolLM2-135M); their values do not change the work. Prints a Python dict.
Usage: peer_transformer_lens.py gpt2|smollm2 [n_tokens] [n_prompts]"""
import sys, time
import torch

shape = sys.argv[1]
n_tokens = int(sys.argv[2]) if len(sys.argv) > 2 else 32
n_prompts = int(sys.argv[3]) if len(sys.argv) > 3 else 32
torch.manual_seed(0)
torch.set_num_threads(2)
if shape == "gpt2":
    n_layers, n_heads, n_kv, d_model, d_head, d_vocab = 12, 12, 12, 768, 64, 50257
else:
    n_layers, n_heads, n_kv, d_model, d_head, d_vocab = 30, 9, 3, 576, 64, 49152
W_U = torch.randn(d_model, d_vocab)
W_Q, W_K = torch.randn(d_model, d_head), torch.randn(d_model, d_head)
W_O = torch.randn(d_head, d_model)
n = n_tokens
ii, jj = torch.tril_indices(n, n)
times = []
with torch.no_grad():
    for _ in range(5):
        q, k, v = torch.randn(n, d_head), torch.randn(n, d_head), torch.randn(n, d_head)
        t0 = time.perf_counter()
        hp = ((q[ii] * k[jj]) @ W_Q.T @ W_U).argmax(-1)
        qt = (q @ W_Q.T @ W_U).argmax(-1)
        kt = (k @ W_K.T @ W_U).argmax(-1)
        vt = (v @ W_O @ W_U).argmax(-1)
        times.append(time.perf_counter() - t0)
per_head = sorted(times)[len(times) // 2]
total = per_head * n_layers * n_heads * n_prompts
print({"peer": "torch (TransformerLens formulas)", "shape": shape, "runs": len(times), "per_head_prompt_s": per_head,
       "spread": (min(times), max(times)), "extrapolated_s": total, "n_prompts": n_prompts, "n_tokens": n_tokens})
