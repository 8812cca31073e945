#!/usr/bin/env python3
"""Script fuzzer for the Loupe language, run by hand against a build (never in CI).

Takes the scripts in notebooks/ and Tests/Scripts/, mutates them (byte flips, spliced lines, deep
nesting, long lines, deep indentation, invalid UTF-8, runaway recursion) plus the fixed hostile
cases, runs each through `loupe FILE` with a time limit, and sorts the outcomes:

  crash      killed by a signal (stack overflow, SIGBUS, trap) or exit code > 1
  hang       still running after --timeout seconds
  unlocated  exit 1 whose first stderr line is not `file:line:col: message`
  slow       finished but took more than --slow seconds (super-linear paths)
  ok         ran, or stopped with a located error

    python3 tools/fuzz_scripts.py --loupe .build/release/loupe -n 2000 --seed 1 --out /tmp/fuzz
Failing inputs are kept in --out/<class>/ with their stderr. Peak memory is the largest child RSS.
"""
import argparse
import concurrent.futures as cf
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCATED = re.compile(rb"^[^\n:]+:\d+:\d+: ")


def corpus():
    files = sorted((ROOT / "Tests" / "Scripts").rglob("*.loupe")) + sorted((ROOT / "notebooks").glob("*.loupe"))
    return [(f.relative_to(ROOT).as_posix(), f.read_bytes()) for f in files]


