"""Reference values for LoupeAnalysis tests (PCA, trustworthiness) from scikit-learn.

Run by hand, never in CI:
    python3 -m venv tools/.venv && tools/.venv/bin/pip install numpy scikit-learn
    tools/.venv/bin/python tools/gen_analysis_fixtures.py
Writes Tests/Fixtures/analysis/pca_tsne.json.
"""
import json
import pathlib

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE, trustworthiness

rng = np.random.default_rng(7)
# three Gaussian clusters in 10-D, 20 points each
centers = rng.normal(0, 6, size=(3, 10))
x = np.concatenate([c + rng.normal(0, 1, size=(20, 10)) for c in centers]).astype(np.float32)
labels = [i // 20 for i in range(60)]

pca = PCA(n_components=2, svd_solver="full").fit(x)
coords = pca.transform(x)
emb = rng.normal(0, 1, size=(60, 2)).astype(np.float32)
tsne = TSNE(n_components=2, perplexity=10, random_state=0, init="pca").fit_transform(x)

out = {
    "n": 60, "d": 10,
    "x": x.flatten().tolist(),
    "labels": labels,
    "pca_coords": coords.flatten().tolist(),
    "pca_variance": pca.explained_variance_.tolist(),
    "random_embedding": emb.flatten().tolist(),
    "trust_random_k5": float(trustworthiness(x, emb, n_neighbors=5)),
    "sklearn_tsne_trust_k5": float(trustworthiness(x, tsne, n_neighbors=5)),
}
path = pathlib.Path(__file__).resolve().parent.parent / "Tests/Fixtures/analysis/pca_tsne.json"
path.write_text(json.dumps(out))
print("wrote", path, "sklearn t-SNE trustworthiness", out["sklearn_tsne_trust_k5"])
