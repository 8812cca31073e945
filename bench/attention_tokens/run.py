"""attention_token_dataset at the seed's size (32 prompts × 32 tokens) on SmolLM2-135M and on a random
GPT-2-small-shaped model, beside the sgemm rate measured in the same Loupe process and the direct-way peer
(peer_transformer_lens.py, a few heads extrapolated). Prints a markdown table for bench/RESULTS.md.
Usage: tools/.venv/bin/python bench/attention_tokens/run.py [--runs 2] [--loupe .build/release/loupe]"""
import argparse, ast, os, statistics, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
py = os.path.join(root, "tools", ".venv", "bin", "python")
if not os.path.exists(py):
    py = sys.executable


def loupe(binary, model, runs, prompts, tokens):
    out = subprocess.run([binary, "run", "bench/attention_tokens/bench.loupe", "--out", "/tmp/loupe-bench-attn",
                          "-p", f"model_name={model!r}".replace("'", '"'), "-p", f"runs={runs}",
                          "-p", f"n_prompts={prompts}", "-p", f"n_tokens={tokens}"],
                         cwd=root, check=True, capture_output=True, text=True).stdout
    return [ast.literal_eval(line) for line in out.splitlines() if line.startswith("{")]


def peer(shape, prompts, tokens):
    out = subprocess.run([py, "bench/attention_tokens/peer_transformer_lens.py", shape, str(tokens), str(prompts)],
                         cwd=root, check=True, capture_output=True, text=True).stdout
    return ast.literal_eval(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--loupe", default=".build/release/loupe")
    ap.add_argument("--prompts", type=int, default=32)
    ap.add_argument("--tokens", type=int, default=32)
    ap.add_argument("--gpt2", default="/work/bigtmp/tsne/gpt2-random")
    a = ap.parse_args()
    subprocess.run([py, "bench/make_gpt2_random.py", a.gpt2], cwd=root, check=True)
    print("| model | rows | maps + products (TFLOP) | cold s (maps formed) | warm s (maps kept) | GFLOP/s cold | GFLOP/s warm | sgemm GFLOP/s | cold / sgemm | warm / sgemm | peer s (extrapolated) | peer / cold |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for model, shape in [("smollm2", "smollm2"), (a.gpt2, "gpt2")]:
        rs = loupe(a.loupe, model, a.runs, a.prompts, a.tokens)
        p = peer(shape, a.prompts, a.tokens)
        cold = statistics.median(r["cold_s"] for r in rs)
        warm = statistics.median(r["warm_s"] for r in rs)
        sg = statistics.median([r["sgemm_flops"] for r in rs] + [r["rate_after"] for r in rs])
        mf, pf = rs[0]["map_flop"], rs[0]["product_flop"]
        assert all(r["same"] for r in rs)
        print(f"| {shape} | {rs[0]['rows']} | {mf / 1e12:.2f} + {pf / 1e12:.2f} | {cold:.1f} ({min(r['cold_s'] for r in rs):.1f}–{max(r['cold_s'] for r in rs):.1f}, {len(rs)} runs) "
              f"| {warm:.1f} | {(mf + pf) / cold / 1e9:.0f} | {pf / warm / 1e9:.0f} | {sg / 1e9:.0f} | {(mf + pf) / cold / sg:.0%} | {pf / warm / sg:.0%} "
              f"| {p['extrapolated_s']:.0f} | {p['extrapolated_s'] / cold:.0f}× |", flush=True)


if __name__ == "__main__":
    main()
