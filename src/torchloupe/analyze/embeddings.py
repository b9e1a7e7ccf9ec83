"""Projections of embedding vectors to 2 or 3 dimensions (PCA, t-SNE, UMAP) and nearest neighbours
in the original space. Pure functions on arrays; the slow ones report progress through a callback.

Example:
    >>> x = np.random.default_rng(0).normal(size=(500, 32)).astype(np.float32)
    >>> pca(x, 2).coords.shape
    (500, 2)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import LoupeValueError

Progress = Callable[[float, str], None]
METHODS = ("pca", "tsne", "umap")


@dataclass(frozen=True)
class Projection:
    """Coordinates ``[N, dims]`` float32 and, for PCA, the explained variance ratio per axis."""

    coords: np.ndarray
    explained: np.ndarray | None = None


def _quiet(fraction: float, message: str) -> None:
    return None


def pca(x: np.ndarray, dims: int = 2, seed: int = 0) -> Projection:
    """Principal components with ``torch.pca_lowrank`` (randomized; about 1 s for 70,000 x 784).

    Example:
        >>> x = np.c_[np.arange(10.0), np.zeros(10), np.zeros(10)]
        >>> np.abs(pca(x, 2).coords[:, 0]).round(1).tolist()[:3]
        [4.5, 3.5, 2.5]
    """
    import torch

    _check(x, dims)
    t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    q = min(dims + 10, t.shape[0], t.shape[1])
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        _, s, v = torch.pca_lowrank(t, q=q, center=True, niter=4)
    mean = t.mean(0)
    coords = (t - mean) @ v[:, :dims]
    total = float(((t - mean) ** 2).sum()) / max(1, len(t) - 1)
    explained = (s[:dims] ** 2 / max(1, len(t) - 1)).numpy() / (total or 1.0)
    out = coords.numpy().astype(np.float32)
    if out.shape[1] < dims:  # fewer features than requested axes
        out = np.pad(out, ((0, 0), (0, dims - out.shape[1])))
        explained = np.pad(explained, (0, dims - len(explained)))
    return Projection(out, explained.astype(np.float64))


def tsne(x: np.ndarray, dims: int = 2, perplexity: float = 30.0, seed: int = 0,
         progress: Progress = _quiet, n_jobs: int = 1) -> Projection:
    """t-SNE with openTSNE (FFT-accelerated), after PCA to 50 dimensions when there are more.

    ``progress(fraction, message)`` is called every 25 iterations.
    """
    from openTSNE import TSNE

    _check(x, dims)
    x = _prereduce(x)
    perplexity = float(min(perplexity, max(2.0, (len(x) - 1) / 3)))
    early, main = 250, 500
    done = [0]

    def tick(iteration: int, error: float, embedding: Any) -> bool:
        done[0] += 25
        progress(min(0.99, done[0] / (early + main)), f"iteration {done[0]} of {early + main}")
        return False

    progress(0.0, "nearest neighbours")
    model = TSNE(n_components=dims, perplexity=perplexity, random_state=seed, n_jobs=n_jobs,
                 early_exaggeration_iter=early, n_iter=main, callbacks=tick, callbacks_every_iters=25,
                 # Barnes-Hut is faster below ~10,000 points, and the only choice in 3-D.
                 negative_gradient_method="fft" if dims == 2 and len(x) >= 10_000 else "bh")
    coords = np.asarray(model.fit(x), dtype=np.float32)
    progress(1.0, "done")
    return Projection(coords)


def umap(x: np.ndarray, dims: int = 2, n_neighbors: int = 15, min_dist: float = 0.1, seed: int = 0,
         progress: Progress = _quiet) -> Projection:
    """UMAP with umap-learn. Its first call in a process spends ~10 s compiling (numba)."""
    progress(0.0, "loading umap")
    import umap as umap_learn

    _check(x, dims)
    x = _prereduce(x)
    progress(0.05, "fitting")
    model = umap_learn.UMAP(n_components=dims, n_neighbors=min(n_neighbors, len(x) - 1),
                            min_dist=min_dist, random_state=seed)
    with warnings.catch_warnings():
        # A seed makes umap single-threaded, which it announces on every call.
        warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
        coords = np.asarray(model.fit_transform(x), dtype=np.float32)
    progress(1.0, "done")
    return Projection(coords)


def project(x: np.ndarray, method: str, dims: int = 2, progress: Progress = _quiet,
            **params: Any) -> Projection:
    """One verb for every method: ``method`` is ``"pca"``, ``"tsne"`` or ``"umap"``."""
    if method == "pca":
        return pca(x, dims)
    if method == "tsne":
        return tsne(x, dims, progress=progress, **params)
    if method == "umap":
        return umap(x, dims, progress=progress, **params)
    raise LoupeValueError(f"method must be one of {METHODS}, got {method!r}")


def neighbors(x: np.ndarray, index: int, k: int = 10, metric: str = "euclidean") -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest neighbours of row ``index`` (itself excluded) and their distances.

    Example:
        >>> neighbors(np.arange(10.0)[:, None], 4, k=2)[0].tolist()
        [3, 5]
    """
    if not 0 <= index < len(x):
        raise LoupeValueError(f"index must be in [0, {len(x)}), got {index}")
    if metric not in ("euclidean", "cosine"):
        raise LoupeValueError(f"metric must be 'euclidean' or 'cosine', got {metric!r}")
    a = np.asarray(x, np.float32)
    if metric == "cosine":
        norm = np.linalg.norm(a, axis=1)
        d = 1 - (a @ a[index]) / np.maximum(norm * norm[index], 1e-12)
    else:
        d = np.sqrt(np.maximum(((a - a[index]) ** 2).sum(1), 0))
    d[index] = np.inf
    k = min(k, len(a) - 1)
    idx = np.argpartition(d, k - 1)[:k] if k > 0 else np.zeros(0, np.int64)
    idx = idx[np.lexsort((idx, d[idx]))]
    return idx.astype(np.int64), d[idx].astype(np.float64)


def _check(x: np.ndarray, dims: int) -> None:
    if x.ndim != 2 or len(x) < 2:
        raise LoupeValueError(f"features must be [N, D] with N >= 2, got shape {x.shape}")
    if dims not in (2, 3):
        raise LoupeValueError(f"dims must be 2 or 3, got {dims}")


def _prereduce(x: np.ndarray, components: int = 50) -> np.ndarray:
    x = np.asarray(x, np.float32)
    if x.shape[1] <= components:
        return x
    return _pca_k(x, components)


def _pca_k(x: np.ndarray, k: int) -> np.ndarray:
    import torch

    t = torch.from_numpy(np.ascontiguousarray(x))
    _, _, v = torch.pca_lowrank(t, q=k, center=True, niter=2)
    return ((t - t.mean(0)) @ v[:, :k]).numpy()
