"""torch bf16 matmul (oneDNN underneath) at the same shapes, 2 threads: GFLOP/s median (min-max) of 7."""
import time
import torch

torch.set_num_threads(2)
shapes = [(1, 14336, 4096), (2, 14336, 4096), (4, 14336, 4096), (8, 14336, 4096), (1, 4096, 14336),
          (34, 14336, 4096), (256, 14336, 4096), (34, 4096, 14336), (256, 4096, 4096), (34, 128256, 4096)]
print("| M × N × K | torch bf16 (F.linear) |\n|---|---|")
for m, n, k in shapes:
    x = torch.randn(m, k).to(torch.bfloat16)
    w = (torch.rand(n, k) * 0.05).to(torch.bfloat16)
    torch.nn.functional.linear(x, w)
    ts = []
    for _ in range(7):
        t0 = time.perf_counter()
        torch.nn.functional.linear(x, w)
        ts.append(time.perf_counter() - t0)
    ts.sort()
    fl = 2 * m * n * k * 1e-9
    print(f"| {m} × {n} × {k} | {fl / ts[3]:.0f} ({fl / ts[-1]:.0f}–{fl / ts[0]:.0f}) |")
