#!/usr/bin/env python3
"""Reference fixture for LLaVA-1.5 (run by hand, never in CI).

    tools/.venv/bin/python tools/gen_llava_fixtures.py            # everything
    tools/.venv/bin/python tools/gen_llava_fixtures.py --photos   # only the processor config and photo runs

Writes Tests/Fixtures/models/:
  llava-tiny/            a tiny random LlavaForConditionalGeneration (from_config) in the current
                         Hugging Face layout (model.vision_tower…, model.language_model…, lm_head),
                         F16 weights, the llama-tiny tokenizer with "<image>" added as transformers adds it,
                         and preprocessor_config.json: llava-1.5's CLIPImageProcessor settings at the
                         tower's 42 pixels (shortest edge 42, centre crop 42×42)
  llava-tiny.json/.bin   reference activations (index + little-endian float32, as gen_model_fixtures.py)
  llava-tiny-photos.json/.bin   real photos (models/photos, scripts/fetch-photos.sh) through that processor
                         (transformers' PIL backend, CLIPImageProcessorPil): "<photo>/pixel_values" [3, 42, 42]
                         and the logits of the last prompt position for each question, meta "<photo>/<choice>_greedy":
                         transformers' greedy tokens for "USER: <image>\nWhat colour is the <choice>? ASSISTANT:"

The CLIP tower: 42 px images, patch 14 (9 patches + CLS), 2 layers, quick_gelu, vision_feature_layer -2,
strategy "default". The language model: llama-tiny's shape (2 layers, GQA). pixel_values are a seeded
random tensor stored in the .bin, so the tests need no photos.
Runs: "one" (one <image>, pixel_values [1, 3, 42, 42]) and "two" (two <image>s, [2, 3, 42, 42]).
Entries "<run>/<name>": pixel_values, input_ids (meta), inputs_embeds (the merged embeddings),
vision hidden states (vision.blocks.L.hook_resid_pre/post), vision q (attn.hook_q), fc1 outputs
(mlp.hook_pre), vision patterns, hook_image_features, language resid_pre/post, patterns, logits;
meta "<run>_greedy": transformers' greedy tokens.
"""
import json, os, shutil
import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "models")
NAME = "llava-tiny"
torch.set_grad_enabled(False)

PHOTOS = ["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg"]
CHOICES = ["cat", "dog"]
PROCESSOR = {  # llava-hf/llava-1.5-7b-hf's preprocessor_config.json with the tiny tower's 42 pixels
    "crop_size": {"height": 42, "width": 42},
    "do_center_crop": True,
    "do_convert_rgb": True,
    "do_normalize": True,
    "do_rescale": True,
    "do_resize": True,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_processor_type": "CLIPImageProcessor",
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "processor_class": "LlavaProcessor",
    "resample": 3,
    "rescale_factor": 0.00392156862745098,
    "size": {"shortest_edge": 42},
}

PROMPTS = {"one": "USER: <image>\nIs this a cat or a dog? ASSISTANT:",
           "two": "USER: <image> and <image>\nSame animal? ASSISTANT:"}


class Writer:
    def __init__(self, name=NAME):
        self.name = name
        self.index, self.chunks, self.offset, self.meta = {}, [], 0, {}

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
        print(f"{self.name}: {self.offset * 4 / 1e6:.2f} MB, {len(self.index)} tensors")


def randomise(model, std):
    g = torch.Generator().manual_seed(4321)
    for name, p in model.named_parameters():
        if "norm" in name or "layrnorm" in name:
            p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g) if name.endswith("weight")
                    else 0.1 * torch.randn(p.shape, generator=g))
        elif name.endswith("bias"):
            p.copy_(0.05 * torch.randn(p.shape, generator=g))
        else:
            p.copy_(std * torch.randn(p.shape, generator=g))


def build():
    from transformers import (AutoTokenizer, CLIPVisionConfig, LlamaConfig, LlavaConfig,
                              LlavaForConditionalGeneration)
    d = os.path.join(OUT, NAME)
    shutil.rmtree(d, ignore_errors=True)
    tok = AutoTokenizer.from_pretrained(os.path.join(OUT, "llama-tiny"))
    tok.add_tokens(["<image>"], special_tokens=True)
    image_id = tok.convert_tokens_to_ids("<image>")
    vision = CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                              image_size=42, patch_size=14, projection_dim=32, hidden_act="quick_gelu",
                              layer_norm_eps=1e-5)
    text = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                       tie_word_embeddings=False, bos_token_id=0, eos_token_id=0, rms_norm_eps=1e-5,
                       rope_parameters={"rope_type": "default", "rope_theta": 10000.0})
    cfg = LlavaConfig(vision_config=vision, text_config=text, image_token_index=image_id,
                      projector_hidden_act="gelu", vision_feature_layer=-2,
                      vision_feature_select_strategy="default", tie_word_embeddings=False)
    m = LlavaForConditionalGeneration(cfg).eval()
    randomise(m, 0.15)
    for p in m.parameters():
        p.copy_(p.to(torch.float16).to(torch.float32))
    m.to(torch.float16).save_pretrained(d)
    tok.save_pretrained(d)
    m = LlavaForConditionalGeneration.from_pretrained(d, dtype=torch.float32, attn_implementation="eager").eval()
    return d, m, tok, image_id


def expand(text, tok, image_id, n_tokens):
    """LlavaProcessor's expansion: each <image> becomes n_tokens image tokens before tokenising."""
    ids = tok(text.replace("<image>", "<image>" * n_tokens), add_special_tokens=False)["input_ids"]
    return [tok.bos_token_id] + ids


