"""Runs Loupe and its peers side by side on this machine and writes bench/RESULTS.md.

Each job is its own process so its peak memory (ru_maxrss from wait4) is its own. Loupe runs from the
release build; the peers (Hugging Face transformers and TransformerLens 2.x, torch CPU, 2 threads) run
with bench/peers.py in BENCH_PY (default bench/.venv/bin/python). llama.cpp's llama-bench is an optional
speed anchor: set LLAMA_BENCH=/path/to/llama-bench (this repo neither fetches nor builds it).
Usage: python3 bench/run.py [--quick]
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


def main():
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
