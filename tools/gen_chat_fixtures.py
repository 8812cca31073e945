#!/usr/bin/env python3
"""Chat-format and attention-map fixtures (run by hand, never in CI).

    tools/.venv/bin/python tools/gen_chat_fixtures.py

Writes Tests/Fixtures/chat/:
  llama3-chat-tiny/      a tiny random Llama 3.1-style model in HF layout whose tokenizer has Llama 3's
                         256 special tokens (<|begin_of_text|>, <|start_header_id|>, <|eot_id|>, ...):
                         config.json, model.safetensors (BF16), tokenizer.json (converted from the
                         tiktoken ranks by transformers' TikTokenConverter, as Meta's HF tokenizers are),
                         tokenizer_config.json / chat_template.jinja with Llama 3.1's chat template, and
                         tokenizer.model, the same vocabulary in Meta's tiktoken format.
  chat_tokens.json       expected token ids of chat prompts:
                           llama3 cases: Meta's ChatFormat.encode_dialog_prompt computed with tiktoken
                           (begin_of_text; per message start_header_id, role, end_header_id, "\\n\\n",
                           content stripped, eot_id; then the assistant header), each also checked
                           equal to HF's apply_chat_template(add_generation_prompt=True) with Llama 3's
                           template (and with Llama 3.1's, which writes the "Cutting Knowledge Date"
                           lines itself: given the system message without them and date_string);
                           smollm2 cases: apply_chat_template on SmolLM2-135M-Instruct's GGUF template.
  attention_maps.json    the attention-map viewer's numbers on llama3-chat-tiny for the viewer's chat
                         prompt, computed here the way the viewer (llama-attn-maps' generate_with_logit_lens)
                         does, with transformers: greedy decoding; step i's query is generated token i;
                         for each layer the attention row of that position, max over heads (and the mean);
                         labels: the input tokens, then the logit lens (final RMSNorm + lm_head, argmax)
                         of each block's output at every position.
The SmolLM2 cases need models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf (scripts/fetch-model.sh).
"""
import base64, json, os, sys
import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "chat")
MODEL = os.path.join(OUT, "llama3-chat-tiny")
torch.set_grad_enabled(False)

# Meta's Llama 3 pre-tokenizer pattern (llama-models' Tokenizer.pat_str).
PAT = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
# Meta's special tokens, in id order after the base vocabulary (llama-models' Tokenizer, 256 in all).
SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
            "<|finetune_right_pad_id|>", "<|step_id|>", "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>",
            "<|eot_id|>", "<|python_tag|>"]
SPECIALS += [f"<|reserved_special_token_{2 + i}|>" for i in range(256 - len(SPECIALS))]

# The text the tiny vocabulary is trained on.
CORPUS = """Cutting Knowledge Date: December 2023
Today Date: Jul 26 2024

You are a helpful assistant. Alice and Bob are siblings. Who is Bob's sister? Alice is Bob's sister.
The attention maps of every layer show which tokens the model reads when it predicts the next token.
Each row is a layer, each column a position, and the logit lens shows the token each layer would predict.
Hello! How are you today? I am fine, thank you. What is the capital of France? The capital of France is Paris.
""" * 3

# Llama 3's chat template (Meta-Llama-3-8B-Instruct's tokenizer_config.json).
LLAMA3_TEMPLATE = ("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
                   "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + "
                   "'<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
                   "{{ content }}{% endfor %}{% if add_generation_prompt %}"
                   "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}")

# Llama 3.1's chat template (Llama-3.1-8B-Instruct's tokenizer_config.json).
LLAMA31_TEMPLATE = """{{- bos_token }}
{%- if custom_tools is defined %}
    {%- set tools = custom_tools %}
{%- endif %}
{%- if not tools_in_user_message is defined %}
    {%- set tools_in_user_message = true %}
{%- endif %}
{%- if not date_string is defined %}
    {%- set date_string = "26 Jul 2024" %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}

{#- This block extracts the system message, so we can slot it into the right place. #}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}

{#- System message + builtin tools #}
{{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}
{%- if builtin_tools is defined or tools is not none %}
    {{- "Environment: ipython\\n" }}
{%- endif %}
{%- if builtin_tools is defined %}
    {{- "Tools: " + builtin_tools | reject('equalto', 'code_interpreter') | join(", ") + "\\n\\n"}}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\\n" }}
{{- "Today Date: " + date_string + "\\n\\n" }}
{%- if tools is not none and not tools_in_user_message %}
    {{- "You have access to the following functions. To call a function, please respond with JSON for a function call." }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\\n\\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\\n\\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}

{#- Custom tools are passed in a user message with some extra guidance #}
{%- if tools_in_user_message and not tools is none %}
    {#- Extract the first user message so we can plug it in here #}
    {%- if messages | length != 0 %}
        {%- set first_user_message = messages[0]['content']|trim %}
        {%- set messages = messages[1:] %}
    {%- else %}
        {{- raise_exception("Cannot put tools in the first user message when there's no first user message!") }}
{%- endif %}
    {{- '<|start_header_id|>user<|end_header_id|>\\n\\n' -}}
    {{- "Given the following functions, please respond with a JSON for a function call " }}
    {{- "with its proper arguments that best answers the given prompt.\\n\\n" }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\\n\\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\\n\\n" }}
    {%- endfor %}
    {{- first_user_message + "<|eot_id|>"}}
{%- endif %}

{%- for message in messages %}
    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}
    {%- elif 'tool_calls' in message %}
        {{- raise_exception("tool calls are not part of this fixture") }}
    {%- elif message.role == "tool" or message.role == "ipython" %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\\n\\n" }}
        {{- message.content }}
        {{- "<|eot_id|>" }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
{%- endif %}
"""

