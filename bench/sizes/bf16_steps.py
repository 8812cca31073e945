"""bf16 compute at the 8B's width: seed 003's step (run_with_cache with patterns + resid_post over the
sequence so far) and the step with the logit lens of every layer at every position, Loupe with
compute="bf16" (oneDNN bf16 products) and compute="f32" (the exact path) against transformers bf16 (eager
attention, output_attentions + output_hidden_states), side by side in one run, one process per job.
Writes bench/sizes/RESULTS-bf16-<shape><BENCH_TAG>.md: median (min–max) of BENCH_REPEATS (default 5) after
a warm-up, peak RSS of the job's process, and Loupe's time as a ratio of transformers'.

First, in the same run, the bf16 GEMM ceiling at the step's product shapes (bench/bf16/step_gemm.c, built
here with gcc against Debian's libdnnl, with Loupe's few-row tiles from clang; the best of oneDNN and the tiles): each Loupe compute=bf16 step (without the lens) is then printed as
GFLOP/s (2 × matrix weights × tokens, the unembedding over every position; attention's products apart) and as
a share of that ceiling, from wall time and from CPU time (a second process with one timed step: the
difference of the two processes' CPU times over the extra steps). BENCH_CEILING=0 leaves the ceiling out;
BENCH_PEERS=0 leaves transformers out.

Usage: python3 bench/sizes/bf16_steps.py SHAPE_DIR [LENGTHS] [LENS_LENGTHS] [F32_LENGTHS]
    SHAPE_DIR: a model written by make_random_model.py (e.g. BENCH_LAYERS=4 ... llama-3.1-8b /work/bigtmp/bf16/8b-4l)
    LENGTHS: step lengths (default 32,128,512), in the order run; LENS_LENGTHS: lengths with the lens (default 32);
    F32_LENGTHS: lengths that also run compute="f32" (default 32: the exact path is 3-5× slower).
"""
import json
import os
import resource
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_sizes  # noqa: E402  (job runners: one process each, peak RSS from wait4)


def row(label, res):
    r, rss = res
    load = os.getloadavg()[0]                            # 1-minute load average when the job finished
    if "error" in r:
        return f"| {label} | error: {r['error']} | | {load:.1f} |", None
    return (f"| {label} | {r['ms'] / 1000:.2f} s ({r['min_ms'] / 1000:.2f}–{r['max_ms'] / 1000:.2f}) | {rss / 1024:.1f} GB "
            f"| {load:.1f} |"), r["ms"]


ROOT = os.path.dirname(os.path.dirname(HERE))
THREADS = 2


def dims(path):
    """The step's product shapes from the model's config.json: (d_model, q_dim, kv_dim, d_mlp, vocab, layers, heads, d_head)."""
    with open(os.path.join(path, "config.json")) as f:
        c = json.load(f)
    d, heads = c["hidden_size"], c["num_attention_heads"]
    d_head = c.get("head_dim") or d // heads
    kv = c.get("num_key_value_heads", heads)
    return d, heads * d_head, kv * d_head, c["intermediate_size"], c["vocab_size"], c["num_hidden_layers"], heads, d_head


def step_gflop(path, n):
    """(weights, attention) GFLOP of one step over n tokens: 2 × matrix weights × n (the unembedding over all n
    positions), and the two attention products over all n × n (query, key) pairs."""
    d, qd, kvd, mlp, vocab, layers, heads, d_head = dims(path)
    weights = layers * (d * qd + 2 * d * kvd + qd * d + 3 * d * mlp) + vocab * d
    return 2 * weights * n * 1e-9, layers * 2 * 2 * heads * n * n * d_head * 1e-9


def ceiling(path, lengths):
    """bench/bf16/step_gemm.c at the step's shapes for each length: {n: its JSON line}, and its table."""
    out = tempfile.mkdtemp()
    exe = os.path.join(out, "step_gemm")
    inc = "-I" + os.path.join(ROOT, "Sources", "CBF16Kernels", "include")
    # Loupe's few-row tiles compiled as SwiftPM compiles them (clang -O2), the rest with gcc's OpenMP.
    tiles = os.path.join(out, "bf16_few_rows.o")
    subprocess.run(["clang", "-O2", "-c", "-o", tiles, os.path.join(ROOT, "Sources", "CBF16Kernels", "bf16_few_rows.c"), inc],
                   check=True)
    subprocess.run(["gcc", "-O2", "-fopenmp", "-o", exe, os.path.join(ROOT, "bench", "bf16", "step_gemm.c"),
                    os.path.join(ROOT, "Sources", "CBF16Kernels", "bf16_kernels.c"), tiles, inc, "-ldnnl", "-lpthread"],
                   check=True)
    os.remove(tiles)
    d, qd, kvd, mlp, vocab, layers, _, _ = dims(path)
    env = dict(os.environ, OMP_NUM_THREADS=str(THREADS), THREADS=str(THREADS), REPS=os.environ.get("BENCH_REPEATS", "5"))
    text = subprocess.run([exe, ",".join(map(str, lengths)), *map(str, (d, qd, kvd, mlp, vocab, layers))], env=env,
                          check=True, capture_output=True, text=True).stdout
    os.remove(exe)
    os.rmdir(out)
    rows = {r["m"]: r for r in (json.loads(l) for l in text.splitlines() if l.startswith("{"))}
    return rows, [l for l in text.splitlines() if not l.startswith("{")]


