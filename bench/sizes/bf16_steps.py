"""bf16 compute at the 8B's width: seed 003's step (run_with_cache with patterns + resid_post over the
sequence so far) and the step with the logit lens of every layer at every position, Loupe with
compute="bf16" (oneDNN bf16 products) and compute="f32" (the exact path) against transformers bf16 (eager
attention, output_attentions + output_hidden_states), side by side in one run, one process per job.
Writes bench/sizes/RESULTS-bf16-<shape><BENCH_TAG>.md: median (min–max) of BENCH_REPEATS (default 5) after
a warm-up, peak RSS of the job's process, and Loupe's time as a ratio of transformers'.

Usage: python3 bench/sizes/bf16_steps.py SHAPE_DIR [LENGTHS] [LENS_LENGTHS] [F32_LENGTHS]
    SHAPE_DIR: a model written by make_random_model.py (e.g. BENCH_LAYERS=4 ... llama-3.1-8b /work/bigtmp/bf16/8b-4l)
    LENGTHS: step lengths (default 32,128,512), in the order run; LENS_LENGTHS: lengths with the lens (default 32);
    F32_LENGTHS: lengths that also run compute="f32" (default 32: the exact path is 3-5× slower).
"""
import os
import sys

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


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    lengths = [int(x) for x in (sys.argv[2] if len(sys.argv) > 2 else "32,128,512").split(",")]
    lens_lengths = [int(x) for x in (sys.argv[3] if len(sys.argv) > 3 else "32").split(",")]
    f32_lengths = [int(x) for x in (sys.argv[4] if len(sys.argv) > 4 else "32").split(",") if x]
    # BENCH_LENS_ONLY: lengths whose step without the lens is left out (measured in an earlier run).
    lens_only = {int(x) for x in os.environ.get("BENCH_LENS_ONLY", "").split(",") if x}
    name = os.path.basename(path.rstrip("/"))
    lines = [f"## bf16 compute, {name}: seed 003's step, side by side (2 threads)", "",
             "| job | per step, median (min–max) | peak RSS | load |", "|---|---|---|---|"]
    ratios = []
    for n in lengths:
        for lens in ([False, True] if n in lens_lengths else [False]):
            if not lens and n in lens_only:
                continue
            what = f"@{n}" + (" + logit lens of every layer" if lens else "")
            hf = row(f"transformers bf16 {what}", run_sizes.peer("hf_steplens" if lens else "hf_step", path, n, "bf16"))
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


def loupe(n, compute, lens):
    j = run_sizes.job([run_sizes.LOUPE, "run", os.path.join(HERE, "loupe_sizes.loupe"), "--out", "/tmp/loupe-bench/report-bf16",
                       "-p", f"job={'steplens' if lens else 'step'}", "-p", f"model_name={sys.argv[1]}", "-p", f"n={n}",
                       "-p", f"compute={compute}", "-p", f"repeats={run_sizes.REPEATS}"])
    return j


if __name__ == "__main__":
    main()
