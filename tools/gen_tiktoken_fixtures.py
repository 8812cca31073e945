#!/usr/bin/env python3
"""Generate Tests/Fixtures/tokenizers/tiktoken_llama3.json: what Meta's Llama 3 tokenizer gives.

Run by hand (never in CI), from the repository root, with no network beyond set-up:

    scripts/fetch-llama3-tokenizer.sh                  # models/llama3/tokenizer.model
    tools/.venv/bin/pip install tiktoken llama-models==0.3.0 --no-deps
    tools/.venv/bin/python tools/gen_tiktoken_fixtures.py

The reference is `llama_models.llama3.tokenizer.Tokenizer` (tiktoken underneath) built from
models/llama3/tokenizer.model, the same file the Swift tests read. For every string of
corpus.json (the tokenizer corpus shared with the Hugging Face fixtures) and the Llama 3 strings
below it records:
  ids            encode(text, bos=True, eos=False, allowed_special="all")
  (with bos=False Meta gives the same ids without the first; the generator checks that)
  decoded        decode(ids)
  token_strings  decode([id]) for each id (what TransformerLens' to_str_tokens shows)
Strings given as {"repeat": s, "count": n} stand for s * n (long runs, where Meta cuts the text
before tiktoken sees it). For every other string it checks that plain tiktoken
(`Encoding.encode(text, allowed_special="all")`) gives the same ids; for the long runs, where the two
differ, it records tiktoken's ids too (`tiktoken_ids`).
`chunks` records Meta's cuts (piece lengths) of a few long texts, to check Loupe's TextChunker.

It also writes tiktoken_tiny.model (the 256 bytes and a few dozen merges chosen so that tokens can be
made in several ways, with equal ranks side by side, and one token no merge reaches) and
tiktoken_tiny.json, the ids Meta's Tokenizer gives with it: a test that needs no download; and
tiktoken_llama_tiny/, a random one-layer Llama (transformers, BF16, vocabulary 537) whose tokenizer is
that tiktoken file, so scripts can call to_tokens / to_str_tokens / to_string on a tiktoken model.
"""
import hashlib
import json
import os

import tiktoken
from llama_models.llama3.tokenizer import (MAX_NO_WHITESPACES_CHARS, TIKTOKEN_MAX_ENCODE_CHARS,
                                           Tokenizer)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")
MODEL = os.path.join(ROOT, "models", "llama3", "tokenizer.model")

# Strings aimed at Llama 3's regex, digits, special tokens and rank-based merging.
LLAMA3_STRINGS = [
    "This is a test sentence.",
    "1 12 123 1234 12345 123456 1234567 12345678901234567890",
    "３４５ fullwidth, ٣٤٥٦ Arabic-Indic, ४५६७ Devanagari, Ⅻ ½ ²³",
    "$1,234.56 and 3.14159e-10 and 0xDEADBEEF and v1.2.3",
    "I'm you're he's we'll they'd I've don't",
    "I'M YOU'RE HE'S WE'LL THEY'D I'VE DON'T 'Re 'lL",
    "it’s curly ’s and ‘quoted’ and it'ſ long s",
    "'s's's ''' 'x 'll'll",
    "a\tb\t\tc\t\t\t\td",
    "\n\n\n\nfour newlines then text\n",
    "  \n  \n\t\n  mixed blank lines  \n",
    "x \r\n y \r\r\n z",
    "end with spaces    ",
    "                ",
    "\u3000\u3000ideographic spaces\u3000and\u00a0nbsp\u2009thin",
    "\u001c\u001d\u001e\u001f file separators and \u0085 NEL",
    "!!!!!!!!!!???????...........;;;;;;",
    "--> => <= != == === !== ... ?? ?. ::",
    "(((nested))) [[[brackets]]] {{{braces}}}",
    "snake_case_name __dunder__ camelCaseName PascalCase",
    "def f(x):\n    return x ** 2  # square\n\nprint(f(3))\n",
    "<|begin_of_text|>Hello<|eot_id|>",
    "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
    "<|start_header_id|>assistant<|end_header_id|>\n\n",
    "<|python_tag|>print('hi')<|eom_id|>",
    "<|reserved_special_token_0|><|reserved_special_token_245|><|reserved_special_token_246|>",
    "<|finetune_right_pad_id|><|step_id|><|image|><|end_of_text|>",
    "not special: <|eot_id <|EOT_ID|> < |eot_id|> <|eot_id |>",
    " <|eot_id|> spaced <|eot_id|>\n",
    "Zalgo: Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "NFD: cafe\u0301 nai\u0308ve, NFC: café naïve",
    "Hangul jamo: \u1100\u1161\u11a8 vs 각",
    "Devanagari: क्षत्रिय नमस्ते",
    "emoji: 👩🏽‍💻 🏳️‍🌈 1️⃣ 🫠 🧑‍🤝‍🧑",
    "中文分词测试，日本語の文章、한국어 문장",
    "Ελληνικά και Русский и العربية و עברית",
    "mixed中English混合text",
    "Unicode 16 letters: \u1c89\ua7cb\U00010d4a and Unicode 15: \U0001e030",
    "https://example.com/a/b?c=1&d=two#frag",
    "user@example.org, +1 (555) 010-9999",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "ŉ ǅ ǈ ǋ ǲ titlecase and ﬁ ﬂ ligatures",
    "\x00\x01\x07\x08 control \x7f",
    {"repeat": " ", "count": 30000, "suffix": "x"},
    {"repeat": " ", "count": 60000, "prefix": "x"},
]