def cpu_job(cmd):
    """run_sizes.job with the process's CPU seconds (user + system: the growth of this process's reaped children's)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    res, _ = run_sizes.job(cmd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return (None if "error" in res else res), cpu


def share_rows(path, n, ceil):
    """Loupe compute=bf16's step at n tokens against the ceiling: wall and CPU GFLOP/s and their shares."""
    repeats = run_sizes.REPEATS
    full, cpu_full = cpu_job(loupe_cmd(n, "bf16", False, repeats))
    one, cpu_one = cpu_job(loupe_cmd(n, "bf16", False, 1))
    if not full or not one or n not in ceil:
        return [f"| @{n} | error | | | | | |"]
    wg, ag = step_gflop(path, n)
    c = ceil[n]
    cpu_step = (cpu_full - cpu_one) / (repeats - 1) if repeats > 1 else float("nan")
    wall = wg / (full["ms"] / 1000)
    cpu = wg / (cpu_step / THREADS) if cpu_step > 0 else float("nan")
    return [f"| @{n} | {wg:.1f} + {ag:.2f} | {full['ms'] / 1000:.2f} s ({full['min_ms'] / 1000:.2f}–{full['max_ms'] / 1000:.2f}) "
            f"| {cpu_step:.2f} s | {wall:.0f} / {c['step_gflops']:.0f} = **{100 * wall / c['step_gflops']:.0f}%** "
            f"(best shape {c['best_gflops']:.0f}: {100 * wall / c['best_gflops']:.0f}%) "
            f"| {cpu:.0f} / {c['cpu_gflops']:.0f} = **{100 * cpu / c['cpu_gflops']:.0f}%** | {os.getloadavg()[0]:.1f} |"]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    lengths = [int(x) for x in (sys.argv[2] if len(sys.argv) > 2 else "32,128,512").split(",")]
    lens_lengths = [int(x) for x in (sys.argv[3] if len(sys.argv) > 3 else "32").split(",") if x]
    f32_lengths = [int(x) for x in (sys.argv[4] if len(sys.argv) > 4 else "32").split(",") if x]
    # BENCH_LENS_ONLY: lengths whose step without the lens is left out (measured in an earlier run).
    lens_only = {int(x) for x in os.environ.get("BENCH_LENS_ONLY", "").split(",") if x}
    name = os.path.basename(path.rstrip("/"))
    lines = [f"## bf16 compute, {name}: seed 003's step, side by side (2 threads)", ""]
    ratios = []
    if os.environ.get("BENCH_CEILING", "1") != "0":
        ceil, table = ceiling(path, lengths)
        print("\n".join(table), flush=True)
        lines += ["", "### The bf16 GEMM ceiling in the same run (bench/bf16/step_gemm.c)", ""] + table
        share = ["", "### Loupe's step as a share of the ceiling", "",
                 "GFLOP/s = 2 × matrix weights × tokens (unembedding over every position) / time; attention's products "
                 "(second number of GFLOP) are not counted. CPU: the step's CPU seconds over "
                 f"{THREADS} threads, against the ceiling's rate from CPU time.", "",
                 "| step | GFLOP (weights + attention) | wall, median (min–max) | CPU per step | wall GFLOP/s / ceiling | "
                 "CPU GFLOP/s / ceiling | load |", "|---|---|---|---|---|---|---|"]
        for n in lengths:
            for text in share_rows(path, n, ceil):
                share.append(text)
                print(text, flush=True)
        lines += share + ["", "### Side by side", ""]
    lines += ["| job | per step, median (min–max) | peak RSS | load |", "|---|---|---|---|"]
    peers = os.environ.get("BENCH_PEERS", "1") != "0"
    for n in lengths:
        for lens in ([False, True] if n in lens_lengths else [False]):
            if not lens and n in lens_only:
                continue
            what = f"@{n}" + (" + logit lens of every layer" if lens else "")
            hf = (row(f"transformers bf16 {what}", run_sizes.peer("hf_steplens" if lens else "hf_step", path, n, "bf16"))
                  if peers else ("", None))
            bf = row(f"Loupe compute=bf16 {what}", loupe(n, "bf16", lens))
            f32 = row(f"Loupe compute=f32 {what}", loupe(n, "f32", lens)) if n in f32_lengths else ("", None)
            for text, _ in (hf, bf, f32):
                if text:
                    lines.append(text)
                    print(text, flush=True)
            if hf[1] and bf[1]:
                ratios.append(f"- {what}: transformers / Loupe bf16 = {hf[1] / bf[1]:.2f}×"
                              + (f"; transformers / Loupe f32 = {hf[1] / f32[1]:.2f}×" if f32[1] else ""))
    lines += ["", "Speed relative to transformers (> 1: Loupe faster):", ""] + ratios
    tag = os.environ.get("BENCH_TAG", "")
    out = os.path.join(HERE, f"RESULTS-bf16-{name}{tag}.md")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(ratios))
    print("wrote", out)


def loupe_cmd(n, compute, lens, repeats):
    return [run_sizes.LOUPE, "run", os.path.join(HERE, "loupe_sizes.loupe"), "--out", "/tmp/loupe-bench/report-bf16",
            "-p", f"job={'steplens' if lens else 'step'}", "-p", f"model_name={sys.argv[1]}", "-p", f"n={n}",
            "-p", f"compute={compute}", "-p", f"repeats={repeats}"]


def loupe(n, compute, lens):
    return run_sizes.job(loupe_cmd(n, compute, lens, run_sizes.REPEATS))


if __name__ == "__main__":
    main()
