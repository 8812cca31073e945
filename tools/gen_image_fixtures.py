"""Reference values for LoupeImage, from Pillow and transformers (run by hand from tools/.venv, never in CI):

    tools/.venv/bin/pip install pillow pypng
    scripts/fetch-photos.sh && tools/.venv/bin/python tools/gen_image_fixtures.py

Writes Tests/Fixtures/image/:
  formats/*.png, *.jpg   small synthetic files covering the PNG/JPEG variants (palette, interlaced,
                         1/2/4/16-bit, tRNS, grey+alpha, CMYK/grey/4:2:2/progressive JPEG), a few KB each
  llava-1.5/preprocessor_config.json   the processor's settings, as that model folder has them
  reference.json         for every photo in models/photos/ and every format file: Pillow's mode and the
                         SHA-256 of np.array(img); for the photos also resize/convert results and the
                         CLIPImageProcessor pixel_values (SHA-256 of the float32 array, of the uint8
                         picture after resize and crop, and 100 sampled values)
The processor is configured like llava-hf/llava-1.5-7b-hf's preprocessor_config.json (written below
from that file's values), through transformers' PIL backend (CLIPImageProcessorPil), which is what
CLIPImageProcessor falls back to without torchvision.
"""
import hashlib, io, json, os, sys
import numpy as np
import png  # pypng: a second, independent PNG writer (interlacing, 16-bit, tRNS)
from PIL import Image
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PHOTOS = os.path.join(ROOT, "models", "photos")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "image")
FORMATS = os.path.join(OUT, "formats")

# llava-hf/llava-1.5-7b-hf preprocessor_config.json
LLAVA_CONFIG = {
    "crop_size": {"height": 336, "width": 336},
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
    "size": {"shortest_edge": 336},
}


def sha(a):
    a = np.ascontiguousarray(a)
    if a.dtype == np.uint16:
        a = a.astype("<u2")
    return hashlib.sha256(a.tobytes()).hexdigest()


