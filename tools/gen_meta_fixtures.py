#!/usr/bin/env python3
"""Meta-layout Llama 3.1 fixtures, referenced with Meta's own llama-models code (run by hand, never in CI).

    tools/.venv/bin/pip install llama-models fairscale
    tools/.venv/bin/python tools/gen_meta_fixtures.py

Writes Tests/Fixtures/models/:
  meta-tiny/            Meta's original layout: params.json (use_scaled_rope true) + consolidated.00.pth,
                        a torch.save of the bf16 state dict with llama-models' names. Vocabulary 128256 (the
                        real tiktoken ids), d_model 8, 2 layers, 2 heads, 1 KV head: ~4.1 MB, almost all of
                        it the two [128256, 8] embeddings.
  meta-tiny.json/.bin   reference activations (format of gen_model_fixtures.py's Writer). Computed by
                        llama_models.llama3.model.Transformer in float32 from the bf16 weights (exact), with
                        fairscale model parallel initialised for one process (gloo, CPU). Hooks recorded by
                        forward hooks on llama-models' modules; q/k/rot_q/rot_k are permuted from Meta's
                        interleaved rotary pairs to Hugging Face's halves (TransformerLens's hook layout);
                        the attention pattern and scores are captured from the model's own F.softmax call.
                        Logits over 128256 ids are kept at every 64th id plus each position's top 5
                        (meta "logit_ids"); the logit lens likewise. Greedy tokens: llama-models' KV-cached
                        decoding loop (Llama3.generate's), 8 tokens.
  meta-tiny-mp2/        the same architecture with vocabulary 256, d_model 16, 4 heads, 2 KV heads, split by
                        hand into two model-parallel shards (consolidated.00.pth, .01.pth) the way fairscale
                        splits them: wq/wk/wv/w1/w3/output/tok_embeddings along dim 0, wo/w2 along dim 1,
                        norms replicated. Its reference logits (meta-tiny-mp2.json/.bin) come from the model
                        llama-models builds from llama_models.checkpoint.maybe_reshard_state_dict's merge.
  meta-tiny-seed.json   seed 003 (llama-attn-maps) on meta-tiny with the real tokenizer.model (llama-models'
                        bundled copy, the file set-up fetches): the viewer's chat prompt by llama-models'
                        ChatFormat.encode_dialog_prompt (plus other dialogs), Tokenizer.encode ids of texts, and
                        generate_with_logit_lens at temperature 0 on llama-models' Transformer: per map the
                        max-over-heads attention row of each layer and the label rows (input tokens, then the
                        logit lens argmax after each block), and each label id's text (Tokenizer.decode). "eot": a 16-byte patch of output.weight's
                        <|eot_id|> row in consolidated.00.pth (offset in the file, bf16 bytes) after which
                        llama-models' greedy loop emits <|eot_id|> as its third token.
  llama3-tiny-bin/      llama3-tiny's weights as an older Hugging Face pytorch_model.bin (torch.save of the
                        state dict) beside its config.json; its references are llama3-tiny.json's.
Prompts are tokenised with llama-models' bundled Llama 3 tokenizer (tiktoken); ids and text are recorded.
"""
import json, os, sys, math, shutil
import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "models")
sys.path.insert(0, os.path.dirname(__file__))
from gen_model_fixtures import Writer  # noqa: E402

torch.set_grad_enabled(False)
PROMPTS = ["The capital of France is", "Alice and Bob are siblings. Who is Bob's sister?"]
PARAMS = {"dim": 8, "n_layers": 2, "n_heads": 2, "n_kv_heads": 1, "vocab_size": 128256, "multiple_of": 16,
          "ffn_dim_multiplier": 1.3, "norm_eps": 1e-05, "rope_theta": 500000.0, "use_scaled_rope": True}
PARAMS_MP2 = {"dim": 16, "n_layers": 2, "n_heads": 4, "n_kv_heads": 2, "vocab_size": 256, "multiple_of": 16,
              "ffn_dim_multiplier": 1.3, "norm_eps": 1e-05, "rope_theta": 500000.0, "use_scaled_rope": True}


def init_parallel():
    import torch.distributed as dist
    from fairscale.nn.model_parallel.initialize import initialize_model_parallel, model_parallel_is_initialized
    if not dist.is_initialized():
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", "29533")
        dist.init_process_group("gloo", rank=0, world_size=1)
    if not model_parallel_is_initialized():
        initialize_model_parallel(1)