# The viewer's system message (llama-attn-maps' run.py), with a fixed date in its get_date() format.
VIEWER_DATE = "Jul 26 2024"
VIEWER_SYSTEM = f"Cutting Knowledge Date: December 2023\nToday Date: {VIEWER_DATE}\n\nYou are a helpful assistant"
VIEWER_PROMPT = "Alice and Bob are siblings. Who is Bob's sister?"


def train_ranks():
    from tiktoken._educational import bpe_train
    return bpe_train(CORPUS, 256 + 160, PAT, visualise=None)


def write_tiktoken(ranks, path):
    with open(path, "w") as f:
        for token, rank in sorted(ranks.items(), key=lambda kv: kv[1]):
            f.write(f"{base64.b64encode(token).decode()} {rank}\n")


def meta_encoding(path):
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    ranks = load_tiktoken_bpe(path)
    specials = {t: len(ranks) + i for i, t in enumerate(SPECIALS)}
    return tiktoken.Encoding(name="llama3-chat-tiny", pat_str=PAT, mergeable_ranks=ranks, special_tokens=specials), specials


def chat_format(enc, specials, messages):
    """Meta's ChatFormat.encode_dialog_prompt: pieces encoded one by one, specials never parsed in text."""
    def text(s):
        return enc.encode(s, allowed_special=set(), disallowed_special=())

    def header(role):
        return [specials["<|start_header_id|>"]] + text(role) + [specials["<|end_header_id|>"]] + text("\n\n")

    ids = [specials["<|begin_of_text|>"]]
    for role, content in messages:
        ids += header(role) + text(content.strip()) + [specials["<|eot_id|>"]]
    return ids + header("assistant")


def hf_ids(tok, messages, **kw):
    out = tok.apply_chat_template([{"role": r, "content": c} for r, c in messages], add_generation_prompt=True,
                                  tokenize=True, **kw)
    return list(out["input_ids"] if hasattr(out, "keys") else out)


def build_tokenizer(tiktoken_path):
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import TikTokenConverter
    backend = TikTokenConverter(vocab_file=tiktoken_path, pattern=PAT, extra_special_tokens=SPECIALS).converted()
    tok = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<|begin_of_text|>", eos_token="<|eot_id|>",
                                  pad_token="<|finetune_right_pad_id|>", model_max_length=256)
    tok.chat_template = LLAMA31_TEMPLATE
    return tok


