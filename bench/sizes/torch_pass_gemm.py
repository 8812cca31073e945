"""torch's bf16 products over a whole gpt2-large pass at M rows (F.linear, oneDNN underneath, 2 threads): every
layer's matrices as distinct copies ([out, in], nn.Linear's layout) plus the unembedding, so weights stream from
memory as in a forward pass. Prints one JSON line: GFLOP/s median (min-max) of 7 passes after a warm-up.
Usage: torch_pass_gemm.py M"""
import json
import sys
import time

import torch

torch.set_num_threads(2)
m = int(sys.argv[1])
layers, shapes, unembed = 36, [(3840, 1280), (1280, 1280), (5120, 1280), (1280, 5120)], (50257, 1280)
g = torch.Generator().manual_seed(0)
mats = [(torch.rand(n, k, generator=g) * 0.05).to(torch.bfloat16) for _ in range(layers) for n, k in shapes]
mats.append((torch.rand(*unembed, generator=g) * 0.05).to(torch.bfloat16))
xs = {k: torch.randn(m, k, generator=g).to(torch.bfloat16) for k in (1280, 5120)}
flops = sum(2 * m * w.shape[0] * w.shape[1] for w in mats)


def one_pass():
    for w in mats:
        torch.nn.functional.linear(xs[w.shape[1]], w)


one_pass()
times = []
for _ in range(7):
    t0 = time.perf_counter()
    one_pass()
    times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"gflops": flops / times[3] / 1e9, "min": flops / times[-1] / 1e9, "max": flops / times[0] / 1e9}))