def build(params, state_dict, max_seq_len=64):
    """llama-models' Transformer in float32 holding the (bf16-exact) weights."""
    from llama_models.llama3.args import ModelArgs
    from llama_models.llama3.model import Transformer
    torch.set_default_dtype(torch.float32)
    torch.set_default_tensor_type(torch.FloatTensor)
    m = Transformer(ModelArgs(max_seq_len=max_seq_len, max_batch_size=1, **params)).eval()
    m.load_state_dict({k: v.to(torch.float32) for k, v in state_dict.items()}, strict=True)
    return m


def random_state_dict(params, seed):
    """A random Meta-layout state dict (llama-models' names), rounded to bf16."""
    init_parallel()
    from llama_models.llama3.args import ModelArgs
    from llama_models.llama3.model import Transformer
    torch.set_default_dtype(torch.float32)
    m = Transformer(ModelArgs(max_seq_len=64, max_batch_size=1, **params))
    g = torch.Generator().manual_seed(seed)
    sd = {}
    for k, v in m.state_dict().items():
        if "norm" in k:
            t = 1.0 + 0.2 * torch.randn(v.shape, generator=g)
        else:
            t = torch.randn(v.shape, generator=g) * (0.8 if "tok_embeddings" in k else 1.0 / math.sqrt(v.shape[-1]))
        sd[k] = t.to(torch.bfloat16).contiguous()
    return sd