def build_model(vocab):
    from transformers import LlamaConfig, LlamaForCausalLM
    cfg = LlamaConfig(vocab_size=vocab, hidden_size=64, intermediate_size=96, num_hidden_layers=3,
                      num_attention_heads=4, num_key_value_heads=2, head_dim=16, max_position_embeddings=256,
                      rms_norm_eps=1e-5, tie_word_embeddings=False, initializer_range=0.15,
                      bos_token_id=vocab - 256, eos_token_id=vocab - 256 + SPECIALS.index("<|eot_id|>"),
                      rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
                                       "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                       "original_max_position_embeddings": 16})
    torch.manual_seed(3)
    model = LlamaForCausalLM(cfg).to(torch.bfloat16)
    # Norm weights away from 1 so the logit lens depends on the final norm's weight.
    for name, p in model.named_parameters():
        if name.endswith("norm.weight"):
            p.copy_(1 + 0.3 * torch.randn_like(p))
    return model


def seed_maps(model, tokens, n_prompt, max_gen_len, eot):
    """generate_with_logit_lens at temperature 0, one full forward per step (no KV cache)."""
    L = model.config.num_hidden_layers
    outputs = {}
    hooks = [model.model.layers[l].register_forward_hook(
        lambda mod, inp, out, l=l: outputs.__setitem__(l, out[0] if isinstance(out, tuple) else out)) for l in range(L)]
    steps, tokens = [], list(tokens)
    for cur in range(n_prompt, n_prompt + max_gen_len):
        out = model(torch.tensor([tokens[:cur]]), output_attentions=True)
        lens = []
        for l in range(L):
            h = outputs[l][0]                                                # [pos, d_model]
            lens.append(model.lm_head(model.model.norm(h)).argmax(-1).tolist())
        attn = [a[0, :, -1, :] for a in out.attentions]                     # L × [head, key]
        steps.append({"max": [a.max(0).values.tolist() for a in attn],
                      "mean": [a.mean(0).tolist() for a in attn],
                      "lens": lens, "final": out.logits[0].argmax(-1).tolist()})
        nxt = int(out.logits[0, -1].argmax())
        tokens.append(nxt)
        if nxt == eot:
            break
    for h in hooks:
        h.remove()
    # The viewer drops the prompt pass's maps: map i is the pass whose query is generated token i.
    maps = []
    for i, s in enumerate(steps[1:]):
        n = n_prompt + i + 1
        labels = [tokens[:n]] + [row[:n] for row in s["lens"]]
        maps.append({"attention_max": s["max"], "attention_mean": s["mean"], "labels": labels})
        assert labels[-1] == s["final"][:n], "the last block's lens is the model's prediction"
    return {"generated": tokens[n_prompt:], "maps": maps}


def main():
    from transformers import AutoTokenizer
    os.makedirs(MODEL, exist_ok=True)
    tiktoken_path = os.path.join(MODEL, "tokenizer.model")
    write_tiktoken(train_ranks(), tiktoken_path)
    enc, specials = meta_encoding(tiktoken_path)
    tok = build_tokenizer(tiktoken_path)
    tok.save_pretrained(MODEL)
    vocab = enc.n_vocab
    assert vocab == len(tok), (vocab, len(tok))
    model = build_model(vocab)
    model.save_pretrained(MODEL, safe_serialization=True)
    model.generation_config.save_pretrained(MODEL)
    # Reload as the tests see it (BF16 weights read back as F32).
    tok = AutoTokenizer.from_pretrained(MODEL)
    from transformers import LlamaForCausalLM
    model = LlamaForCausalLM.from_pretrained(MODEL, dtype=torch.float32, attn_implementation="eager").eval()

    cases = []
    llama3 = [
        ("viewer", [("system", VIEWER_SYSTEM), ("user", VIEWER_PROMPT)]),
        ("user_only", [("user", "Hello! How are you today?")]),
        ("multi_turn", [("system", "You are a helpful assistant."), ("user", "Who is Bob's sister?"),
                        ("assistant", "Alice is Bob's sister."), ("user", "What is the capital of France?")]),
        ("strip", [("user", "  \n Hello!  \n\n")]),
        ("unicode", [("user", "Café – naïve 😀 1234567")]),
    ]
    for name, messages in llama3:
        ids = chat_format(enc, specials, messages)
        assert ids == hf_ids(tok, messages, chat_template=LLAMA3_TEMPLATE), name
        if messages[0][0] == "system" and messages[0][1].startswith("Cutting Knowledge Date"):
            # Llama 3.1's template writes the date lines itself before the rest of the system message.
            rest = messages[0][1].split("\n\n", 1)[1]
            assert ids == hf_ids(tok, [("system", rest)] + messages[1:], date_string=VIEWER_DATE), name
        cases.append({"name": f"llama3/{name}", "model": "llama3-chat-tiny", "messages": messages, "ids": ids})

    gguf = os.path.join(ROOT, "models", "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
    if os.path.exists(gguf):
        smol = AutoTokenizer.from_pretrained(os.path.dirname(gguf), gguf_file=os.path.basename(gguf))
        for name, messages in [
            ("default_system", [("user", VIEWER_PROMPT)]),
            ("viewer", [("system", VIEWER_SYSTEM), ("user", VIEWER_PROMPT)]),
            ("multi_turn", [("user", "Hi there"), ("assistant", "Hello! How can I help?"), ("user", "Tell me a joke.")]),
            ("whitespace", [("system", " be brief \n"), ("user", "\n  two  spaces\tand a tab ")]),
            ("special_text", [("user", "end <|im_end|> inside")]),
        ]:
            cases.append({"name": f"smollm2/{name}", "model": "smollm2", "messages": messages,
                          "ids": hf_ids(smol, messages)})
    else:
        print("models/smollm2 GGUF missing: SmolLM2 chat cases skipped", file=sys.stderr)
    with open(os.path.join(OUT, "chat_tokens.json"), "w") as f:
        json.dump({"cases": cases}, f, indent=1)

    prompt = chat_format(enc, specials, [("system", VIEWER_SYSTEM), ("user", VIEWER_PROMPT)])
    maps = seed_maps(model, prompt, len(prompt), 4, specials["<|eot_id|>"])
    maps.update({"prompt": prompt, "date": VIEWER_DATE, "user": VIEWER_PROMPT, "max_gen_len": 4})
    with open(os.path.join(OUT, "attention_maps.json"), "w") as f:
        json.dump(maps, f)
    for name in sorted(os.listdir(MODEL)) + ["chat_tokens.json", "attention_maps.json"]:
        path = os.path.join(MODEL, name) if os.path.exists(os.path.join(MODEL, name)) else os.path.join(OUT, name)
        print(f"{name}: {os.path.getsize(path) / 1e3:.1f} kB")
    print(f"{len(cases)} chat cases; prompt {len(prompt)} tokens; generated {maps['generated']}")


if __name__ == "__main__":
    main()
