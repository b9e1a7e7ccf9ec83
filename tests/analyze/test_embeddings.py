"""Projections and neighbours, checked against scikit-learn."""

import numpy as np
import pytest

from torchloupe.analyze import embeddings as emb
from torchloupe.errors import LoupeValueError


def test_pca_matches_sklearn_up_to_sign():
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(0)
    x = (rng.normal(size=(300, 20)) * np.linspace(5, 0.1, 20)).astype(np.float32)
    p = emb.pca(x, 3)
    ref = PCA(3).fit(x)
    r = ref.transform(x)
    for i in range(3):
        assert abs(np.corrcoef(p.coords[:, i], r[:, i])[0, 1]) > 0.999
    assert np.allclose(p.explained, ref.explained_variance_ratio_, rtol=1e-2)


def test_tsne_separates_clusters_and_reports_progress():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1, (60, 10)), rng.normal(8, 1, (60, 10))]).astype(np.float32)
    seen = []
    p = emb.project(x, "tsne", 2, progress=lambda f, m: seen.append(f))
    assert p.coords.shape == (120, 2)
    a, b = p.coords[:60].mean(0), p.coords[60:].mean(0)
    assert np.linalg.norm(a - b) > 3 * p.coords[:60].std()
    assert seen[0] == 0.0 and seen[-1] == 1.0 and len(seen) > 5


def test_neighbors_match_sklearn():
    from sklearn.neighbors import NearestNeighbors

    x = np.random.default_rng(1).normal(size=(200, 8)).astype(np.float32)
    idx, dist = emb.neighbors(x, 17, k=5)
    ref = NearestNeighbors(n_neighbors=6).fit(x).kneighbors(x[17:18])[1][0][1:]
    assert idx.tolist() == ref.tolist()
    assert np.all(np.diff(dist) >= 0)


def test_bad_input():
    with pytest.raises(LoupeValueError, match=r"\[N, D\]"):
        emb.pca(np.zeros(5), 2)
    with pytest.raises(LoupeValueError, match="method"):
        emb.project(np.zeros((5, 3)), "lda")
    with pytest.raises(LoupeValueError, match="index"):
        emb.neighbors(np.zeros((5, 3)), 9)


@pytest.mark.slow
def test_umap_small():
    x = np.random.default_rng(0).normal(size=(150, 12)).astype(np.float32)
    assert emb.umap(x, 2).coords.shape == (150, 2)