def to_halves(t, d_head):
    """Meta's interleaved rotary pairs (2i, 2i+1) → Hugging Face's halves (i, i + d/2), last dim."""
    s = t.shape
    return t.reshape(*s[:-1], d_head // 2, 2).transpose(-1, -2).reshape(s)


def record(model, tokens, w, prefix, d_head):
    import llama_models.llama3.model as lm
    L = len(model.layers)
    got = {}
    hooks = []

    def out(name):
        return lambda mod, inp, o: got.__setitem__(name, o[0].clone())

    def inp(name):
        return lambda mod, i: got.__setitem__(name, i[0][0].clone())

    hooks.append(model.tok_embeddings.register_forward_hook(out("hook_embed")))
    for l, layer in enumerate(model.layers):
        b = f"blocks.{l}."
        hooks.append(layer.register_forward_pre_hook(inp(b + "hook_resid_pre")))
        hooks.append(layer.attention.wq.register_forward_hook(out(b + "attn.hook_q")))
        hooks.append(layer.attention.wk.register_forward_hook(out(b + "attn.hook_k")))
        hooks.append(layer.attention.wv.register_forward_hook(out(b + "attn.hook_v")))
        hooks.append(layer.attention.wo.register_forward_pre_hook(inp(b + "attn.hook_z")))
        hooks.append(layer.attention.register_forward_hook(out(b + "hook_attn_out")))
        hooks.append(layer.ffn_norm.register_forward_pre_hook(inp(b + "hook_resid_mid")))
        hooks.append(layer.feed_forward.w1.register_forward_hook(out(b + "mlp.hook_pre")))
        hooks.append(layer.feed_forward.w3.register_forward_hook(out(b + "mlp.hook_pre_linear")))
        hooks.append(layer.feed_forward.w2.register_forward_pre_hook(inp(b + "mlp.hook_post")))
        hooks.append(layer.feed_forward.register_forward_hook(out(b + "hook_mlp_out")))
        hooks.append(layer.register_forward_hook(out(b + "hook_resid_post")))
    # The attention pattern: the model's own softmax over its masked, scaled scores.
    scores, patterns = [], []
    real_f = lm.F

    class SoftmaxTap:
        def __getattr__(self, name):
            return getattr(real_f, name)

        def softmax(self, x, dim=-1, **kw):
            y = real_f.softmax(x, dim=dim, **kw)
            scores.append(x[0].clone())
            patterns.append(y[0].clone())
            return y

    lm.F = SoftmaxTap()
    try:
        logits = model(torch.tensor([tokens]), 0)[0]
    finally:
        lm.F = real_f
        for h in hooks:
            h.remove()
    T = len(tokens)
    H = model.params.n_heads
    KV = model.params.n_kv_heads
    for k, v in got.items():
        if k.endswith("attn.hook_q") or k.endswith("attn.hook_k"):
            heads = H if k.endswith("q") else KV
            v = to_halves(v.reshape(T, heads, d_head), d_head)
            w.add(f"{prefix}/{k}", v)
            # rot_q / rot_k: llama-models' apply_rotary_emb on the same projections.
            raw = got[k].reshape(1, T, heads, d_head)
            rq, _ = lm.apply_rotary_emb(raw, raw, model.freqs_cis[:T])
            w.add(f"{prefix}/{k.replace('hook_q', 'hook_rot_q').replace('hook_k', 'hook_rot_k')}",
                  to_halves(rq[0], d_head))
        elif k.endswith("attn.hook_v"):
            w.add(f"{prefix}/{k}", v.reshape(T, KV, d_head))
        elif k.endswith("attn.hook_z"):
            w.add(f"{prefix}/{k}", v.reshape(T, H, d_head))
        else:
            w.add(f"{prefix}/{k}", v)
    for l in range(L):
        w.add(f"{prefix}/blocks.{l}.attn.hook_attn_scores", scores[l])
        w.add(f"{prefix}/blocks.{l}.attn.hook_pattern", patterns[l])
    # Logit lens: llama-models' final norm and output applied to every layer's residual stream.
    lens = torch.stack([model.output(model.norm(got[f"blocks.{l}.hook_resid_post"])).float() for l in range(L)])
    return logits, lens


def greedy(model, tokens, n):
    """Llama3.generate's greedy loop: prompt at start_pos 0, then one token at a time on the KV cache."""
    out = []
    logits = model(torch.tensor([tokens]), 0)
    pos = len(tokens)
    for _ in range(n):
        nxt = int(torch.argmax(logits[0, -1]))
        out.append(nxt)
        logits = model(torch.tensor([[nxt]]), pos)
        pos += 1
    return out


def save_meta(d, params, shards):
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    with open(os.path.join(d, "params.json"), "w") as f:
        json.dump(params, f)
    for r, sd in enumerate(shards):
        torch.save(sd, os.path.join(d, f"consolidated.{r:02d}.pth"))


def split(sd, n):
    """fairscale's model-parallel layout: column-parallel dim 0, row-parallel dim 1, norms replicated."""
    shards = [{} for _ in range(n)]
    for k, v in sd.items():
        if any(s in k for s in ("attention.wo", "feed_forward.w2")):
            parts = v.chunk(n, dim=1)
        elif v.dim() == 2:
            parts = v.chunk(n, dim=0)
        else:
            parts = [v] * n
        for r in range(n):
            shards[r][k] = parts[r].clone().contiguous()
    return shards


def subset_ids(logits, V):
    ids = set(range(0, V, 64))
    for row in logits.reshape(-1, V):
        ids.update(torch.topk(row, 5).indices.tolist())
    return sorted(ids)


SEED_DATE = "Jul 26 2024"
SEED_USER = "Alice and Bob are siblings. Who is Bob's sister?"
SEED_SYSTEM = f"Cutting Knowledge Date: December 2023\nToday Date: {SEED_DATE}\n\nYou are a helpful assistant"
SEED_DIALOGS = {
    "viewer": [("system", SEED_SYSTEM), ("user", SEED_USER)],
    "user_only": [("user", "Hello! How are you today?")],
    "multi_turn": [("system", "You are a helpful assistant."), ("user", "Who is Bob's sister?"),
                   ("assistant", "Alice is Bob's sister."), ("user", "What is the capital of France?")],
    "unicode": [("user", "Café – naïve 😀 1234567")],
    "tool": [("user", "What is 2 + 2?"), ("assistant", "Let me compute it."), ("tool", "4"), ("user", "Thanks")],
    "special_text": [("user", "a <|eot_id|> b <|begin_of_text|>")],
}
SEED_TEXTS = ["Hello", "The capital of France is", " Café – naïve 😀 1234567\n\n  tabs\tand text  "]


def seed_maps(model, tokens, n_prompt, max_gen_len, eot):
    """generate_with_logit_lens at temperature 0 on llama-models' Transformer, a full pass per step."""
    import llama_models.llama3.model as lm
    L = len(model.layers)
    outputs, patterns = {}, []
    hooks = [model.layers[l].register_forward_hook(lambda mod, i, o, l=l: outputs.__setitem__(l, o[0]))
             for l in range(L)]
    real_f = lm.F

    class SoftmaxTap:
        def __getattr__(self, name):
            return getattr(real_f, name)

        def softmax(self, x, dim=-1, **kw):
            y = real_f.softmax(x, dim=dim, **kw)
            patterns.append(y[0])                                           # [head, query, key]
            return y

    steps, tokens = [], list(tokens)
    lm.F = SoftmaxTap()
    try:
        for cur in range(n_prompt, n_prompt + max_gen_len):
            patterns.clear()
            logits = model(torch.tensor([tokens[:cur]]), 0)[0]
            lens = [model.output(model.norm(outputs[l])).argmax(-1).tolist() for l in range(L)]
            steps.append({"max": [p[:, -1, :].max(0).values.tolist() for p in patterns], "lens": lens,
                          "final": logits.argmax(-1).tolist()})
            nxt = int(logits[-1].argmax())
            tokens.append(nxt)
            if nxt == eot:
                break
    finally:
        lm.F = real_f
        for h in hooks:
            h.remove()
    maps = []
    for i, s in enumerate(steps[1:]):                  # map i: the pass whose query is generated token i
        n = n_prompt + i + 1
        labels = [tokens[:n]] + [row[:n] for row in s["lens"]]
        assert labels[-1] == s["final"][:n], "the last block's lens is the model's prediction"
        maps.append({"attention_max": s["max"], "labels": labels})
    return {"generated": tokens[n_prompt:], "maps": maps}


def eot_patch(path, sd, model, prompt, eot, at=2):
    """A new <|eot_id|> row of output.weight making greedy decoding emit <|eot_id|> as token `at` + 1:
    the least-norm row whose logit is -20 at the first `at` steps and +60 at step `at`."""
    finals = []
    hook = model.norm.register_forward_hook(lambda mod, i, o: finals.append(o[0, -1].clone()))
    tokens = list(prompt)
    try:
        for _ in range(at + 1):
            logits = model(torch.tensor([tokens]), 0)[0]
            tokens.append(int(logits[-1].argmax()))
    finally:
        hook.remove()
    N = torch.stack(finals).double()                                         # [at + 1, dim]
    target = torch.tensor([-20.0] * at + [60.0], dtype=torch.float64)
    row = (torch.linalg.pinv(N) @ target).to(torch.bfloat16)
    old = sd["output.weight"][eot].contiguous()
    data = open(path, "rb").read()
    old_bytes = old.view(torch.int16).numpy().tobytes()
    assert data.count(old_bytes) == 1, "the <|eot_id|> row's bytes are not unique in the file"
    patched = {k: v.clone() for k, v in sd.items()}
    patched["output.weight"][eot] = row
    return {"offset": data.index(old_bytes), "old": old_bytes.hex(), "new": row.view(torch.int16).numpy().tobytes().hex()}, patched


def seed_fixture(d, sd, tok):
    from llama_models.llama3.chat_format import ChatFormat
    from llama_models.datatypes import RawMessage
    import hashlib
    fmt = ChatFormat(tok)
    params = dict(PARAMS)
    model = build(params, sd, max_seq_len=128)
    eot = tok.special_tokens["<|eot_id|>"]
    import llama_models.llama3.tokenizer as lt
    model_file = os.path.join(os.path.dirname(lt.__file__), "tokenizer.model")
    out = {"tokenizer_sha256": hashlib.sha256(open(model_file, "rb").read()).hexdigest(),
           "date": SEED_DATE, "user": SEED_USER, "max_gen_len": 4, "dialogs": [], "texts": []}
    for name, messages in SEED_DIALOGS.items():
        ids = fmt.encode_dialog_prompt([RawMessage(role=r, content=c) for r, c in messages]).tokens
        out["dialogs"].append({"name": name, "messages": messages, "ids": ids})
    for text in SEED_TEXTS:
        out["texts"].append({"text": text, "ids": tok.encode(text, bos=True, eos=False, allowed_special=set())})
    prompt = out["dialogs"][0]["ids"]
    out["prompt"] = prompt
    out.update(seed_maps(model, prompt, len(prompt), out["max_gen_len"], eot))
    ids = sorted({t for m in out["maps"] for row in m["labels"] for t in row} | set(out["generated"]))
    out["token_text"] = {str(t): tok.decode([t]) for t in ids}          # each label's text, by llama-models
    patch, patched = eot_patch(os.path.join(d, "consolidated.00.pth"), sd, model, prompt, eot)
    pm = build(params, patched, max_seq_len=128)
    patch["greedy"] = greedy(pm, prompt, 6)
    assert patch["greedy"][2] == eot and eot not in patch["greedy"][:2], patch["greedy"]
    patch["greedy_stopped"] = patch["greedy"][:3]
    out["eot"] = patch
    with open(os.path.join(OUT, "meta-tiny-seed.json"), "w") as f:
        json.dump(out, f)
    print("meta-tiny-seed.json", os.path.getsize(os.path.join(OUT, "meta-tiny-seed.json")), "prompt", len(prompt),
          "generated", out["generated"], "eot greedy", patch["greedy"])


def main():
    from llama_models.llama3.tokenizer import Tokenizer
    tok = Tokenizer.get_instance()
    init_parallel()

    # meta-tiny: one shard, the real vocabulary.
    sd = random_state_dict(PARAMS, 1234)
    d = os.path.join(OUT, "meta-tiny")
    save_meta(d, PARAMS, [sd])
    model = build(PARAMS, torch.load(os.path.join(d, "consolidated.00.pth"), weights_only=True))
    d_head = PARAMS["dim"] // PARAMS["n_heads"]
    w = Writer("meta-tiny")
    toks = [tok.encode(p, bos=True, eos=False) for p in PROMPTS]
    w.meta["prompts"], w.meta["tokens"] = PROMPTS, toks
    V = PARAMS["vocab_size"]
    logits0, lens = record(model, toks[0], w, "single", d_head)
    logits1 = model(torch.tensor([toks[1]]), 0)[0].float()
    ids = subset_ids(torch.cat([logits0, logits1, lens.reshape(-1, V)]), V)
    w.meta["logit_ids"] = ids
    idx = torch.tensor(ids)
    w.add("single/logits_sub", logits0[:, idx])
    w.add("second/logits_sub", logits1[:, idx])
    w.add("single/logit_lens_sub", lens[:, :, idx])
    w.meta["argmax0"] = logits0.argmax(-1).tolist()
    w.meta["argmax1"] = logits1.argmax(-1).tolist()
    w.meta["lens_argmax"] = lens.argmax(-1).tolist()
    for i, t in enumerate(toks):
        w.meta[f"greedy{i}"] = greedy(model, t, 8)
    w.save()

    # meta-tiny-mp2: two model-parallel shards joined by llama-models' own resharding.
    from llama_models.checkpoint import maybe_reshard_state_dict
    from pathlib import Path
    sd2 = random_state_dict(PARAMS_MP2, 99)
    d2 = os.path.join(OUT, "meta-tiny-mp2")
    save_meta(d2, PARAMS_MP2, split(sd2, 2))
    merged = maybe_reshard_state_dict(sorted(Path(d2).glob("*.pth")), n_kv_heads=PARAMS_MP2["n_kv_heads"], mmap=False)
    assert all(torch.equal(merged[k], sd2[k]) for k in sd2), "llama-models' merge differs from the split source"
    model2 = build(PARAMS_MP2, merged)
    w2 = Writer("meta-tiny-mp2")
    t2 = [1, 17, 200, 3, 255, 42, 9]
    w2.meta["tokens"] = [t2]
    w2.add("single/logits", model2(torch.tensor([t2]), 0)[0].float())
    w2.meta["greedy0"] = greedy(model2, t2, 6)
    w2.save()

    seed_fixture(d, sd, tok)

    # llama3-tiny as pytorch_model.bin beside its config.json.
    from safetensors.torch import load_file
    src = os.path.join(OUT, "llama3-tiny")
    d3 = os.path.join(OUT, "llama3-tiny-bin")
    os.makedirs(d3, exist_ok=True)
    from collections import OrderedDict
    state = OrderedDict(load_file(os.path.join(src, "model.safetensors")))
    state._metadata = OrderedDict({"": {"version": 1}})   # what nn.Module.state_dict() attaches
    torch.save(state, os.path.join(d3, "pytorch_model.bin"))
    shutil.copy(os.path.join(src, "config.json"), d3)

    for p in [d, d2, d3]:
        print(p, {f: os.path.getsize(os.path.join(p, f)) for f in sorted(os.listdir(p))})


if __name__ == "__main__":
    if sys.argv[1:] == ["seed"]:   # only meta-tiny-seed.json, from the committed meta-tiny
        from llama_models.llama3.tokenizer import Tokenizer
        init_parallel()
        d = os.path.join(OUT, "meta-tiny")
        seed_fixture(d, torch.load(os.path.join(d, "consolidated.00.pth"), weights_only=True), Tokenizer.get_instance())
    else:
        main()
