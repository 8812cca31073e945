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

# --- logit lens, attention tokens, histograms (numpy as the independent computation) ---
rng = np.random.default_rng(11)
comp, pos, d_model, vocab, d_head = 3, 5, 16, 40, 4
stack = rng.normal(size=(comp, pos, d_model)).astype(np.float32)
W_U = rng.normal(size=(d_model, vocab)).astype(np.float32)
b_U = rng.normal(size=(vocab,)).astype(np.float32)
logits = stack @ W_U + b_U
probs = np.exp(logits - logits.max(-1, keepdims=True)); probs /= probs.sum(-1, keepdims=True)
top = np.argsort(-logits, axis=-1, kind="stable")[..., :3]
top_p = np.take_along_axis(probs, top, -1)

q = rng.normal(size=(pos, d_head)).astype(np.float32)
k = rng.normal(size=(pos, d_head)).astype(np.float32)
v = rng.normal(size=(pos, d_head)).astype(np.float32)
W_Q = rng.normal(size=(d_model, d_head)).astype(np.float32)
W_K = rng.normal(size=(d_model, d_head)).astype(np.float32)
W_O = rng.normal(size=(d_head, d_model)).astype(np.float32)
scores = q @ k.T
scores[np.triu_indices(pos, 1)] = -np.inf
pattern = np.exp(scores - scores.max(-1, keepdims=True)); pattern /= pattern.sum(-1, keepdims=True)
qk = np.full((pos, pos), -1)
for i in range(pos):
    for j in range(i + 1):
        qk[i, j] = int(np.argmax((q[i] * k[j]) @ W_Q.T @ W_U))
hist_values = rng.normal(size=1000).astype(np.float32)
edges = np.linspace(-2, 2, 21)
lens = {
    "stack": stack.flatten().tolist(), "W_U": W_U.flatten().tolist(), "b_U": b_U.flatten().tolist(),
    "top3": top.flatten().tolist(), "top3_probs": top_p.flatten().tolist(),
    "q": q.flatten().tolist(), "k": k.flatten().tolist(), "v": v.flatten().tolist(),
    "W_Q": W_Q.flatten().tolist(), "W_K": W_K.flatten().tolist(), "W_O": W_O.flatten().tolist(),
    "pattern": pattern.flatten().tolist(),
    "q_tok": np.argmax(q @ W_Q.T @ W_U, -1).tolist(), "k_tok": np.argmax(k @ W_K.T @ W_U, -1).tolist(),
    "v_tok": np.argmax(v @ W_O @ W_U, -1).tolist(), "qk_tok": qk.flatten().tolist(),
    "hist_values": hist_values.tolist(), "hist_edges": edges.tolist(),
    "hist_density": np.histogram(hist_values, bins=edges, density=True)[0].tolist(),
    "hist_counts": np.histogram(hist_values, bins=edges)[0].tolist(),
}
path = pathlib.Path(__file__).resolve().parent.parent / "Tests/Fixtures/analysis/lens_attention.json"
path.write_text(json.dumps(lens))
print("wrote", path)
