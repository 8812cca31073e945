"""t-SNE side by side on the attention-token notebook's own point sets (/work/bigtmp/tsne/points/*.npy, written by
bench/tsne/points.loupe): scikit-learn's Barnes-Hut TSNE, openTSNE (FFT-accelerated interpolation, and its
Barnes-Hut), and Loupe's tsne(), all on scikit-learn's schedule (perplexity 30, early exaggeration 12 for 250
iterations with momentum 0.5, then 750 with 0.8, learning rate max(n/48, 50), PCA initialisation).
Besides the wall time, each row gives the CPU time (user + system, all threads): on a shared machine it moves
less than the wall time. Run the peers with OMP_WAIT_POLICY=PASSIVE there (OpenMP's spinning threads otherwise
burn the cores another process is waiting for).
Each embedding's KL divergence is measured the same way afterwards: P from the 3·perplexity nearest
neighbours (scikit-learn's _joint_probabilities_nn, as Barnes-Hut and FFT methods use), Q exact over all pairs.
Usage: tools/.venv/bin/python bench/tsne/run.py [--runs 5] [--loupe .build/release/loupe] [files...]"""
import argparse, glob, os, resource, subprocess, tempfile, time
import numpy as np


def kl_divergence(x, y, perplexity=30.0):
    from sklearn.manifold._t_sne import _joint_probabilities_nn
    from sklearn.neighbors import NearestNeighbors
    n = len(x)
    k = min(n - 1, int(3.0 * perplexity + 1))
    nn = NearestNeighbors(n_neighbors=k).fit(x)
    dist = nn.kneighbors_graph(mode="distance")
    dist.data **= 2
    p = _joint_probabilities_nn(dist, perplexity, 0).tocoo()
    y = y.astype(np.float64)
    z = 0.0
    for s in range(0, n, 2048):
        d2 = ((y[s:s + 2048, None, :] - y[None, :, :]) ** 2).sum(-1)
        z += (1.0 / (1.0 + d2)).sum() - min(2048, n - s)  # leave out the diagonal
    d2 = ((y[p.row] - y[p.col]) ** 2).sum(-1)
    q = 1.0 / (1.0 + d2) / z
    pv = np.maximum(p.data, 1e-12)
    return float((pv * np.log(pv / np.maximum(q, 1e-12))).sum())


def sklearn_bh(x):
    from sklearn.manifold import TSNE
    kw = dict(n_components=2, perplexity=30.0, init="pca", learning_rate="auto", method="barnes_hut", angle=0.5,
              random_state=0)
    try:
        return TSNE(max_iter=1000, **kw).fit_transform(x)
    except TypeError:
        return TSNE(n_iter=1000, **kw).fit_transform(x)


def open_tsne(method, own_defaults=False):
    """openTSNE on scikit-learn's schedule: its gradient leaves out the factor 4 (scikit-learn's documentation:
    "our learning_rate=200 corresponds to learning_rate=800" in openTSNE and FIt-SNE), so the same steps are
    4·max(n/48, 50); momentum 0.5 then 0.8 and no step clipping, as scikit-learn. own_defaults: openTSNE's own
    schedule instead (learning rate n/12 then n, momentum 0.8 throughout, steps clipped to norm 5)."""
    def run(x):
        import openTSNE
        n = len(x)
        kw = dict(perplexity=30, n_iter=750, early_exaggeration_iter=250, early_exaggeration=12, initialization="pca",
                  neighbors="exact", negative_gradient_method=method, theta=0.5, n_jobs=2, random_state=0)
        if not own_defaults:
            kw.update(learning_rate=4 * max(n / 48.0, 50.0), initial_momentum=0.5, final_momentum=0.8,
                      max_step_norm=None)
        return np.asarray(openTSNE.TSNE(**kw).fit(x))
    return run


def loupe_runner(binary, method=None):
    """Loupe's tsne() with its own choice of method, or one forced (for measuring the thresholds)."""
    def run(x):
        with tempfile.TemporaryDirectory() as d:
            np.save(f"{d}/x.npy", x.astype(np.float32))
            forced = f', method="{method}"' if method else ""
            script = f'x = read("{d}/x.npy")\ny = tsne(x{forced})\nsave("{d}/y.npy", y)\n'
            open(f"{d}/s.loupe", "w").write(script)
            subprocess.run([binary, "run", f"{d}/s.loupe"], check=True, capture_output=True)
            return np.load(f"{d}/y.npy")
    return run


def cpu_seconds():
    """User + system CPU of this process (all its threads) and of its finished children (the loupe runs)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--loupe", default=".build/release/loupe")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    files = a.files or sorted(glob.glob("/work/bigtmp/tsne/points/*.npy"))
    methods = {"loupe": loupe_runner(a.loupe), "loupe-exact": loupe_runner(a.loupe, "exact"),
               "loupe-bh": loupe_runner(a.loupe, "barnes_hut"), "loupe-fft": loupe_runner(a.loupe, "fft"), "sklearn-bh": sklearn_bh, "opentsne-fft": open_tsne("fft"),
               "opentsne-bh": open_tsne("bh"), "opentsne-fft-own": open_tsne("fft", own_defaults=True)}
    if not a.only:  # the forced Loupe methods only when asked for
        methods = {k: v for k, v in methods.items() if k not in ("loupe-exact", "loupe-bh", "loupe-fft")}
    if a.only:
        methods = {k: v for k, v in methods.items() if k in a.only.split(",")}
    print("| points | n | method | wall s, median (min–max, runs) | CPU s, median | KL |")
    print("|---|---|---|---|---|---|")
    for f in files:
        x = np.load(f).astype(np.float32)
        for name, fn in methods.items():
            times, cpu, y = [], [], None
            for _ in range(a.runs):
                t, c = time.perf_counter(), cpu_seconds()
                y = fn(x)
                times.append(time.perf_counter() - t)
                cpu.append(cpu_seconds() - c)
            kl = kl_divergence(x, y)
            print(f"| {os.path.basename(f)} | {len(x)} | {name} | {np.median(times):.2f} ({min(times):.2f}–{max(times):.2f}, "
                  f"{a.runs}) | {np.median(cpu):.2f} | {kl:.4f} |", flush=True)


if __name__ == "__main__":
    main()
