"""Dataset statistics: class balance, per-class mean/std images, intensity histograms, sizes, and
suspicious samples (near duplicates, likely mislabelled). Pure functions on NumPy arrays.

Example:
    >>> x = np.random.default_rng(0).random((60, 1, 8, 8), dtype=np.float32)
    >>> y = np.arange(60) % 3
    >>> stats = class_stats(x, y, 3)
    >>> stats.mean.shape, stats.counts.tolist()
    ((3, 1, 8, 8), [20, 20, 20])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import LoupeValueError

HIST_BINS = 64


@dataclass(frozen=True)
class ClassStats:
    """Per-class counts, mean and standard deviation of the samples (``[K, *sample_shape]``)."""

    counts: np.ndarray
    mean: np.ndarray
    std: np.ndarray


@dataclass(frozen=True)
class Suspects:
    """Near-duplicate pairs and likely-mislabelled samples, most suspicious first.

    ``dup_pairs`` [M, 2] positions into the analysed array, ``dup_distance`` [M] their pixel
    distance divided by the median nearest-neighbour distance; ``mislabelled`` [L] positions,
    ``mislabelled_score`` [L] the share of neighbours that agree on another label,
    ``mislabelled_suggested`` [L] that label.
    """

    dup_pairs: np.ndarray
    dup_distance: np.ndarray
    mislabelled: np.ndarray
    mislabelled_score: np.ndarray
    mislabelled_suggested: np.ndarray


def as_chw(item: Any) -> np.ndarray:
    """One sample as a float32 array: ``[C, H, W]`` for images, ``[D]`` for vectors.

    Accepts tensors, NumPy arrays and PIL images; ``[H, W]`` becomes one channel and ``[H, W, C]``
    (C in 1, 3, 4, last axis) is moved to the front.

    Example:
        >>> as_chw(np.zeros((28, 28, 3))).shape
        (3, 28, 28)
    """
    if hasattr(item, "detach"):
        a = item.detach().cpu().numpy()
    else:
        a = np.asarray(item)
    if a.dtype == object or not np.issubdtype(a.dtype, np.number) and a.dtype != bool:
        raise LoupeValueError(f"a sample must be a numeric image or vector, got dtype {a.dtype}")
    a = a.astype(np.float32, copy=False)
    if a.ndim == 1:
        return a
    if a.ndim == 2:
        return a[None]
    if a.ndim == 3:
        if a.shape[0] not in (1, 3, 4) and a.shape[2] in (1, 3, 4):
            a = np.moveaxis(a, 2, 0)
        return a
    raise LoupeValueError(
        f"a sample must be a vector [D] or an image [H, W], [C, H, W] or [H, W, C]; got shape {a.shape}")


def class_stats(x: np.ndarray, labels: np.ndarray, num_classes: int) -> ClassStats:
    """Count, mean and std of the samples of each class (classes without samples get zeros)."""
    counts = np.bincount(labels, minlength=num_classes)[:num_classes]
    mean = np.zeros((num_classes, *x.shape[1:]), np.float32)
    std = np.zeros_like(mean)
    for k in range(num_classes):
        xs = x[labels == k]
        if len(xs):
            mean[k] = xs.mean(0)
            std[k] = xs.std(0)
    return ClassStats(counts, mean, std)


def channel_histograms(x: np.ndarray, bins: int = HIST_BINS,
                       lo: float | None = None, hi: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Counts ``[C, bins]`` of the values of each channel over shared ``edges`` ``[bins + 1]``.

    Vectors (``[N, D]``) count as one channel.

    Example:
        >>> counts, edges = channel_histograms(np.ones((4, 3, 2, 2)), bins=4, lo=0, hi=2)
        >>> counts[:, 2].tolist()
        [16, 16, 16]
    """
    chans = x.reshape(len(x), 1, -1) if x.ndim == 2 else x.reshape(len(x), x.shape[1], -1)
    if lo is None or hi is None:
        finite = chans[np.isfinite(chans)]
        lo = (float(finite.min()) if finite.size else 0.0) if lo is None else lo
        hi = (float(finite.max()) if finite.size else 1.0) if hi is None else hi
    if hi <= lo:
        hi = lo + 1.0
    edges = np.linspace(lo, hi, bins + 1)
    counts = np.stack([np.histogram(chans[:, c], edges)[0] for c in range(chans.shape[1])])
    return counts.astype(np.int64), edges


def reduce(x: np.ndarray, components: int = 50) -> np.ndarray:
    """A cheap embedding of flattened samples: PCA to ``components`` dimensions (float32)."""
    import torch

    flat = torch.from_numpy(np.ascontiguousarray(x.reshape(len(x), -1), dtype=np.float32))
    k = min(components, flat.shape[0], flat.shape[1])
    if k < flat.shape[1]:
        _, _, v = torch.pca_lowrank(flat, q=k, center=True, niter=3)
        flat = (flat - flat.mean(0)) @ v[:, :k]
    return flat.numpy()


