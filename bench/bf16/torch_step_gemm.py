"""torch's bf16 matmul (F.linear, oneDNN underneath) at the products of one Llama-3.1-8B step, 2 threads, beside
bench/bf16/step_gemm.c's ceiling: per product GFLOP/s median (min–max) of 5 after a warm-up, and the step's
products together (total FLOP / total median time). Weights cycle through copies of at least 96 MB so they
come from memory as in a real step.

Usage: tools/.venv/bin/python bench/bf16/torch_step_gemm.py [M,...]   (default 32,128,512)
"""
import statistics
import sys
import time

import torch

torch.set_num_threads(2)
torch.set_grad_enabled(False)
D, KV, MLP, VOCAB, LAYERS = 4096, 1024, 14336, 128256, 32
PRODUCTS = [("q", D, D, LAYERS), ("k", KV, D, LAYERS), ("v", KV, D, LAYERS), ("o", D, D, LAYERS),
            ("gate", MLP, D, LAYERS), ("up", MLP, D, LAYERS), ("down", D, MLP, LAYERS), ("unembed", VOCAB, D, 1)]


def main():
    ms = [int(x) for x in (sys.argv[1] if len(sys.argv) > 1 else "32,128,512").split(",")]
    print("| M | product | M × N × K | × per step | torch bf16 GFLOP/s |\n|---|---|---|---|---|")
    for m in ms:
        flop_total, time_total = 0.0, 0.0
        for name, n, k, count in PRODUCTS:
            copies = max(1, (96 << 20) // (n * k * 2))
            ws = [(torch.rand(n, k) * 0.05).to(torch.bfloat16) for _ in range(copies)]
            x = torch.randn(m, k).to(torch.bfloat16)
            torch.nn.functional.linear(x, ws[0])
            ts = []
            for i in range(5):
                t0 = time.perf_counter()
                torch.nn.functional.linear(x, ws[i % copies])
                ts.append(time.perf_counter() - t0)
            fl = 2 * m * n * k * 1e-9
            med = statistics.median(ts)
            print(f"| {m} | {name} | {m} × {n} × {k} | {count} | {fl / med:.0f} ({fl / max(ts):.0f}–{fl / min(ts):.0f}) |", flush=True)
            flop_total += fl * count
            time_total += med * count
            del ws
        print(f"| {m} | **the step's products** | | | **{flop_total / time_total:.0f}** |", flush=True)


if __name__ == "__main__":
    main()
