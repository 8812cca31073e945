"""The seeds' model sizes on this machine: Loupe (as stored bf16, and dtype="q8_0"), transformers and
TransformerLens side by side on a random-weight model of one real shape, and writes
bench/sizes/RESULTS-<shape>.md. Each job is its own process (peak RSS from wait4, see bench/run.py).

Usage: python3 bench/sizes/run_sizes.py SHAPE [N]
    SHAPE: tiny, gpt2-large, llama-3.2-1b, llama-2-7b, llama-3.1-8b (make_random_model.py writes it to
    $LOUPE_BENCH_DIR/SHAPE, default /tmp/loupe-bench/SHAPE; the large shapes take 2.5-16 GB of disk)
    N: prompt positions (default 128). Peers run in BENCH_PY (default tools/.venv/bin/python).
Run it on a quiet machine: the 7B/8B shapes need most of 24 GB for the peers.
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from run import job, fmt  # noqa: E402  (bench/run.py: one process per job, peak RSS)

LOUPE = os.environ.get("LOUPE_BIN", os.path.join(ROOT, ".build", "release", "loupe"))
PY = os.environ.get("BENCH_PY", os.path.join(ROOT, "tools", ".venv", "bin", "python"))


def loupe(j, path, n, dtype="", names_filter=""):
    return job([LOUPE, "run", os.path.join(HERE, "loupe_sizes.loupe"), "--out", "/tmp/loupe-bench/report-sizes",
                "-p", f"job={j}", "-p", f"model_name={path}", "-p", f"n={n}", "-p", f"dtype={dtype}",
                "-p", f"names_filter={names_filter}"])


def peer(j, path, n, dtype):
    return job([PY, os.path.join(HERE, "peers_sizes.py"), j, path, str(n), dtype])


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    shape = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 128
    path = os.path.join(os.environ.get("LOUPE_BENCH_DIR", "/tmp/loupe-bench"), shape)
    if not os.path.exists(LOUPE):
        sys.exit("bench: build first (swift build -c release)")
    if os.spawnv(os.P_WAIT, PY, [PY, os.path.join(HERE, "make_random_model.py"), shape, path]) != 0:
        sys.exit("bench: make_random_model.py failed")
    rows = []
    plan = [
        ("load", "", "Loupe load (as stored, bf16 mapped)", lambda: loupe("load", path, n)),
        ("load", "", "Loupe load dtype=q8_0", lambda: loupe("load", path, n, "q8_0")),
        ("load", "", "transformers load bf16", lambda: peer("load", path, n, "bf16")),
        ("cache", "every hook point", f"Loupe run_with_cache @{n}", lambda: loupe("cache", path, n)),
        ("cache", "resid_post only", f"Loupe run_with_cache @{n}", lambda: loupe("cache", path, n, "", "blocks.*.hook_resid_post")),
        ("cache", "every hook point", f"Loupe q8_0 run_with_cache @{n}", lambda: loupe("cache", path, n, "q8_0")),
        ("cache", "no cache", f"transformers bf16 forward @{n}", lambda: peer("hf_forward", path, n, "bf16")),
        ("cache", "every hook point", f"TransformerLens bf16 run_with_cache @{n}", lambda: peer("tl_cache", path, n, "bf16")),
        ("generate", "32 tokens", "Loupe generate (bf16 as stored)", lambda: loupe("generate", path, 32)),
        ("generate", "32 tokens", "Loupe generate q8_0", lambda: loupe("generate", path, 32, "q8_0")),
        ("generate", "32 tokens", "transformers bf16 generate", lambda: peer("hf_generate", path, 32, "bf16")),
    ]
    for kind, detail, label, run in plan:
        res, rss = run()
        print(label, detail, res, f"{rss:.0f} MB", flush=True)
        if "error" in res:
            rows.append(f"| {label} | {detail} | error: {res['error']} | — | {rss:.0f} MB |")
            continue
        extra = []
        if "tokens_per_s" in res:
            extra.append(f"{res['tokens_per_s']:.1f} tok/s")
        if "cache_mb" in res:
            extra.append(f"cache {res['cache_mb']:.0f} MB planned")
        if "mapped_mb" in res:
            extra.append(f"weights mapped {res['mapped_mb']:.0f} MB, owned {res['owned_mb']:.0f} MB")
        rows.append(f"| {label} | {detail} | {fmt(res['ms'])} | {'; '.join(extra)} | {rss:.0f} MB |")
    with open(os.path.join(HERE, f"RESULTS-{shape}.md"), "w") as f:
        f.write(f"# {shape}-shaped random model, {n} positions, 2 threads, medians of 5 after a warm-up\n\n")
        f.write(f"Loupe: `{os.path.relpath(LOUPE, ROOT)}`; peers: `{PY}`; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
                f"load average {os.getloadavg()[0]:.1f} at the end (the machine is shared).\n\n")
        f.write("| job | what | time | notes | peak RSS |\n|---|---|---:|---|---:|\n")
        f.write("\n".join(rows) + "\n")
    print("wrote", os.path.join(HERE, f"RESULTS-{shape}.md"))


if __name__ == "__main__":
    main()