def suspects(x: np.ndarray, labels: np.ndarray | None, k: int = 10, dup_ratio: float = 0.1,
             min_score: float = 0.8, limit: int = 200) -> Suspects:
    """Near duplicates and likely-mislabelled samples from nearest neighbours in pixel space.

    Neighbours are found in a PCA-reduced space (:func:`reduce`); a pair is a near duplicate when
    its distance in the original space is under ``dup_ratio`` times the median nearest-neighbour
    distance. A sample is likely mislabelled when at least ``min_score`` of its ``k`` neighbours
    agree on one other label.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> x = np.concatenate([rng.normal(0, .1, (20, 4)), rng.normal(5, .1, (20, 4))])
        >>> y = np.repeat([0, 1], 20); y[3] = 1
        >>> suspects(x, y, k=5).mislabelled.tolist()
        [3]
    """
    from sklearn.neighbors import NearestNeighbors

    n = len(x)
    empty = np.zeros(0, np.int64)
    if n < 3:
        return Suspects(np.zeros((0, 2), np.int64), np.zeros(0), empty, np.zeros(0), empty)
    flat = x.reshape(n, -1).astype(np.float32, copy=False)
    emb = reduce(flat)
    k = min(k, n - 1)
    dist, idx = NearestNeighbors(n_neighbors=k + 1).fit(emb).kneighbors(emb)
    # Column 0 is usually the point itself, but exact duplicates may swap places with it.
    self_first = idx[:, 0] == np.arange(n)
    nbr = np.where(self_first[:, None], idx[:, 1:], _drop_self(idx))
    # Duplicates: check the reduced-space nearest neighbours against the original pixels.
    first = nbr[:, 0]
    raw = np.linalg.norm(flat - flat[first], axis=1)
    scale = float(np.median(raw[raw > 0])) if np.any(raw > 0) else 1.0
    close = np.nonzero(raw <= dup_ratio * scale)[0]
    pairs = {(min(i, int(first[i])), max(i, int(first[i]))): float(raw[i] / scale) for i in close}
    order = sorted(pairs, key=lambda p: (pairs[p], p))[:limit]
    dup_pairs = np.array(order, np.int64).reshape(-1, 2)
    dup_distance = np.array([pairs[p] for p in order], np.float64)
    if labels is None:
        return Suspects(dup_pairs, dup_distance, empty, np.zeros(0), empty)
    nl = labels[nbr]
    best, share = _majority(nl)
    bad = (best != labels) & (share >= min_score)
    cand = np.nonzero(bad)[0]
    cand = cand[np.argsort(-share[cand], kind="stable")][:limit]
    return Suspects(dup_pairs, dup_distance, cand.astype(np.int64), share[cand].astype(np.float64),
                    best[cand].astype(np.int64))


def _drop_self(idx: np.ndarray) -> np.ndarray:
    out = np.empty((idx.shape[0], idx.shape[1] - 1), idx.dtype)
    for i, row in enumerate(idx):
        rest = row[row != i]
        out[i] = rest[: out.shape[1]]
    return out


def _majority(nl: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The most common label of each row and the share of the row that has it."""
    k = nl.shape[1]
    top = nl.max() + 1 if nl.size else 1
    counts = np.zeros((len(nl), top), np.int64)
    np.add.at(counts, (np.repeat(np.arange(len(nl)), k), nl.ravel()), 1)
    best = counts.argmax(1)
    return best, counts[np.arange(len(nl)), best] / k


def to_uint8(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Images ``[..., C, H, W]`` scaled from ``[lo, hi]`` to uint8 ``[..., H, W, C]``."""
    scaled = np.clip((x - lo) / (hi - lo if hi > lo else 1.0), 0, 1) * 255
    return np.moveaxis(np.nan_to_num(scaled).round().astype(np.uint8), -3, -1)


def thumbnails(x: np.ndarray, lo: float, hi: float, size: int = 48) -> np.ndarray:
    """uint8 ``[N, h, w, C]`` thumbnails of images ``[N, C, H, W]``, at most ``size`` pixels a side."""
    import torch
    import torch.nn.functional as F

    h, w = x.shape[-2:]
    if max(h, w) > size and len(x):
        scale = size / max(h, w)
        t = F.interpolate(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)),
                          size=(max(1, round(h * scale)), max(1, round(w * scale))),
                          mode="area")
        x = t.numpy()
    return to_uint8(x, lo, hi)
