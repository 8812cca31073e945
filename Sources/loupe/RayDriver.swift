/// The Ray driver `loupe submit` ships (written to OUT/.loupe/ray_driver.py, then run as a Ray job):
/// one probe task per node says which node lacks `loupe`, the notebook or a writable OUT; then one Ray
/// task per missing shard runs `loupe run --shard K/N` (num_cpus = BLAS threads, memory = the model's
/// size, max_retries=3, retried on exit 75 or a lost worker, not on a deterministic error); results
/// stay on the shared storage, not in Ray's object store. When every shard is there it runs `loupe merge`.
enum RayDriver {
    static let pinnedRay = "2.60.0"

    static let source = #"""
# Loupe's Ray driver (written by `loupe submit`; Ray 2.60.0). Runs `loupe run --shard K/N` for each
# missing shard as a Ray task, then `loupe merge`. Nodes must see loupe, the notebook, the model and
# --out at the same paths.
import argparse, os, subprocess, sys, time
import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

parser = argparse.ArgumentParser()
parser.add_argument("--loupe", required=True)
parser.add_argument("--notebook", required=True)
parser.add_argument("--out", required=True)
parser.add_argument("--shards", type=int, required=True)
parser.add_argument("--cpus", type=float, default=1)
parser.add_argument("--memory", type=int, default=0)
parser.add_argument("--param", action="append", default=[])
parser.add_argument("--no-merge", action="store_true")
args = parser.parse_args()
N = args.shards


class Retryable(Exception):
    pass


class Deterministic(Exception):
    pass


def complete(k):
    return os.path.exists(os.path.join(args.out, "shards", f"{k}-of-{N}", "manifest.json"))


@ray.remote(num_cpus=0)
def probe(loupe, notebook, out):
    problems = []
    if not os.access(loupe, os.X_OK):
        problems.append(f"no executable loupe at {loupe}")
    if not os.path.isfile(notebook):
        problems.append(f"no notebook at {notebook}")
    try:
        os.makedirs(os.path.join(out, "shards"), exist_ok=True)
        if not os.access(os.path.join(out, "shards"), os.W_OK):
            problems.append(f"cannot write {out}")
    except OSError as e:
        problems.append(f"cannot write {out}: {e}")
    return f"{ray.util.get_node_ip_address()} ({ray.get_runtime_context().get_node_id()[:8]})", problems


@ray.remote
def run_shard(k, loupe, notebook, out, n, params, threads):
    cmd = [loupe, "run", notebook, "--shard", f"{k}/{n}", "--out", out, "--quiet"]
    for p in params:
        cmd += ["-p", p]
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    node = f"{ray.util.get_node_ip_address()} ({ray.get_runtime_context().get_node_id()[:8]})"
    tail = (r.stdout + r.stderr)[-3000:]
    if r.returncode == 0:
        return k, node
    if r.returncode == 75:
        raise Retryable(f"shard {k}-of-{n} on {node}: exit 75, retrying\n{tail}")
    raise Deterministic(f"shard {k}-of-{n} on {node}: exit {r.returncode}, a deterministic error (not retried)\n{tail}")


def main():
    ray.init()
    nodes = [n for n in ray.nodes() if n["Alive"]]
    probes = [probe.options(scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False))
              .remote(args.loupe, args.notebook, args.out) for n in nodes]
    broken = False
    for n, ref in zip(nodes, probes):
        try:
            node, problems = ray.get(ref)
        except ray.exceptions.RayError as e:
            # A node that leaves the cluster between the listing and its probe runs no shards.
            print(f"node {n['NodeManagerAddress']} ({n['NodeID'][:8]}): left the cluster before its probe ran "
                  f"({type(e).__name__}); its shards run elsewhere", flush=True)
            continue
        print(f"node {node}: " + ("; ".join(problems) if problems else "ok"), flush=True)
        broken = broken or bool(problems)
    if broken:
        sys.exit(2)
    todo = [k for k in range(N) if not complete(k)]
    print(f"running {len(todo)} of {N} shards ({N - len(todo)} already complete)", flush=True)
    threads = max(1, int(args.cpus))
    options = dict(num_cpus=args.cpus, max_retries=3, retry_exceptions=[Retryable])
    if args.memory > 0:
        options["memory"] = args.memory
    refs = {run_shard.options(**options).remote(k, args.loupe, args.notebook, args.out, N, args.param, threads): k
            for k in todo}
    pending, done, failed, start = list(refs), N - len(todo), [], time.time()
    while pending:
        ready, pending = ray.wait(pending, num_returns=1)
        for ref in ready:
            k = refs[ref]
            try:
                _, node = ray.get(ref)
                done += 1
                print(f"shard {k}-of-{N} done on {node}", flush=True)
            except Exception as e:  # a RayTaskError wrapping Deterministic, or retries exhausted
                failed.append(k)
                text = str(e)
                at = text.find(f"shard {k}-of-{N} on ")  # our message, without Ray's traceback
                print(f"shard {k}-of-{N} FAILED: {text[at:] if at >= 0 else text}", flush=True)
        ran = done - (N - len(todo))
        elapsed = time.time() - start
        rate = ran / elapsed if elapsed > 0 else 0.0
        left = (len(pending) / rate) if rate > 0 else float("nan")
        print(f"progress: {done}/{N} shards, {rate:.2f} shards/s, ~{left:.0f} s left", flush=True)
    if failed:
        print(f"{len(failed)} shard(s) failed: {', '.join(f'{k}-of-{N}' for k in sorted(failed))}", flush=True)
        sys.exit(1)
    if args.no_merge:
        return
    r = subprocess.run([args.loupe, "merge", args.out, "--quiet"], capture_output=True, text=True)
    print((r.stdout + r.stderr).strip(), flush=True)
    sys.exit(r.returncode)


main()
"""#
}
