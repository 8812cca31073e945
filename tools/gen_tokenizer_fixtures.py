#!/usr/bin/env python3
"""Generate the tokenizer fixtures in Tests/Fixtures/tokenizers/.

Run by hand (never in CI), from the repository root, with no network:

    python3 -m venv tools/.venv && tools/.venv/bin/pip install tokenizers transformers gguf sentencepiece
    tools/.venv/bin/python tools/gen_tokenizer_fixtures.py      # or /work/venv/bin/python

What it writes:
  corpus.json          the awkward strings (some built from invalid UTF-8 bytes, decoded lossily as
                       Hugging Face sees them; their raw bytes are kept as hex for the Swift test)
  <style>.json         small tokenizer.json files trained here with `tokenizers` on a small corpus:
                       gpt2 (ByteLevel), gpt2_prefix (ByteLevel add_prefix_space, "a b" merges), llama3
                       (Split regex, template BOS, ignore_merges), qwen2 (Split regex, NFC), smollm (Digits +
                       ByteLevel), digits_contiguous, spm (SentencePiece-style BPE with Prepend/Replace
                       normaliser and byte fallback), spm_metaspace, spm_metaspace_split (Metaspace)
  gpt2_vocab.json, gpt2_merges.txt   the gpt2 model as GPT-2 style files
  tiny_{gpt2,llama3,qwen2,spm}.gguf   small GGUF files holding tokenizer metadata (pre smollm, llama-bpe
                       with add_bos_token, qwen2; llama with scores and no merges)
  bad_*.gguf           broken GGUF tokenizers for the error tests
  expected.json        for every tokenizer: ids of every corpus string with and without special tokens,
                       the decoded string, and per-token strings (what TransformerLens' to_str_tokens shows)
The byte-level files come out identical on every run; the SentencePiece-style training breaks ties
differently from run to run, so spm*.json, tiny_spm.gguf and their expectations change when regenerated.
The real SmolLM2 tokenizer (built by transformers from models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf)
is not copied; only its expected ids are stored, under "smollm2_gguf".
"""
import json
import os
import sys
import tempfile

import gguf
import numpy as np
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import AutoTokenizer, GPT2Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")
GGUF_MODEL = os.path.join(ROOT, "models", "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")