# Texts whose Meta pieces are recorded (lengths), built as (string, count) runs.
CHUNK_TEXTS = [
    [("x", 26000), (" ", 3)] * 20,
    [("a", 20000), ("\u001c", 10000), ("b", 10000)],
    [("ab ", 140000)],
    [(" ", 50001), ("y", 1)],
]


def text_of(entry):
    if isinstance(entry, str):
        return entry
    return entry.get("prefix", "") + entry["repeat"] * entry["count"] + entry.get("suffix", "")


def meta_pieces(tok, text):
    return [len(sub)
            for i in range(0, len(text), TIKTOKEN_MAX_ENCODE_CHARS)
            for sub in tok._split_whitespaces_or_nonwhitespaces(text[i:i + TIKTOKEN_MAX_ENCODE_CHARS],
                                                                 MAX_NO_WHITESPACES_CHARS)]


# The tiny vocabulary's tokens after the 256 bytes, in rank order.
TINY_MERGES = ["aa", "aaa", "ab", "ba", "aba", "bab", "abab", "aaaa", " a", " b", " aa", "xyz", "th", "he",
               "the", " the", "12", "123", "\n\n", "  ", "'s", "é", "ca", "caf", "café"]
TINY_STRINGS = ["aaa aaaa aaaaa aaaaaaa", "ababab babab abababa", "xyz xy yz xyzxyz", "the theme  the  ",
                "123 1234 12 1", "a\n\nb\n\n\n", "it's IT'S", "café cafe\u0301", "<|begin_of_text|>aa<|eot_id|>",
                "emoji 😀", ""]


def write_tiny():
    import base64
    import pathlib
    tokens = [bytes([b]) for b in range(256)] + [m.encode("utf-8") for m in TINY_MERGES]
    path = os.path.join(OUT, "tiktoken_tiny.model")
    with open(path, "w", encoding="ascii") as f:
        for rank, token in enumerate(tokens):
            f.write(f"{base64.b64encode(token).decode('ascii')} {rank}\n")
    tok = Tokenizer(pathlib.Path(path))
    entries = []
    for text in TINY_STRINGS:
        ids = tok.encode(text, bos=True, eos=False, allowed_special="all")
        entries.append({"text": text, "ids": ids, "decoded": tok.decode(ids),
                        "token_strings": [tok.decode([i]) for i in ids]})
    with open(os.path.join(OUT, "tiktoken_tiny.json"), "w", encoding="utf-8") as f:
        json.dump({"vocab_size": tok.n_words, "entries": entries}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes) and tiktoken_tiny.json")
    write_tiny_model(path, tok)


def write_tiny_model(tokenizer_path, tok):
    import shutil
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    folder = os.path.join(OUT, "tiktoken_llama_tiny")
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=tok.n_words, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                      num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
                      tie_word_embeddings=False, bos_token_id=tok.bos_id, eos_token_id=tok.stop_tokens,
                      rms_norm_eps=1e-5, rope_parameters={"rope_type": "default", "rope_theta": 500000.0})
    LlamaForCausalLM(cfg).eval().to(torch.bfloat16).save_pretrained(folder)
    shutil.copyfile(tokenizer_path, os.path.join(folder, "tokenizer.model"))
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    print(f"wrote {folder} ({size} bytes)")


def main():
    write_tiny()
    tok = Tokenizer(__import__("pathlib").Path(MODEL))
    with open(MODEL, "rb") as f:
        model_sha = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(OUT, "corpus.json"), encoding="utf-8") as f:
        corpus = [entry["text"] for entry in json.load(f)]

    entries = []
    for source, strings in (("corpus.json", corpus), ("llama3", LLAMA3_STRINGS)):
        for index, entry in enumerate(strings):
            text = text_of(entry)
            ids = tok.encode(text, bos=True, eos=False, allowed_special="all")
            record = {"text": entry} if source == "llama3" else {"corpus_index": index}
            record.update({
                "ids": ids,
                "decoded": tok.decode(ids),
                "token_strings": [tok.decode([i]) for i in ids],
            })
            no_bos = tok.encode(text, bos=False, eos=False, allowed_special="all")
            assert no_bos == ids[1:], f"bos=False is not ids[1:] on {text!r}"
            plain = tok.model.encode(text, allowed_special="all")
            if isinstance(entry, dict):
                assert plain != no_bos, "a long run where Meta and tiktoken agree proves nothing"
                record["tiktoken_ids"] = plain
            else:
                assert plain == no_bos, f"tiktoken and Meta differ on {text!r}"
            entries.append(record)

    chunks = []
    for runs in CHUNK_TEXTS:
        text = "".join(s * n for s, n in runs)
        chunks.append({"runs": [[s, n] for s, n in runs], "pieces": meta_pieces(tok, text)})

    fixture = {
        "model_sha256": model_sha,
        "vocab_size": tok.n_words,
        "bos_id": tok.bos_id,
        "eos_id": tok.eos_id,
        "pad_id": tok.pad_id,
        "stop_ids": tok.stop_tokens,
        "special_tokens": sorted(tok.special_tokens, key=tok.special_tokens.get),
        "entries": entries,
        "chunks": chunks,
    }
    path = os.path.join(OUT, "tiktoken_llama3.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}: {len(entries)} strings, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
