"""Greedy generation and prompt processing, Loupe against llama.cpp's llama-bench on the same GGUF files
(and Loupe on the bf16 safetensors they were made from), 2 threads, one process per job, side by side in
one run. Writes bench/sizes/RESULTS-gen-<name><BENCH_TAG>.md: tokens/s median (min–max), the GB/s of
weights each reaches (bytes of every weight but the token embedding, read once per generated token), peak
RSS, and the 1-minute load average when each row finished.

Usage: tools/.venv/bin/python bench/sizes/gen_vs_llamacpp.py MODEL_DIR GGUF... (bench/sizes/llamacpp.sh builds llama-bench
and writes the GGUFs). Env: LLAMA_BENCH (default /work/bigtmp/bigbench/llamacpp/build/bin/llama-bench),
BENCH_REPEATS (default 5), BENCH_GEN (tokens generated, default 32), BENCH_PP (prompt lengths, default
32,128,512; empty: none), GGUF_PY (the sdist's gguf-py folder, to read tensor sizes), LOUPE_BINS
("before=PATH,after=PATH": each Loupe job run by each binary in turn, rows labelled, for a before/after in one run).
"""
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_sizes  # noqa: E402  (job runners: one process each, peak RSS from wait4)

LLAMA_BENCH = os.environ.get("LLAMA_BENCH", "/work/bigtmp/bigbench/llamacpp/build/bin/llama-bench")
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
GEN = int(os.environ.get("BENCH_GEN", "32"))
PP = [int(x) for x in os.environ.get("BENCH_PP", "32,128,512").split(",") if x]
BINS = [tuple(b.split("=", 1)) for b in os.environ.get("LOUPE_BINS", "").split(",") if b] or [("", run_sizes.LOUPE)]


def weight_bytes(path):
    """Bytes read per generated token: every tensor but the token embedding (one row of it is read)."""
    if path.endswith(".gguf"):
        sys.path.insert(0, os.environ.get("GGUF_PY", "/work/bigtmp/bigbench/llamacpp/llama_cpp_python-0.3.36/vendor/llama.cpp/gguf-py"))
        from gguf import GGUFReader
        tensors = GGUFReader(path).tensors
        tied = not any(t.name == "output.weight" for t in tensors)
        return sum(int(t.n_bytes) for t in tensors if tied or t.name != "token_embd.weight")
    index = json.load(open(os.path.join(path, "model.safetensors.index.json")))
    total = index["metadata"]["total_size"]
    cfg = json.load(open(os.path.join(path, "config.json")))
    if cfg.get("tie_word_embeddings"):
        return total
    return total - cfg["vocab_size"] * cfg["hidden_size"] * 2


def llama_bench(path, args):
    """llama-bench's samples (tokens/s per repetition) for each test of `args`."""
    if not os.path.exists(LLAMA_BENCH):
        return [{"error": f"no {LLAMA_BENCH} (bench/sizes/llamacpp.sh build)"}]
    cmd = [LLAMA_BENCH, "-m", path, "-t", "2", "-r", str(REPEATS), "-o", "jsonl"] + args
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return [{"error": (out.stderr.strip().splitlines() or ["exit %d" % out.returncode])[-1]}]
    rows = [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]
    return rows


def fmt_ts(samples):
    return f"{statistics.median(samples):.2f} ({min(samples):.2f}–{max(samples):.2f})"


def loupe_job(job, path, n, binary=run_sizes.LOUPE):
    return run_sizes.job([binary, "run", os.path.join(HERE, "loupe_sizes.loupe"), "--out", "/tmp/loupe-bench/report-gen",
                          "-p", f"job={job}", "-p", f"model_name={path}", "-p", f"n={n}", "-p", f"repeats={REPEATS}"])


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    files = sys.argv[1:]
    name = os.path.basename(files[0].rstrip("/"))
    lines = [f"## Generation and prompt processing, {name}: Loupe vs llama.cpp llama-bench (2 threads)", "",
             f"Generation: {GEN} greedy tokens (Loupe: from one start token; llama-bench `-p 0 -n {GEN}`); tokens/s "
             f"median (min–max) of {REPEATS}. GB/s: weight bytes read per token (all but the token embedding) × tokens/s.", "",
             "| file | job | Loupe tok/s | llama.cpp tok/s | Loupe / llama.cpp | Loupe GB/s | llama.cpp GB/s | Loupe peak RSS | load |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for path in files:
        wb = weight_bytes(path)
        label = os.path.basename(path.rstrip("/"))
        is_gguf = path.endswith(".gguf")
        jobs = [("generate", GEN)] + [("forward", n) for n in PP]
        lb = {}
        if is_gguf:
            for r in llama_bench(path, ["-p", "0", "-n", str(GEN)]) + (llama_bench(path, ["-p", ",".join(map(str, PP)), "-n", "0"]) if PP else []):
                if "error" in r:
                    print(label, "llama-bench:", r["error"], flush=True)
                    continue
                key = ("generate", GEN) if r["n_gen"] > 0 else ("forward", r["n_prompt"])
                lb[key] = r["samples_ts"]
        for (job, n), (tag, binary) in ((j, b) for j in jobs for b in BINS):
            res, rss = loupe_job(job, path, n, binary)
            load = os.getloadavg()[0]
            what = (f"{tag} " if tag else "") + (f"generate {n}" if job == "generate" else f"prompt {n}")
            if "error" in res:
                row = f"| {label} | {what} | error: {res['error']} | | | | | {rss / 1024:.1f} GB | {load:.1f} |"
            else:
                toks = GEN if job == "generate" else n
                med, lo, hi = (toks / (res[k] / 1000) for k in ("ms", "max_ms", "min_ms"))
                ours = f"{med:.2f} ({lo:.2f}–{hi:.2f})"
                theirs, ratio, their_gbs = "—", "—", "—"
                if (job, n) in lb:
                    s = lb[(job, n)]
                    theirs, ratio = fmt_ts(s), f"{med / statistics.median(s):.2f}×"
                    their_gbs = f"{statistics.median(s) * wb / 1e9:.1f}" if job == "generate" else "—"
                gbs = f"{med * wb / 1e9:.1f}" if job == "generate" else "—"
                row = f"| {label} | {what} | {ours} | {theirs} | {ratio} | {gbs} | {their_gbs} | {rss / 1024:.1f} GB | {load:.1f} |"
            lines.append(row)
            print(row, flush=True)
    tag = os.environ.get("BENCH_TAG", "")
    out = os.path.join(HERE, f"RESULTS-gen-{name}{tag}.md")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