def references(m, tok, image_id):
    w = Writer()
    vc = m.config.vision_config
    n_patch = (vc.image_size // vc.patch_size) ** 2
    g = torch.Generator().manual_seed(7)
    for run, prompt in PROMPTS.items():
        n_img = prompt.count("<image>")
        pv = torch.randn((n_img, 3, vc.image_size, vc.image_size), generator=g)
        ids = expand(prompt, tok, image_id, n_patch)
        assert ids.count(image_id) == n_img * n_patch
        w.meta[f"{run}_input_ids"] = ids
        w.add(f"{run}/pixel_values", pv)
        captured = {}

        def keep(name):
            def f(_mod, _inp, out):
                captured[name] = out
            return f
        handles = []
        for l, layer in enumerate(m.model.vision_tower.encoder.layers):
            handles.append(layer.self_attn.q_proj.register_forward_hook(keep(f"vision.blocks.{l}.attn.hook_q")))
            handles.append(layer.mlp.fc1.register_forward_hook(keep(f"vision.blocks.{l}.mlp.hook_pre")))
        handles.append(m.model.multi_modal_projector.register_forward_hook(keep("hook_image_features")))
        handles.append(m.model.language_model.register_forward_pre_hook(
            lambda _mod, _a, kw: captured.__setitem__("inputs_embeds", kw["inputs_embeds"]), with_kwargs=True))
        input_ids = torch.tensor([ids])
        out = m(input_ids=input_ids, pixel_values=pv, output_hidden_states=True, output_attentions=True)
        vout = m.model.vision_tower(pv, output_hidden_states=True, output_attentions=True)
        for h in handles:
            h.remove()
        H, dH = vc.num_attention_heads, vc.hidden_size // vc.num_attention_heads
        for l in range(vc.num_hidden_layers):
            w.add(f"{run}/vision.blocks.{l}.hook_resid_pre", vout.hidden_states[l])
            w.add(f"{run}/vision.blocks.{l}.hook_resid_post", vout.hidden_states[l + 1])
            w.add(f"{run}/vision.blocks.{l}.attn.hook_pattern", vout.attentions[l])
            q = captured[f"vision.blocks.{l}.attn.hook_q"]
            w.add(f"{run}/vision.blocks.{l}.attn.hook_q", q.reshape(q.shape[0], q.shape[1], H, dH))
            w.add(f"{run}/vision.blocks.{l}.mlp.hook_pre", captured[f"vision.blocks.{l}.mlp.hook_pre"])
        w.add(f"{run}/hook_image_features", captured["hook_image_features"])
        w.add(f"{run}/inputs_embeds", captured["inputs_embeds"][0])
        nL = m.config.text_config.num_hidden_layers
        for l in range(nL):
            w.add(f"{run}/blocks.{l}.hook_resid_pre", out.hidden_states[l][0])
            w.add(f"{run}/blocks.{l}.attn.hook_pattern", out.attentions[l][0])
        w.add(f"{run}/logits", out.logits[0])
        gen = m.generate(input_ids=input_ids, pixel_values=pv, max_new_tokens=8, do_sample=False,
                         attention_mask=torch.ones_like(input_ids), eos_token_id=None, pad_token_id=0)
        w.meta[f"{run}_greedy"] = gen[0, len(ids):].tolist()
        print(run, "greedy", w.meta[f"{run}_greedy"])
    w.meta["image_token_index"] = image_id
    w.meta["patches"] = n_patch
    w.save()


def write_processor(d):
    with open(os.path.join(d, "preprocessor_config.json"), "w") as f:
        json.dump(PROCESSOR, f, indent=2, sort_keys=True)
        f.write("\n")


def photo_references(d):
    """Real photos through the folder's processor config, and transformers' answers about them."""
    from PIL import Image
    from transformers import AutoTokenizer, LlavaForConditionalGeneration
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil
    m = LlavaForConditionalGeneration.from_pretrained(d, dtype=torch.float32, attn_implementation="eager").eval()
    tok = AutoTokenizer.from_pretrained(d)
    image_id = m.config.image_token_index
    vc = m.config.vision_config
    n_patch = (vc.image_size // vc.patch_size) ** 2
    with open(os.path.join(d, "preprocessor_config.json")) as f:
        settings = json.load(f)
    processor = CLIPImageProcessorPil(**{k: v for k, v in settings.items()
                                        if k not in ("image_processor_type", "processor_class")})
    w = Writer(NAME + "-photos")
    for photo in PHOTOS:
        im = Image.open(os.path.join(ROOT, "models", "photos", photo))
        pv = torch.from_numpy(processor(images=im, return_tensors="np")["pixel_values"])  # [1, 3, 42, 42]
        w.add(f"{photo}/pixel_values", pv[0])
        for choice in CHOICES:
            ids = expand(f"USER: <image>\nWhat colour is the {choice}? ASSISTANT:", tok, image_id, n_patch)
            input_ids = torch.tensor([ids])
            w.add(f"{photo}/{choice}_logits", m(input_ids=input_ids, pixel_values=pv).logits[0, -1])
            gen = m.generate(input_ids=input_ids, pixel_values=pv, max_new_tokens=4, do_sample=False,
                             attention_mask=torch.ones_like(input_ids), eos_token_id=None, pad_token_id=0)
            w.meta[f"{photo}/{choice}_greedy"] = gen[0, len(ids):].tolist()
            w.meta[f"{photo}/{choice}_input_ids"] = ids
            print(photo, choice, "greedy", w.meta[f"{photo}/{choice}_greedy"])
    w.save()


def main():
    import sys
    d = os.path.join(OUT, NAME)
    if "--photos" not in sys.argv[1:]:
        d, m, tok, image_id = build()
        references(m, tok, image_id)
    write_processor(d)
    photo_references(d)
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    print(f"{d}: {size / 1e3:.0f} kB:", sorted(os.listdir(d)))


if __name__ == "__main__":
    main()