GPT2_REGEX = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
LLAMA3_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
                r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_REGEX = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"""
               r"""| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""")

# ---------------------------------------------------------------------------------------------------
# The corpus of awkward strings.
INVALID_UTF8 = [
    b"caf\xe9 au lait",            # Latin-1 byte
    b"\xff\xfe broken BOM",
    b"half \xe2\x82 euro",          # truncated 3-byte sequence
    b"\xed\xa0\x80 lone surrogate",  # UTF-8 encoded surrogate D800
    b"overlong \xc0\xaf slash",
    b"tail \xf0\x9f\x98",           # truncated emoji at the end
]

CORPUS = [
    "Hello world",
    "Hello, world! How are you today?",
    " leading space",
    "  two leading spaces",
    "trailing space ",
    "trailing spaces   ",
    "",
    " ",
    "   ",
    "\n",
    "\n\n\n",
    "line one\nline two\r\nline three\rend",
    "tabs\tand\t\tmore\ttabs",
    "mixed \t \n  whitespace \n\t runs",
    "    indented code\n        deeper\n",
    "don't I'LL we've they'RE she'd it's O'Neil 'quoted' ''",
    "DON'T WON'T Y'ALL rock'n'roll",
    "long \u017f: it'\u017f",
    "café naïve résumé coöperate façade",
    "Ångström ÅÄÖ åäö ß ẞ ﬁ ligature",
    "e\u0301 combining acute, a\u0308 combining diaeresis",
    # Canonically equivalent spellings (equal as Swift Strings, different to HF) in one string.
    "caf\u00e9 cafe\u0301 caf\u00e9 cafe\u0301 \u00c5 \u212b A\u030a \u00c5",
    "中文测试：你好，世界！",
    "日本語のテキストとカタカナ、ひらがな。",
    "한국어 텍스트입니다",
    "Привет, мир! Ёлка",
    "Γειά σου Κόσμε",
    "مرحبا بالعالم",
    "שלום עולם",
    "हिन्दी भाषा",
    "ภาษาไทย",
    "emoji 😀😃😄 and 👍🏽 thumbs",
    "family 👨\u200d👩\u200d👧\u200d👦 zwj and flag 🇫🇷🇩🇪",
    "heart ❤️ with variation selector",
    "zero\u200bwidth\u200bspace and nbsp\u00a0here and\u3000ideographic",
    "numbers 0 1 12 123 1234 12345 123456789",
    "3.14159 2,718 1e-10 -42 +7 0x1F 1_000_000",
    "phone: (555) 123-4567, date 2024-01-31",
    "superscripts ² ³ ½ ¼ Ⅻ ٣٤٥ ४५६ ①②",
    "def foo(x, y=2):\n    return x**2 + y  # comment\n",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    "<div class=\"x\">&amp;</div>",
    "https://example.com/path?query=1&b=2#frag",
    "a@b.com, user_name, CamelCaseWord, snake_case_word",
    "!!!???...,,,;;;:::---___===+++",
    "\"quotes\" 'single' `back` «guillemets» „low“",
    "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n",
    "text<|endoftext|>more text",
    "<|endoftext|><|endoftext|>",
    "not special: <|im_start and |im_end|>",
    "a [MASK] b   [MASK]c",
    "a <sep>  b<sep>\tc <sep>",
    "word wordy sword word_x x_word 1word word1 éword wordé (word) word",
    "plain <think>reasoning</think> answer",
    "special at end <|im_end|>",
    " <|im_start|> spaced",
    "The quick brown fox jumps over the lazy dog.",
    "ALL CAPS SENTENCE WITH NUMBERS 2024",
    "Supercalifragilisticexpialidocious",
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "a" * 1000,
    "ab" * 300,
    "z" * 50 + " " + "9" * 50,
    " " * 40 + "x",
    "word " * 60,
    "\u2581already metaspace \u2581\u2581 marks",
    "ĠĊ byte-level lookalikes Ġhello",
    "<0x41> literal byte token text",
    "\x00\x01\x02 control chars \x7f",
    "\u00ad soft hyphen and \u2028 line separator \u2029 para",
]
CORPUS += [b.decode("utf-8", errors="replace") for b in INVALID_UTF8]

# Random strings over an alphabet of the characters the pre-tokenizer regexes treat differently
# (fixed seed, so the file is reproducible). Appended after the hand-written strings.
FUZZ_ALPHABET = (list("aZé'sStTlLdDmrRevV019 ") + [" ", " ", "  ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000",
                 "\u2581", "\u0301", "\u017f", "中", "文", "😀", "\u200d", "²", "½", "٣", "!", "?", ".", ",", "-", "_",
                 "(", ")", "<", ">", "|", "\x0b", "\x85", "Ġ", "<|im_start|>", "<|endoftext|>", "[MASK]", "<think>",
                 "don't", "I'LL", "the", " the", "ing", "12345"])


def fuzz_strings(count=160, seed=1234):
    import random
    rng = random.Random(seed)
    return ["".join(rng.choice(FUZZ_ALPHABET) for _ in range(rng.randint(1, 24))) for _ in range(count)]


N_HANDWRITTEN = len(CORPUS)
CORPUS += fuzz_strings()

# A small training text: the corpus plus some English, code and other scripts.
TRAIN_TEXT = [
    "The quick brown fox jumps over the lazy dog. The dog was not amused, and the fox ran away.",
    "In the beginning there was text, and the text was tokenized into tokens of various lengths.",
    "Transformers process sequences of tokens. Each token is embedded, attended to, and projected.",
    "Interpretability research looks inside models: attention heads, residual streams, and neurons.",
    "def tokenize(text):\n    return [token for token in text.split() if token]\n",
    "for i in range(10):\n    print(i, i * i)\n",
    "It's a truth universally acknowledged that they'll want what we've got, and I'd agree.",
    "Numbers like 2023, 1999, 42 and 3.14 appear in text; so do dates like 2024-01-31.",
    "café naïve résumé Ångström ÅÄÖ åäö straße",
    "中文测试你好世界日本語のテキストひらがなカタカナ한국어",
    "Привет мир Γειά σου Κόσμε مرحبا بالعالم שלום עולם",
    "emoji 😀😃😄👍🏽❤️🇫🇷",
] * 20 + CORPUS

SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def add_extra_tokens(tok):
    tok.add_special_tokens([AddedToken("[MASK]", lstrip=True, rstrip=False, special=True, normalized=False)])
    tok.add_tokens([AddedToken("<think>", special=False, normalized=False),
                    AddedToken("</think>", special=False, normalized=False),
                    AddedToken("<sep>", rstrip=True, special=False, normalized=False),
                    AddedToken("word", single_word=True, special=False, normalized=False)])


def train_byte_level(pre_tokenizer, vocab_size=1000):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizer
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(TRAIN_TEXT, trainer)
    return tok


def build_tokenizers():
    toks = {}
    # GPT-2: ByteLevel with its own regex, no BOS.
    gpt2 = train_byte_level(pre_tokenizers.ByteLevel(add_prefix_space=False))
    gpt2.post_processor = processors.ByteLevel(trim_offsets=False)
    add_extra_tokens(gpt2)
    toks["gpt2"] = gpt2

    prefix = Tokenizer.from_str(gpt2.to_str())
    prefix.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    toks["gpt2_prefix"] = prefix

    # Llama 3: Split(regex) + ByteLevel(use_regex=False), BOS added by a template, merges kept as pairs,
    # ignore_merges as Llama 3 has it.
    llama3 = train_byte_level(pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)]))
    add_extra_tokens(llama3)
    llama3.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|im_start|> $A", pair="<|im_start|> $A <|im_start|> $B:1",
                                      special_tokens=[("<|im_start|>", llama3.token_to_id("<|im_start|>"))])])
    d = json.loads(llama3.to_str())
    d["model"]["ignore_merges"] = True
    toks["llama3"] = Tokenizer.from_str(json.dumps(d))

    qwen2 = train_byte_level(pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)]))
    qwen2.normalizer = normalizers.NFC()
    add_extra_tokens(qwen2)
    toks["qwen2"] = qwen2

    smollm = train_byte_level(pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)]))
    add_extra_tokens(smollm)
    toks["smollm"] = smollm

    # SentencePiece-style BPE (Llama 2 / LLaVA-1.5): trained on Metaspace words, saved with the
    # Prepend+Replace normaliser of Llama 2's tokenizer.json, byte fallback and fused <unk>.
    byte_tokens = [f"<0x{b:02X}>" for b in range(256)]
    spm = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    spm.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    trainer = trainers.BpeTrainer(vocab_size=1200, special_tokens=["<unk>", "<s>", "</s>"] + byte_tokens,
                                  limit_alphabet=150, show_progress=False)
    spm.train_from_iterator(TRAIN_TEXT, trainer)
    spm.pre_tokenizer = None
    spm.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    spm.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    spm.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B",
                                                       special_tokens=[("<s>", 1)])
    spm.add_special_tokens([AddedToken("<|im_start|>", special=True, normalized=False)])
    # A normalised added token: matched after the normaliser ran, against its own normalised content.
    spm.add_tokens([AddedToken("<think>", special=False, normalized=True)])
    toks["spm"] = spm

    meta = Tokenizer.from_str(spm.to_str())
    meta.normalizer = None
    meta.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first", split=False)
    meta.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="first", split=False)
    toks["spm_metaspace"] = meta

    # Older conversions: Metaspace that splits into words and always prepends.
    split = Tokenizer.from_str(meta.to_str())
    split.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    split.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    toks["spm_metaspace_split"] = split

    # Digits kept together (individual_digits=False) in front of the byte-level regex.
    digits = Tokenizer.from_str(smollm.to_str())
    digits.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)])
    toks["digits_contiguous"] = digits
    return toks


def expectations(encode, decode):
    out = []
    for text in CORPUS:
        ids = encode(text, True)
        out.append({
            "ids": ids,
            "ids_no_special": encode(text, False),
            "decoded": decode(ids),
            "token_strings": [decode([i]) for i in ids],
        })
    return out


def hf_expectations(tok):
    return expectations(lambda t, s: tok.encode(t, add_special_tokens=s).ids,
                        lambda ids: tok.decode(ids, skip_special_tokens=False))


def transformers_expectations(tok):
    return expectations(lambda t, s: tok(t, add_special_tokens=s)["input_ids"],
                        lambda ids: tok.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False))


def write_gguf(path, arch, model, tokens, token_types, merges=None, scores=None, pre=None,
               bos=None, eos=None, unk=None, pad=None, add_bos=None, add_space_prefix=None):
    w = gguf.GGUFWriter(path, arch)
    w.add_tokenizer_model(model)
    if pre is not None:
        w.add_tokenizer_pre(pre)
    w.add_token_list(tokens)
    w.add_token_types(token_types)
    if scores is not None:
        w.add_token_scores(scores)
    if merges is not None:
        w.add_token_merges(merges)
    for fn, v in ((w.add_bos_token_id, bos), (w.add_eos_token_id, eos), (w.add_unk_token_id, unk),
                  (w.add_pad_token_id, pad), (w.add_add_bos_token, add_bos), (w.add_add_space_prefix, add_space_prefix)):
        if v is not None:
            fn(v)
    w.add_context_length(64)
    w.add_embedding_length(8)
    w.add_block_count(1)
    w.add_feed_forward_length(16)
    w.add_head_count(2)
    w.add_head_count_kv(2)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_tensor("token_embd.weight", np.zeros((len(tokens), 8), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def byte_level_gguf(tok, path, pre, add_bos=False):
    vocab = tok.get_vocab(with_added_tokens=True)
    tokens = [None] * len(vocab)
    for t, i in vocab.items():
        tokens[i] = t
    added = {a.content: a for a in tok.get_added_tokens_decoder().values()}
    types = [3 if t in added and added[t].special else (4 if t in added else 1) for t in tokens]
    merges = [" ".join(m) if isinstance(m, (list, tuple)) else m for m in json.loads(tok.to_str())["model"]["merges"]]
    write_gguf(path, "llama", "gpt2", tokens, types, merges=merges, pre=pre, bos=1, eos=2, pad=0, add_bos=add_bos)


def spm_gguf(tok, path):
    vocab = tok.get_vocab(with_added_tokens=True)
    tokens = [None] * len(vocab)
    for t, i in vocab.items():
        tokens[i] = t
    # token_type: 2 unknown, 3 control, 6 byte, 1 normal; scores: later tokens score lower, as in SentencePiece.
    types = []
    for i, t in enumerate(tokens):
        if t == "<unk>":
            types.append(2)
        elif t in ("<s>", "</s>", "<|im_start|>"):
            types.append(3)
        elif t.startswith("<0x") and len(t) == 6:
            types.append(6)
        else:
            types.append(1)
    scores = [0.0 if types[i] != 1 else -float(i) for i in range(len(tokens))]
    write_gguf(path, "llama", "llama", tokens, types, scores=scores, bos=1, eos=2, unk=0, add_space_prefix=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    corpus_entries = [{"text": t} for t in CORPUS]
    n_plain = N_HANDWRITTEN - len(INVALID_UTF8)
    for k, b in enumerate(INVALID_UTF8):
        corpus_entries[n_plain + k]["bytes_hex"] = b.hex()
    with open(os.path.join(OUT, "corpus.json"), "w", encoding="utf-8") as f:
        json.dump(corpus_entries, f, ensure_ascii=False, indent=0)

    expected = {}
    toks = build_tokenizers()
    for name, tok in toks.items():
        tok.save(os.path.join(OUT, f"{name}.json"))
        if name == "gpt2_prefix":  # the older "a b" string form of merges, as GPT-2's own tokenizer.json has it
            with open(os.path.join(OUT, f"{name}.json"), encoding="utf-8") as f:
                d = json.load(f)
            d["model"]["merges"] = [" ".join(m) for m in d["model"]["merges"]]
            with open(os.path.join(OUT, f"{name}.json"), "w", encoding="utf-8") as f:
                json.dump(d, f, ensure_ascii=False, indent=2)
        expected[name] = hf_expectations(Tokenizer.from_file(os.path.join(OUT, f"{name}.json")))
        print(name, tok.get_vocab_size(), file=sys.stderr)

    # GPT-2 style vocab.json + merges.txt, as transformers' GPT2Tokenizer reads them.
    with tempfile.TemporaryDirectory() as tmp:
        toks["gpt2"].model.save(tmp)
        os.replace(os.path.join(tmp, "vocab.json"), os.path.join(OUT, "gpt2_vocab.json"))
        os.replace(os.path.join(tmp, "merges.txt"), os.path.join(OUT, "gpt2_merges.txt"))
    vm = GPT2Tokenizer(vocab=os.path.join(OUT, "gpt2_vocab.json"), merges=os.path.join(OUT, "gpt2_merges.txt"))
    expected["gpt2_files"] = transformers_expectations(vm)

    # Small GGUF files, read back by transformers the way it reads any GGUF.
    byte_level_gguf(toks["gpt2"], os.path.join(OUT, "tiny_gpt2.gguf"), "smollm")
    byte_level_gguf(toks["llama3"], os.path.join(OUT, "tiny_llama3.gguf"), "llama-bpe", add_bos=True)
    byte_level_gguf(toks["qwen2"], os.path.join(OUT, "tiny_qwen2.gguf"), "qwen2")
    spm_gguf(toks["spm"], os.path.join(OUT, "tiny_spm.gguf"))
    for name in ("tiny_gpt2", "tiny_llama3", "tiny_qwen2", "tiny_spm"):
        t = AutoTokenizer.from_pretrained(OUT, gguf_file=f"{name}.gguf")
        expected[name + "_gguf"] = transformers_expectations(t)
        print(name, type(t).__name__, t.add_bos_token if hasattr(t, "add_bos_token") else "-", file=sys.stderr)

    # Broken GGUF tokenizers for the error tests (metadata only).
    tokens = ["<unk>", "a", "b", "ab"]
    broken = {
        "bad_no_model.gguf": {},
        "bad_bos_id.gguf": {"model": "gpt2", "merges": ["a b"], "bos": 99},
        "bad_token_types.gguf": {"model": "gpt2", "merges": ["a b"], "types": [1, 1]},
        "bad_merge.gguf": {"model": "gpt2", "merges": ["a c"]},
        "bad_model.gguf": {"model": "bert"},
    }
    for name, spec in broken.items():
        w = gguf.GGUFWriter(os.path.join(OUT, name), "llama")
        if "model" in spec:
            w.add_tokenizer_model(spec["model"])
        w.add_token_list(tokens)
        w.add_token_types(spec.get("types", [1] * len(tokens)))
        if "merges" in spec:
            w.add_token_merges(spec["merges"])
        if "bos" in spec:
            w.add_uint32("tokenizer.ggml.bos_token_id", spec["bos"])
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()

    # The real SmolLM2 tokenizer as transformers builds it from the GGUF.
    if os.path.exists(GGUF_MODEL):
        t = AutoTokenizer.from_pretrained(os.path.dirname(GGUF_MODEL), gguf_file=os.path.basename(GGUF_MODEL))
        expected["smollm2_gguf"] = transformers_expectations(t)
    else:
        print("warning: no SmolLM2 GGUF at", GGUF_MODEL, "- its expectations are not regenerated", file=sys.stderr)

    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    main()
