"""Generate the torch random-number fixture for LoupeTensor's `TorchGenerator` (bit-for-bit with torch's CPU
generator).

Run by hand (never from CI or tests):
    tools/.venv/bin/python tools/gen_rng_fixtures.py

Writes Tests/Fixtures/rng/torch_rng.json: a list of cases, each one generator seeded with `seed`
(`torch.Generator().manual_seed(seed)`, or no manual_seed when seed is null: the generator's default
seed) and a sequence of draws from it in order, each with torch's values:
    {"op": "rand", "size": n}                          torch.rand(n, generator=g)
    {"op": "randn", "size": n}                         torch.randn(n, generator=g)
    {"op": "normal_", "size": n, "mean": m, "std": s}  torch.empty(n).normal_(m, s, generator=g)
    {"op": "normal_strided", "size": n}                the column torch.empty(n, 2)[:, 0].normal_() (not contiguous)
    {"op": "uniform_", "size": n, "from": a, "to": b}  torch.empty(n).uniform_(a, b, generator=g)
    {"op": "randint", "low": a, "high": b, "size": n}  torch.randint(a, b, (n,), generator=g) (int64)
    {"op": "randperm", "n": n}                         torch.randperm(n, generator=g)
    {"op": "multinomial", "probs": p, "n": n, "replacement": r}   torch.multinomial(torch.tensor(p), n, r, generator=g)
    {"op": "manual_seed", "seed": s}                   g.manual_seed(s) (resets the cached normal sample)
Float values are float32 printed shortest (they round-trip exactly); ints are exact.
"""
import json
import pathlib

import numpy as np
import torch

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "rng" / "torch_rng.json"
SIZES = [1, 7, 15, 16, 17, 33, 1000]


def floats(t):
    # str(float32) is the shortest decimal that reads back as the same float32.
    return [float(str(np.float32(v))) for v in t.reshape(-1).tolist()]


def run(seed, ops):
    g = torch.Generator()
    if seed is not None:
        g.manual_seed(seed)
    out = []
    for op in ops:
        op = dict(op)
        kind = op["op"]
        if kind == "rand":
            op["values"] = floats(torch.rand(op["size"], generator=g))
        elif kind == "randn":
            op["values"] = floats(torch.randn(op["size"], generator=g))
        elif kind == "normal_":
            op["values"] = floats(torch.empty(op["size"]).normal_(op["mean"], op["std"], generator=g))
        elif kind == "normal_strided":
            base = torch.zeros(op["size"], 2)
            base[:, 0].normal_(generator=g)
            op["values"] = floats(base[:, 0])
        elif kind == "uniform_":
            op["values"] = floats(torch.empty(op["size"]).uniform_(op["from"], op["to"], generator=g))
        elif kind == "randint":
            op["values"] = torch.randint(op["low"], op["high"], (op["size"],), generator=g).tolist()
        elif kind == "randperm":
            op["values"] = torch.randperm(op["n"], generator=g).tolist()
        elif kind == "multinomial":
            op["values"] = torch.multinomial(torch.tensor(op["probs"]), op["n"], op["replacement"], generator=g).reshape(-1).tolist()
        elif kind == "manual_seed":
            g.manual_seed(op["seed"])
        else:
            raise ValueError(kind)
        out.append(op)
    return {"seed": seed, "ops": out}


def main():
    cases = []
    for seed in [0, 1, 42, 2**40 + 7]:
        cases.append(run(seed, [{"op": "rand", "size": n} for n in SIZES]))
        cases.append(run(seed, [{"op": "randn", "size": n} for n in SIZES]))
    # The scalar path's cached second sample carries over between calls and across other draws,
    # and manual_seed drops it.
    cases.append(run(0, [{"op": "randn", "size": 3}, {"op": "randn", "size": 3}, {"op": "rand", "size": 2},
                         {"op": "randn", "size": 1}, {"op": "randn", "size": 16}, {"op": "randn", "size": 1},
                         {"op": "randn", "size": 5}, {"op": "manual_seed", "seed": 0}, {"op": "randn", "size": 3}]))
    cases.append(run(7, [{"op": "normal_", "size": n, "mean": 0.3, "std": 1.7} for n in [7, 16, 33, 5, 9, 3]]
                     + [{"op": "normal_strided", "size": 20}, {"op": "normal_strided", "size": 7}]))
    cases.append(run(7, [{"op": "uniform_", "size": n, "from": -2.0, "to": 3.0} for n in [7, 33]]
                     + [{"op": "uniform_", "size": 9, "from": 0.1, "to": 0.7}]))
    for seed in [0, 3]:
        cases.append(run(seed, [{"op": "randint", "low": 0, "high": 10, "size": n} for n in [1, 7, 17]]
                         + [{"op": "randint", "low": -5, "high": 50000, "size": 33},
                            {"op": "randint", "low": 0, "high": 49152, "size": 100},
                            {"op": "randint", "low": 1000, "high": 2**24, "size": 20}]))
        cases.append(run(seed, [{"op": "randperm", "n": n} for n in [1, 2, 7, 16, 17, 1000]]))
    weights = [[float(1 + (7 * i) % 11) for i in range(50)], [float((3 * i) % 5) for i in range(50)]]
    for seed in [0, 5]:
        cases.append(run(seed, [{"op": "multinomial", "probs": [0.1, 0.2, 0.3, 0.4], "n": 1, "replacement": False},
                                {"op": "multinomial", "probs": [0.1, 0.2, 0.3, 0.4], "n": 1, "replacement": True},
                                {"op": "multinomial", "probs": weights, "n": 1, "replacement": False},
                                {"op": "multinomial", "probs": weights, "n": 10, "replacement": False},
                                {"op": "multinomial", "probs": weights, "n": 30, "replacement": True},
                                {"op": "multinomial", "probs": weights[0], "n": 50, "replacement": False}]))
    # No manual_seed: torch.Generator()'s default seed.
    cases.append(run(None, [{"op": "randn", "size": 4}, {"op": "rand", "size": 3}, {"op": "randint", "low": 0, "high": 100, "size": 5}]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"torch": torch.__version__, "cases": cases}, separators=(",", ":"))
    OUT.write_text(text + "\n")
    print(f"wrote {OUT} ({len(text)} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
