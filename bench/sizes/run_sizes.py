"""The seeds' model sizes on this machine: Loupe (as stored bf16, and dtype="q8_0"), transformers and
TransformerLens side by side on a random-weight model of one real shape, and writes
bench/sizes/RESULTS-<shape>.md. Each job is its own process (peak RSS from wait4, see bench/run.py).

Usage: python3 bench/sizes/run_sizes.py SHAPE [SKIP]
    SHAPE: tiny, gpt2-large, llama-3.2-1b, llama-2-7b, llama-3.1-8b (make_random_model.py writes it to
    $LOUPE_BENCH_DIR/SHAPE, default /tmp/loupe-bench/SHAPE; the large shapes take 2.5-16 GB of disk)
    SKIP: comma-separated row kinds to leave out (hfload, hf, tl, q8, q8full, maps, full, cache, generate, load); BENCH_TAG
    suffixes the results file (RESULTS-SHAPE<TAG>.md) so peers and Loupe can be run apart.
    BENCH_REPEATS (default 5) timed repeats after a warm-up; BENCH_PEER_REPEATS for the peers' timed jobs.
    BENCH_LENGTHS prompt positions (default 32,128); BENCH_GEN generated tokens (default 32). Peers run in BENCH_PY (default tools/.venv/bin/python).
Run it on a quiet machine: the 7B/8B shapes need most of 24 GB for the peers.
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import run as bench_run  # noqa: E402  (bench/run.py: one process per job, peak RSS)
from run import job, fmt  # noqa: E402

LOUPE = os.environ.get("LOUPE_BIN", os.path.join(ROOT, ".build", "release", "loupe"))
PY = os.environ.get("BENCH_PY", os.path.join(ROOT, "tools", ".venv", "bin", "python"))


REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
FILTER = "patterns+resid_post"


def loupe(j, path, n, dtype="", names_filter="", repeats=None):
    return job([LOUPE, "run", os.path.join(HERE, "loupe_sizes.loupe"), "--out", "/tmp/loupe-bench/report-sizes",
                "-p", f"job={j}", "-p", f"model_name={path}", "-p", f"n={n}", "-p", f"dtype={dtype}",
                "-p", f"names_filter={names_filter}", "-p", f"repeats={repeats or REPEATS}"])


def peer(j, path, n, dtype, repeats=None):
    bench_run.ENV["BENCH_REPEATS"] = str(repeats or REPEATS)
    return job([PY, os.path.join(HERE, "peers_sizes.py"), j, path, str(n), dtype])


def loads(fn, times):
    """Load time: one fresh process per load, median of `times` (the page cache is warm after the first)."""
    runs = [fn() for _ in range(times)]
    ok = [r for r in runs if "error" not in r[0]]
    if not ok:
        return runs[0]
    ms = sorted(r[0]["ms"] for r in ok)
    res = dict(ok[0][0], ms=ms[len(ms) // 2], min_ms=ms[0], max_ms=ms[-1])
    return res, max(r[1] for r in ok)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    shape = sys.argv[1]
    skip = set(sys.argv[2].split(",")) if len(sys.argv) > 2 and sys.argv[2] else set()
    path = os.path.join(os.environ.get("LOUPE_BENCH_DIR", "/tmp/loupe-bench"), shape)
    if not {"cache", "generate"} <= skip and not os.path.exists(LOUPE):
        sys.exit("bench: build first (swift build -c release)")
    if os.spawnv(os.P_WAIT, PY, [PY, os.path.join(HERE, "make_random_model.py"), shape, path]) != 0:
        sys.exit("bench: make_random_model.py failed")
    peer_repeats = int(os.environ.get("BENCH_PEER_REPEATS", str(REPEATS)))
    plan = [
        ("load", "", "Loupe load (as stored, bf16 mapped)", lambda: loads(lambda: loupe("load", path, 1), REPEATS)),
        ("q8", "", "Loupe load dtype=q8_0", lambda: loads(lambda: loupe("load", path, 1, "q8_0"), REPEATS)),
        ("hfload", "", "transformers load bf16", lambda: loads(lambda: peer("load", path, 1, "bf16"), min(REPEATS, peer_repeats))),
    ]
    lengths = [int(x) for x in os.environ.get("BENCH_LENGTHS", "32,128").split(",")]
    gen = int(os.environ.get("BENCH_GEN", "32"))
    for n in lengths:
        plan += [
            ("full", "every hook point", f"Loupe run_with_cache @{n}", lambda n=n: loupe("cache", path, n)),
            ("cache", "patterns + resid_post", f"Loupe run_with_cache @{n}", lambda n=n: loupe("cache", path, n, "", FILTER)),
            ("q8full", "every hook point", f"Loupe q8_0 run_with_cache @{n}", lambda n=n: loupe("cache", path, n, "q8_0")),
            ("q8", "patterns + resid_post", f"Loupe q8_0 run_with_cache @{n}", lambda n=n: loupe("cache", path, n, "q8_0", FILTER)),
            ("hf", "no cache", f"transformers bf16 forward @{n}", lambda n=n: peer("hf_forward", path, n, "bf16", peer_repeats)),
            ("tl", "every hook point", f"TransformerLens bf16 run_with_cache @{n}", lambda n=n: peer("tl_cache", path, n, "bf16", peer_repeats)),
        ]
    plan += [
        ("generate", f"{gen} tokens", "Loupe generate (bf16 as stored)", lambda: loupe("generate", path, gen)),
        ("q8", f"{gen} tokens", "Loupe generate q8_0", lambda: loupe("generate", path, gen, "q8_0")),
        ("hf", f"{gen} tokens", "transformers bf16 generate", lambda: peer("hf_generate", path, gen, "bf16", peer_repeats)),
        ("maps", "32-token prompt, 4 generated", "Loupe seed-003 loop (attention_maps)", lambda: loupe("maps", path, 32)),
        ("q8", "32-token prompt, 4 generated", "Loupe q8_0 seed-003 loop (attention_maps)", lambda: loupe("maps", path, 32, "q8_0")),
    ]
    out_path = os.path.join(HERE, f"RESULTS-{shape}{os.environ.get('BENCH_TAG', '')}.md")
    with open(out_path, "w") as f:
        f.write(f"# {shape}-shaped random model, 2 threads, medians of {REPEATS} after a warm-up (peers: {peer_repeats})\n\n")
        f.write(f"Loupe: `{os.path.relpath(LOUPE, ROOT)}`; peers: `{PY}`; started {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
                "The machine is shared: `load` is the 1-minute load average when the row finished.\n\n")
        f.write("| job | what | median | min–max | notes | peak RSS | load |\n|---|---|---:|---:|---|---:|---:|\n")
        for kind, detail, label, run in plan:
            if kind in skip or (kind == "q8full" and "q8" in skip):
                continue
            res, rss = run()
            load = os.getloadavg()[0]
            print(label, detail, res, f"{rss:.0f} MB", f"load {load:.1f}", flush=True)
            if "error" in res:
                row = f"| {label} | {detail} | error: {res['error']} | — | — | {rss:.0f} MB | {load:.1f} |"
            else:
                extra = []
                if "tokens_per_s" in res:
                    extra.append(f"{res['tokens_per_s']:.2f} tok/s")
                if "cache_mb" in res:
                    extra.append(f"cache {res['cache_mb']:.0f} MB planned (full {res['full_cache_mb']:.0f} MB)")
                if "mapped_mb" in res:
                    extra.append(f"mapped {res['mapped_mb']:.0f} MB, owned {res['owned_mb']:.0f} MB")
                span = f"{fmt(res['min_ms'])}–{fmt(res['max_ms'])}" if "min_ms" in res else "—"
                row = f"| {label} | {detail} | {fmt(res['ms'])} | {span} | {'; '.join(extra)} | {rss:.0f} MB | {load:.1f} |"
            f.write(row + "\n")
            f.flush()
    print("wrote", out_path)


if __name__ == "__main__":
    main()
