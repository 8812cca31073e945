"""Runs llama.cpp's convert_hf_to_gguf.py (from the llama-cpp-python sdist, with its own gguf-py on
PYTHONPATH) on a random-weight model from make_random_model.py. Those models carry a small byte-level
tokenizer whose pre-tokenizer hash is not in the converter's table; it is declared "gpt-2" (the same
byte-level BPE), which changes the tokenizer metadata only, never the weights that are measured.

Usage: PYTHONPATH=SRC/gguf-py gguf_convert.py SRC MODEL_DIR OUTTYPE OUT.gguf    (llamacpp.sh gguf calls it)
"""
import sys

src, model, outtype, out = sys.argv[1:5]
sys.path.insert(0, src)
import convert_hf_to_gguf  # noqa: E402
from conversion.base import TextModel  # noqa: E402

TextModel.get_vocab_base_pre = lambda self, tokenizer: "gpt-2"
sys.argv = ["convert_hf_to_gguf.py", model, "--outtype", outtype, "--outfile", out]
convert_hf_to_gguf.main()