def pattern(w, h, seed):
    """A smooth gradient with a little noise: structure for the decoders, no photograph."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255 // max(w - 1, 1))
    g = (y * 255 // max(h - 1, 1))
    b = ((x + y) * 7) % 256
    img = np.stack([r, g, b], -1) + rng.integers(-12, 13, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def write_formats():
    os.makedirs(FORMATS, exist_ok=True)
    w, h = 37, 23
    rgb = pattern(w, h, 1)
    grey = rgb[..., 0]
    alpha = ((np.arange(w)[None, :] * 7 + np.arange(h)[:, None] * 11) % 256).astype(np.uint8)
    alpha[:, :3] = 0
    alpha[:, -3:] = 255

    def pypng(name, rows, **kw):
        with open(os.path.join(FORMATS, name), "wb") as f:
            png.Writer(width=w, height=h, **kw).write(f, rows)

    pypng("rgb_interlaced.png", rgb.reshape(h, -1).tolist(), greyscale=False, interlace=True)
    pypng("rgba_interlaced.png", np.dstack([rgb, alpha]).reshape(h, -1).tolist(), greyscale=False, alpha=True, interlace=True)
    pypng("grey_1bit.png", (grey >> 7).tolist(), greyscale=True, bitdepth=1)
    pypng("grey_2bit.png", (grey >> 6).tolist(), greyscale=True, bitdepth=2)
    pypng("grey_4bit_interlaced.png", (grey >> 4).tolist(), greyscale=True, bitdepth=4, interlace=True)
    pypng("grey_trns.png", (grey & 0xF0).tolist(), greyscale=True, transparent=0x80)
    pypng("grey_alpha.png", np.dstack([grey, alpha]).reshape(h, -1).tolist(), greyscale=True, alpha=True)
    pypng("grey_16bit.png", (grey.astype(np.uint16) * 3 + 40).tolist(), greyscale=True, bitdepth=16)
    pypng("rgb_16bit.png", (rgb.astype(np.uint16) * 257 + 100).clip(0, 65535).reshape(h, -1).tolist(), greyscale=False, bitdepth=16)
    pypng("rgba_16bit.png", (np.dstack([rgb, alpha]).astype(np.uint16) * 251).reshape(h, -1).tolist(), greyscale=False, alpha=True, bitdepth=16)
    pypng("grey_alpha_16bit.png", (np.dstack([grey, alpha]).astype(np.uint16) * 255).reshape(h, -1).tolist(), greyscale=True, alpha=True, bitdepth=16)
    pypng("rgb_trns.png", (rgb & 0xC0).reshape(h, -1).tolist(), greyscale=False, transparent=(0x40, 0x80, 0xC0))
    palette = [(i * 16, 255 - i * 16, (i * 77) % 256) for i in range(16)]
    pypng("palette_4bit.png", (grey >> 4).tolist(), palette=palette, bitdepth=4)
    palette_alpha = [(r, g, b, (i * 40) % 256) for i, (r, g, b) in enumerate(palette)]
    pypng("palette_trns_interlaced.png", (grey >> 4).tolist(), palette=palette_alpha, bitdepth=8, interlace=True)

    im = Image.fromarray(rgb)
    im.save(os.path.join(FORMATS, "rgb_420.jpg"), quality=85)
    im.save(os.path.join(FORMATS, "rgb_422_progressive.jpg"), quality=90, subsampling=1, progressive=True)
    im.save(os.path.join(FORMATS, "rgb_444.jpg"), quality=95, subsampling=0)
    Image.fromarray(grey).save(os.path.join(FORMATS, "grey.jpg"), quality=90)
    Image.fromarray(np.dstack([rgb, alpha])).convert("CMYK").save(os.path.join(FORMATS, "cmyk.jpg"), quality=90)


def decoded(path):
    im = Image.open(path)
    im.load()
    return im, np.array(im)


def main():
    write_formats()
    os.makedirs(os.path.join(OUT, "llava-1.5"), exist_ok=True)
    with open(os.path.join(OUT, "llava-1.5", "preprocessor_config.json"), "w") as f:
        json.dump(LLAVA_CONFIG, f, indent=2)
        f.write("\n")
    ref = {"formats": {}, "photos": {}, "config": LLAVA_CONFIG}
    for name in sorted(os.listdir(FORMATS)):
        im, a = decoded(os.path.join(FORMATS, name))
        entry = {"mode": im.mode, "size": list(im.size), "sha256": sha(a),
                 "rgb_sha256": sha(np.array(im.convert("RGB"))), "rgba_sha256": sha(np.array(im.convert("RGBA")))}
        ref["formats"][name] = entry

    processor = CLIPImageProcessorPil(**{k: v for k, v in LLAVA_CONFIG.items() if k not in ("image_processor_type", "processor_class")})
    rng = np.random.default_rng(0)
    for name in sorted(os.listdir(PHOTOS)):
        path = os.path.join(PHOTOS, name)
        im, a = decoded(path)
        entry = {"mode": im.mode, "size": list(im.size), "sha256": sha(a)}
        pv = processor(images=im, return_tensors="np")["pixel_values"][0]  # [3, 336, 336] float32
        entry["pixel_values_sha256"] = sha(pv.astype(np.float32))
        idx = rng.choice(pv.size, 100, replace=False)
        c, y, x = np.unravel_index(idx, pv.shape)
        entry["samples"] = [[int(ci), int(yi), int(xi), float(pv[ci, yi, xi])] for ci, yi, xi in zip(c, y, x)]
        # the same steps by hand, to check the 8-bit picture too
        from transformers.image_transforms import convert_to_rgb
        rgb = Image.fromarray(convert_to_rgb(im, return_numpy=True))
        w, h = rgb.size
        short, long = (w, h) if w <= h else (h, w)
        new_long = int(336 * long / short)
        size = (336, new_long) if w <= h else (new_long, 336)
        resized = rgb.resize(size, Image.Resampling.BICUBIC)
        left, top = (size[0] - 336) // 2, (size[1] - 336) // 2
        prepared = np.array(resized)[top:top + 336, left:left + 336]
        entry["prepared_sha256"] = sha(prepared)
        check = ((prepared.astype(np.float64) * LLAVA_CONFIG["rescale_factor"]).astype(np.float32)
                 - np.array(LLAVA_CONFIG["image_mean"], np.float32)) / np.array(LLAVA_CONFIG["image_std"], np.float32)
        assert sha(check.transpose(2, 0, 1).astype(np.float32)) == entry["pixel_values_sha256"], name
        # plain resizes and conversions of the decoded picture
        entry["resize"] = {}
        for filt, code in [("bicubic", Image.Resampling.BICUBIC), ("bilinear", Image.Resampling.BILINEAR),
                           ("lanczos", Image.Resampling.LANCZOS), ("box", Image.Resampling.BOX),
                           ("hamming", Image.Resampling.HAMMING)]:
            for target in [(w * 2 // 5, h // 3), (w + w // 3, h * 5 // 4)]:
                if im.mode in ("I;16",):
                    continue
                entry["resize"][f"{filt} {target[0]}x{target[1]}"] = sha(np.array(im.resize(target, code)))
        entry["convert"] = {m: sha(np.array(im.convert(m))) for m in ["L", "LA", "RGB", "RGBA"]}
        ref["photos"][name] = entry
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        # one line per entry keeps the file small and its diffs readable
        f.write("{\"config\": " + json.dumps(ref["config"]) + ",\n")
        for section in ["formats", "photos"]:
            items = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in ref[section].items()]
            f.write(f"\"{section}\": {{\n" + ",\n".join(items) + "\n}" + ("," if section == "formats" else "") + "\n")
        f.write("}\n")
    print("wrote", OUT, sum(os.path.getsize(os.path.join(FORMATS, n)) for n in os.listdir(FORMATS)), "bytes of format files")


if __name__ == "__main__":
    main()