def hostile_cases():
    """The named cases: each (name, bytes)."""
    deep_blocks = "".join(" " * i + "if True:\n" for i in range(4000)) + " " * 4000 + "pass\n"
    deep_defs = "".join(" " * i + f"def f{i}():\n" for i in range(2000)) + " " * 2000 + "return 1\n"
    return [
        ("parens_10000", b"(" * 10000 + b"\n"),
        ("parens_balanced_5000", b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n"),
        ("brackets_5000", b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n"),
        ("braces_5000", b"x = " + b"{" * 5000 + b"}" * 5000 + b"\n"),
        ("unary_minus_10000", b"x = " + b"-" * 10000 + b"1\n"),
        ("not_10000", b"x = " + b"not " * 10000 + b"True\n"),
        ("power_chain_5000", b"x = " + b"2**" * 5000 + b"1\n"),
        ("plus_chain_50000", b"x = " + b"1+" * 50000 + b"1\n"),
        ("attr_chain_20000", b"x = a" + b".b" * 20000 + b"\n"),
        ("call_chain_20000", b"x = f" + b"()" * 20000 + b"\n"),
        ("index_chain_20000", b"x = a" + b"[0]" * 20000 + b"\n"),
        ("lambda_chain_5000", b"x = " + b"lambda: " * 5000 + b"1\n"),
        ("ternary_chain_5000", b"x = " + b"1 if True else " * 5000 + b"1\n"),
        ("fstring_nested", b"x = " + b"f'{" * 2000 + b"1" + b"}'" * 2000 + b"\n"),
        ("fstring_fields_4000", b"x = f'" + b"{1}" * 4000 + b"'\n"),
        ("blocks_4000", deep_blocks.encode()),
        ("defs_2000", deep_defs.encode()),
        ("line_4000_cols", b"x = " + b"1 + " * 1000 + b"\n"),
        ("line_4000_bad_end", b"x = " + b"a, " * 1400 + b")\n"),
        ("line_100000_string", b"x = '" + b"a" * 100000 + b"\n"),
        ("line_40000_commas", b"x = [" + b"1, " * 13000 + b"\n"),
        ("lines_20000_bad_last", b"x = 1\n" * 20000 + b"x = )\n"),
        ("invalid_utf8", b"x = 1\nprint('caf\xe9')\n"),
        ("invalid_utf8_first_line", b"\xff\xfe = 2\n"),
        ("recursion_def", b"def f(): return f()\nf()\n"),
        ("recursion_mutual", b"def f(n): return g(n)\ndef g(n): return f(n)\nf(1)\n"),
        ("recursion_lambda", b"f = lambda: f()\nf()\n"),
        ("recursion_repr", b"x = []\nfor i in range(100000):\n    x = [x]\nprint(x)\n"),
        ("recursion_eq", b"x = []\ny = []\nfor i in range(100000):\n    x = [x]\n    y = [y]\nprint(x == y)\n"),
        ("recursion_method_sort", b"def k(v): return sorted([1], key=k)\nk(1)\n"),
        ("recursion_map", b"def f(x): return list(map(f, [x]))\nf(1)\n"),
    ]


def mutate(rng, name, data, pool):
    """One random mutation of `data`; returns (label, bytes)."""
    lines = data.split(b"\n")
    kind = rng.choice(["flip", "delete", "dup", "splice", "nest", "indent", "longline", "utf8", "brackets",
                       "truncate", "recurse"])
    if kind == "flip" and data:
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.choice(b"()[]{}:,.=+-*/\\'\"#\n \tfx0")
        return kind, bytes(b)
    if kind == "delete" and data:
        i = rng.randrange(len(data))
        return kind, data[:i] + data[i + rng.randint(1, 40):]
    if kind == "dup" and lines:
        i = rng.randrange(len(lines))
        return kind, b"\n".join(lines[:i] + [lines[i]] * rng.randint(2, 2000) + lines[i:])
    if kind == "splice":
        other = rng.choice(pool)[1].split(b"\n")
        i = rng.randrange(len(lines) + 1)
        j = rng.randrange(len(other))
        return kind, b"\n".join(lines[:i] + other[j:j + rng.randint(1, 20)] + lines[i:])
    if kind == "nest" and lines:
        i = rng.randrange(len(lines))
        n = rng.choice([50, 200, 1000, 5000])
        open_, close = rng.choice([(b"(", b")"), (b"[", b"]"), (b"{", b"}"), (b"-", b""), (b"not ", b"")])
        body = lines[i].strip() or b"1"
        lines[i] = b"x = " + open_ * n + body + close * n
        return kind, b"\n".join(lines)
    if kind == "indent":
        n = rng.choice([100, 1000, 4000])
        block = b"".join(b" " * k + b"while False:\n" for k in range(n)) + b" " * n + b"pass\n"
        return kind, data + b"\n" + block
    if kind == "longline" and lines:
        i = rng.randrange(len(lines))
        lines[i] = lines[i] + b" + 1" * rng.choice([1000, 4000, 20000])
        return kind, b"\n".join(lines)
    if kind == "utf8" and data:
        i = rng.randrange(len(data))
        return kind, data[:i] + rng.choice([b"\xff", b"\xc3", b"\xe9", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]) + data[i:]
    if kind == "brackets" and data:
        i = rng.randrange(len(data))
        return kind, data[:i] + bytes(rng.choice(b"([{)]}") for _ in range(rng.randint(1, 3000))) + data[i:]
    if kind == "truncate" and data:
        return kind, data[:rng.randrange(len(data))]
    return "recurse", data + b"\ndef _r(n): return _r(n + 1)\n_r(0)\n"


def run_one(loupe, path, timeout):
    start = time.time()
    proc = subprocess.Popen([loupe, str(path)], cwd=ROOT,  # scripts name fixtures from the root stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env=dict(os.environ, SWIFT_BACKTRACE="enable=no"))  # the backtracer takes minutes
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return "hang", time.time() - start, b""
    elapsed = time.time() - start
    rc = proc.returncode
    if rc < 0 or rc > 1:
        return "crash", elapsed, err + f"\n[exit {rc}]".encode()
    if rc == 1 and not LOCATED.match(err):
        return "unlocated", elapsed, err
    return "ok", elapsed, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loupe", default=str(ROOT / ".build" / "release" / "loupe"))
    ap.add_argument("-n", type=int, default=300, help="mutated programs (plus the fixed hostile cases)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--slow", type=float, default=2)
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--out", default="/tmp/loupe-fuzz")
    ap.add_argument("--only-hostile", action="store_true")
    ap.add_argument("--no-notebooks", action="store_true", help="leave out notebooks/ (they load models)")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    pool = corpus()
    if args.no_notebooks:
        pool = [p for p in pool if not p[0].startswith("notebooks/")]
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    work = out / "work"
    work.mkdir(parents=True)
    cases = [(f"hostile/{n}", d) for n, d in hostile_cases()]
    if not args.only_hostile:
        for _ in range(args.n):
            name, data = rng.choice(pool)
            label, mutated = mutate(rng, name, data, pool)
            cases.append((f"{label}/{name}", mutated))

    def job(index):
        label, data = cases[index]
        path = work / f"fuzz_{index}.loupe"
        path.write_bytes(data)
        try:
            return index, *run_one(args.loupe, path, args.timeout)
        finally:
            path.unlink(missing_ok=True)

    counts = {}
    slow = []
    with cf.ThreadPoolExecutor(max_workers=args.j) as pool_:
        for index, outcome, elapsed, err in pool_.map(job, range(len(cases))):
            label, data = cases[index]
            if outcome == "ok" and elapsed > args.slow:
                slow.append((elapsed, label))
                outcome = "slow"
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome != "ok":
                keep = out / outcome
                keep.mkdir(exist_ok=True)
                stem = f"{index:05d}_" + label.replace("/", "_")
                (keep / (stem + ".loupe")).write_bytes(data)
                (keep / (stem + ".stderr")).write_bytes(err[:4000] + f"\n[{elapsed:.2f} s]\n".encode())
                print(f"{outcome:9s} {elapsed:6.2f}s {label}: {err.splitlines()[0][:120] if err else b''}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\n{len(cases)} programs: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
          + f"; peak child RSS {peak:.0f} MB")
    return 1 if counts.get("crash") or counts.get("hang") else 0


if __name__ == "__main__":
    sys.exit(main())
