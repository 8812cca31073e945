"""Runs Loupe and its peers side by side on this machine and writes bench/RESULTS.md.

Each job is its own process so its peak memory (ru_maxrss from wait4) is its own. Loupe runs from the
release build; the peers (Hugging Face transformers and TransformerLens 2.x, torch CPU, 2 threads) run
with bench/peers.py in BENCH_PY (default bench/.venv/bin/python). llama.cpp's llama-bench is an optional
speed anchor: set LLAMA_BENCH=/path/to/llama-bench (this repo neither fetches nor builds it).
Usage: python3 bench/run.py [--quick]     the whole table
       python3 bench/run.py --forward [--quick]   issue #12's forward-pass section only (with spreads);
       BENCH_ROWS=gpt2:256,smollm2:32 picks its rows
"""
import ast
import json
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOUPE = os.path.join(ROOT, ".build", "release", "loupe")
PY = os.environ.get("BENCH_PY", os.path.join(ROOT, "bench", ".venv", "bin", "python"))
GPT2 = os.environ.get("LOUPE_BENCH_GPT2", "/tmp/loupe-bench/gpt2-random")
ENV = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2", MKL_NUM_THREADS="2")


def job(cmd):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.dup2(w, 1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(r)
        os.execvpe(cmd[0], cmd, ENV)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    _, status, usage = os.wait4(pid, 0)
    text = b"".join(chunks).decode("utf-8", "replace")
    lines = [l for l in text.strip().splitlines() if l.startswith("{")]
    if status != 0 or not lines:
        return {"error": text.strip().splitlines()[-1:] or ["exit %d" % status]}, usage.ru_maxrss / 1024
    line = lines[-1]
    try:
        res = json.loads(line)
    except json.JSONDecodeError:
        res = ast.literal_eval(line)
    return res, usage.ru_maxrss / 1024


def loupe(j, model, n):
    name = "smollm2" if model == "smollm2" else GPT2
    return job([LOUPE, "run", os.path.join("bench", "loupe_jobs.loupe"), "--out", "/tmp/loupe-bench/report-" + j,
                "-p", f"job={j}", "-p", f"model_name={name}", "-p", f"n={n}"])


def peer(j, model, n):
    return job([PY, os.path.join("bench", "peers.py"), j, model, str(n)])


def fmt(ms):
    return "—" if ms is None else (f"{ms:.0f} ms" if ms >= 10 else f"{ms:.1f} ms")


# Multiply-adds of one forward pass × 2 (weights × positions, the unembedding, attention's two products
# over every (query, key) pair as the peers compute them).
SHAPES = {"gpt2": dict(d=768, layers=12, heads=12, kv=12, dh=64, mlp=3072, vocab=50257, gated=False),
          "smollm2": dict(d=576, layers=30, heads=9, kv=3, dh=64, mlp=1536, vocab=49152, gated=True)}


def forward_flops(model, n, last=False):
    c = SHAPES[model]
    q, kv = c["heads"] * c["dh"], c["kv"] * c["dh"]
    per_layer = c["d"] * (q + 2 * kv) + q * c["d"] + (3 if c["gated"] else 2) * c["d"] * c["mlp"]
    attn = 2 * n * n * c["dh"] * c["heads"]
    return 2 * (c["layers"] * (per_layer * n + attn) + c["d"] * c["vocab"] * (1 if last else n))


def spread(res):
    t = res.get("times") or []
    return (min(t), max(t)) if t else (res.get("ms"), res.get("ms"))


def forward_bench():
    """Issue #12's table: run_with_cache with the full cache against both peers, each row's runs side by
    side (Loupe, transformers, TransformerLens one after another), medians of 5 with min–max."""
    plan = [("smollm2", 32), ("smollm2", 256), ("gpt2", 32), ("gpt2", 256), ("gpt2", 1024)]
    if "--quick" in sys.argv:
        plan = plan[:1]
    if os.environ.get("BENCH_ROWS"):  # e.g. BENCH_ROWS=gpt2:32,gpt2:256 runs those rows only
        plan = [(m, int(n)) for m, n in (r.split(":") for r in os.environ["BENCH_ROWS"].split(","))]
    rows, gemm = [], []
    ceiling_bin = build_ceiling()
    for n in (() if os.environ.get("BENCH_ROWS") else (32, 256)):
        mine, _ = loupe("gemm", "gpt2", n)
        theirs, _ = peer("torch_gemm", "gpt2", n)
        print("gemm", n, mine, theirs, flush=True)
        gemm.append((n, mine, theirs))
    for model, n in plan:
        load = os.getloadavg()[0]
        full, rss = loupe("cache", model, n)
        last, _ = loupe("cache_last", model, n)
        hf, hf_rss = peer("hf_forward", model, n)
        tl, tl_rss = peer("tl_cache", model, n)
        ceiling, _ = job([ceiling_bin, model, str(n)])
        print(model, n, full, last, hf, tl, ceiling, flush=True)
        rows.append((model, n, load, (full, rss), last, (hf, hf_rss), (tl, tl_rss), ceiling))
    write_forward(rows, gemm)


def build_ceiling():
    """Compiles bench/blas/packed_ceiling.c (oneDNN's packed f32 matmul at a model's own shapes, 2 threads)."""
    out = "/tmp/loupe-bench/packed_ceiling"
    os.makedirs(os.path.dirname(out), exist_ok=True)
    subprocess.run(["gcc", "-O2", "-o", out, os.path.join(ROOT, "bench", "blas", "packed_ceiling.c"),
                    "-ldnnl", "-lgomp", "-lpthread"], check=True)
    return out


def share(model, n, full, ceiling):
    """The forward's GFLOP/s as a share of the same-run GEMM ceiling at its shapes, with the range the spreads
    allow, against #12's 70%."""
    if not full.get("ms") or "gflops" not in ceiling:
        return "—", "—"
    a0, a1 = spread(full)
    f = forward_flops(model, n) / 1e6
    mid = f / full["ms"] / ceiling["gflops"]
    lo, hi = f / a1 / ceiling["max"], f / a0 / ceiling["min"]
    text = "met" if lo >= 0.7 else ("missed" if hi < 0.7 else "within noise of 70%")
    return f"{100 * mid:.0f}% ({100 * lo:.0f}–{100 * hi:.0f})", text


def verdict(mine, theirs, target=1.3):
    """Ratio of medians and what the min–max spread allows: met, missed, or within noise of the target."""
    if "error" in mine or "error" in theirs or not mine.get("ms") or not theirs.get("ms"):
        return "—", "—"
    (a0, a1), (b0, b1) = spread(mine), spread(theirs)
    ratio = theirs["ms"] / mine["ms"]
    lo, hi = b0 / a1, b1 / a0
    text = "met" if lo >= target else ("missed" if hi < target else f"within noise of {target}×")
    return f"{ratio:.2f}× ({lo:.2f}–{hi:.2f})", text


def cell(res):
    if "error" in res:
        return f"error: {res['error']}"
    a, b = spread(res)
    return f"{res['ms']:.0f} ms ({a:.0f}–{b:.0f})"


def write_forward(rows, gemm):
    lines = [
        "## Forward pass with the full cache (issue #12)",
        "",
        f"Measured by `python3 bench/run.py --forward` on {time.strftime('%Y-%m-%d %H:%M')} UTC, 2 threads everywhere. "
        "Each cell: median of 5 timed runs after a warm-up (min–max). Ratios: peer median / Loupe median, and in "
        "brackets the range the spreads allow (peer min / Loupe max – peer max / Loupe min); a target whose range "
        "straddles it is reported as within noise. GFLOP/s counts 2 × multiply-adds of the weights, the "
        "unembedding and both attention products over all (query, key) pairs. The GEMM ceiling is measured in the "
        "same run at the row's own shapes (`bench/blas/packed_ceiling.c`: oneDNN's matmul on weights packed once, "
        "the best f32 GEMM on this machine, every layer's matrices and the unembedding as distinct copies, the "
        "tokens as M, 2 threads splitting rows or columns, the better; median of 9 with min–max); the share is "
        "Loupe's whole-forward GFLOP/s over it (target ≥ 70%).",
        "",
        "| model @ tokens | load avg | Loupe run_with_cache | Loupe logits=\"last\" | transformers forward | TransformerLens run_with_cache | vs transformers | vs TransformerLens | Loupe GFLOP/s | GEMM ceiling, same shapes | share of it |",
        "|---|---:|---:|---:|---:|---:|---|---|---:|---:|---|",
    ]
    for model, n, load, (full, rss), last, (hf, _), (tl, _), ceiling in rows:
        r1, v1 = verdict(full, hf)
        r2, v2 = verdict(full, tl)
        gf = f"{forward_flops(model, n) / full['ms'] / 1e6:.0f}" if full.get("ms") else "—"
        ceil = (f"{ceiling['gflops']:.0f} ({ceiling['min']:.0f}–{ceiling['max']:.0f})" if "gflops" in ceiling
                else f"error: {ceiling.get('error')}")
        s1, sv = share(model, n, full, ceiling)
        name = "SmolLM2 Q4_1" if model == "smollm2" else "GPT-2-small shape"
        lines.append(f"| {name} @{n} | {load:.1f} | {cell(full)} | {cell(last)} | {cell(hf)} | {cell(tl)} | "
                     f"{r1} {v1} | {r2} {v2} | {gf} | {ceil} | {s1} {sv} |")
    lines += ["", "| GEMM [n, 768] × [768, 3072], best of 7 | Loupe (OpenBLAS sgemm) | torch |", "|---|---:|---:|"]
    for n, mine, theirs in gemm:
        def g(r):
            return f"{r['gflops']:.0f} GFLOP/s" if "gflops" in r else f"error: {r.get('error')}"
        lines.append(f"| n = {n} | {g(mine)} | {g(theirs)} |")
    path = os.path.join(ROOT, "bench", "RESULTS.md")
    old = open(path).read() if os.path.exists(path) else ""
    head = "## Forward pass with the full cache (issue #12)"
    # This table replaces its own section only; the rest of the file (and hand-written notes after the
    # table, from "### " on) survive.
    if head in old:
        start = old.index(head)
        rest = old[start + len(head):]
        nxt = [i for i in (rest.find("\n### "), rest.find("\n## ")) if i >= 0]
        end = start + len(head) + (min(nxt) if nxt else len(rest))
        new = old[:start] + "\n".join(lines) + "\n" + old[end:]
    else:
        new = old.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    with open(path, "w") as f:
        f.write(new)
    print("wrote bench/RESULTS.md (forward section)")


def main():
    if "--forward" in sys.argv:
        if not os.path.exists(LOUPE):
            sys.exit("bench: build first (make release)")
        subprocess.run([PY, os.path.join(ROOT, "bench", "make_gpt2_random.py"), GPT2], check=True, env=ENV)
        return forward_bench()
    quick = "--quick" in sys.argv
    if not os.path.exists(LOUPE):
        sys.exit("bench: build first (make release)")
    if not os.path.exists(PY):
        sys.exit(f"bench: no peer venv at {PY}; see bench/peers.py for the one-line set-up")
    subprocess.run([PY, os.path.join(ROOT, "bench", "make_gpt2_random.py"), GPT2], check=True, env=ENV)
    rows = []
    plan = [
        ("load", "Load SmolLM2 (s)", "smollm2", 0, [("transformers", "load")]),
        ("cache", "run_with_cache, everything cached, SmolLM2 @32", "smollm2", 32, [("transformers forward (no cache)", "hf_forward"), ("TransformerLens run_with_cache", "tl_cache")]),
        ("cache", "run_with_cache, everything cached, SmolLM2 @256", "smollm2", 256, [("transformers forward (no cache)", "hf_forward"), ("TransformerLens run_with_cache", "tl_cache")]),
        ("cache", "run_with_cache, GPT-2-small shape @32", "gpt2", 32, [("transformers forward (no cache)", "hf_forward"), ("TransformerLens run_with_cache", "tl_cache")]),
        ("cache", "run_with_cache, GPT-2-small shape @256", "gpt2", 256, [("transformers forward (no cache)", "hf_forward"), ("TransformerLens run_with_cache", "tl_cache")]),
        ("generate", "greedy generation, 64 tokens, SmolLM2", "smollm2", 64, [("transformers generate", "hf_generate"), ("TransformerLens generate", "tl_generate")]),
        ("generate_cached", "greedy generation keeping every step's patterns, 64 tokens", "smollm2", 64, []),
        ("seed000", "seed-000 loop, 10 steps (full cache + logit lens each step)", "smollm2", 10, [("TransformerLens", "tl_seed000")]),
    ]
    if quick:
        plan = plan[:2]
    results = []
    for lj, title, model, n, peers in plan:
        mine, mine_rss = loupe(lj, model, n)
        print(title, "loupe", mine, f"{mine_rss:.0f} MB", flush=True)
        theirs = []
        for label, pj in peers:
            res, rss = peer(pj, model, n)
            print("   ", label, res, f"{rss:.0f} MB", flush=True)
            theirs.append((label, res, rss))
        results.append((title, mine, mine_rss, theirs))
    write(results)


def write(results):
    cpu = platform.processor() or platform.machine()
    lines = [
        "# Benchmarks: Loupe against transformers and TransformerLens",
        "",
        f"Measured by `python3 bench/run.py` on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores ({cpu}), "
        "2 threads everywhere, medians after a warm-up; peak RSS per process (each job runs alone).",
        "Peers: transformers + torch (CPU) and TransformerLens 2.16 (HookedTransformer, the API the seeds used). "
        "SmolLM2 is the embedded Q4_1 GGUF (Loupe keeps it quantized; transformers dequantises it to float32 at load). "
        "The GPT-2-small-shaped model has random weights (speed only).",
        "",
        "| benchmark | Loupe | peer | peer time | Loupe speed-up | Loupe peak RSS | peer peak RSS |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for title, mine, mine_rss, theirs in results:
        my_ms = mine.get("ms")
        my_text = fmt(my_ms) if "error" not in mine else f"error: {mine['error']}"
        if "tokens_per_s" in mine:
            my_text += f" ({mine['tokens_per_s']:.0f} tok/s)"
        if not theirs:
            lines.append(f"| {title} | {my_text} | — | — | — | {mine_rss:.0f} MB | — |")
        for label, res, rss in theirs:
            their_ms = res.get("ms")
            ratio = f"{their_ms / my_ms:.1f}×" if my_ms and their_ms else "—"
            their_text = fmt(their_ms) if "error" not in res else f"error: {res['error']}"
            if "tokens_per_s" in res:
                their_text += f" ({res['tokens_per_s']:.0f} tok/s)"
            lines.append(f"| {title} | {my_text} | {label} | {their_text} | {ratio} | {mine_rss:.0f} MB | {rss:.0f} MB |")
    path = os.path.join(ROOT, "bench", "RESULTS.md")
    # The hand-written reading of the numbers (from its heading on) survives a new run.
    kept = ""
    if os.path.exists(path):
        old = open(path).read()
        at = old.find("\n## Reading the numbers")
        kept = old[at:] if at >= 0 else ""
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n" + kept)
    print("wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()
