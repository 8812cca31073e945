"""The machine's own ceilings for the model-size benchmark, 2 threads: f32 GEMM throughput (torch and
numpy) at the Llama-3.1-8B prompt shapes (x [n, 4096] times the q/o, gate/up/down and unembedding
matrices) and bf16 GEMM in torch, plus the memory bandwidth of a 2-thread sum over 2 GB (what
one-token generation, which reads every weight once per token, can at most stream).

Usage: machine.py         prints one JSON line per measurement.
"""
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(2)
SHAPES = [(128, 4096, 4096), (128, 4096, 14336), (128, 14336, 4096), (32, 4096, 14336), (128, 4096, 128256)]


def best(fn, repeats=3):
    fn()
    t = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return min(t)


def main():
    for m, k, n in SHAPES:
        flops = 2 * m * k * n
        a32, b32 = torch.randn(m, k), torch.randn(k, n)
        s = best(lambda: a32 @ b32)
        print(json.dumps({"what": "torch f32 matmul", "m": m, "k": k, "n": n, "gflops": flops / s / 1e9}), flush=True)
        na, nb = a32.numpy(), b32.numpy()
        s = best(lambda: na @ nb)
        print(json.dumps({"what": "numpy f32 matmul", "m": m, "k": k, "n": n, "gflops": flops / s / 1e9}), flush=True)
        a16, b16 = a32.bfloat16(), b32.bfloat16()
        s = best(lambda: a16 @ b16)
        print(json.dumps({"what": "torch bf16 matmul", "m": m, "k": k, "n": n, "gflops": flops / s / 1e9}), flush=True)
        del a32, b32, na, nb, a16, b16
    x = torch.ones(2 << 30 >> 2)  # 2 GiB of f32
    s = best(lambda: x.sum())
    print(json.dumps({"what": "torch 2-thread sum over 2 GiB", "gb_per_s": x.numel() * 4 / s / 1e9}), flush=True)
    y = np.ones(2 << 30 >> 2, dtype=np.float32)
    s = best(lambda: y.sum())
    print(json.dumps({"what": "numpy 1-thread sum over 2 GiB", "gb_per_s": y.size * 4 / s / 1e9}), flush=True)


if __name__ == "__main__":
    main()
