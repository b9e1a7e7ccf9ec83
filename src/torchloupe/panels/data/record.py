"""``run.log_dataset``: one pass over a dataset (or a sample of it), reduced to statistics.

Stored format: one artifact of kind ``"dataset"`` per call, tag = the split name, at the run's
current step. Arrays (K classes, S samples per class, thumbnails ``h x w x C`` uint8):

=================  ============  ==========================================================
``class_counts``   int64 [K]     samples per class over the whole split when the dataset has
                                 ``targets``/``labels``, otherwise over the analysed sample
``sample_counts``  int64 [K]     samples per class among the analysed ones
``samples``        uint8 [K,S,h,w,C]   thumbnails of up to S samples of each class
``samples_index``  int64 [K,S]   their dataset indices (-1 where a class has fewer)
``mean``/``std``   float32 [K,C,H,W] per-class mean/std image ([K,D] for vectors)
``mean_all``/``std_all`` float32 [C,H,W] over all analysed samples
``hist_counts``    int64 [C,B]   value histogram per channel; ``hist_edges`` float64 [B+1]
``shapes``         int64 [U,3]   distinct (C, H, W) sample shapes; ``shape_counts`` int64 [U]
``dup_index``      int64 [M,2]   near-duplicate pairs (dataset indices), ``dup_distance`` [M]
                                 (distance / median nearest-neighbour distance), ``dup_labels``
                                 [M,2], ``dup_thumbs`` uint8 [M,2,h,w,C]
``mis_index``      int64 [L]     likely mislabelled samples, most suspicious first;
                                 ``mis_label``, ``mis_suggested`` [L], ``mis_score`` float64 [L]
                                 (share of neighbours agreeing on ``mis_suggested``),
                                 ``mis_thumbs`` uint8 [L,h,w,C]
=================  ============  ==========================================================

Meta: ``class_names``, ``n_total``, ``n_analysed``, ``sampled`` (a random sample of
``n_analysed`` out of ``n_total`` was analysed), ``kind`` ("image" or "vector"), ``value_range``
[lo, hi], ``counts_from`` ("all" or "sample"), ``seconds``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...analyze import datasets as ds
from ...errors import LoupeValueError
from ...record.recorder import Recorder

KIND = "dataset"
DEFAULT_MAX_SAMPLES = 20_000
SAMPLES_PER_CLASS = 24
PROGRESS_FROM = 2_000


def log_dataset(run: Recorder, dataset: Any, split: str, class_names: Sequence[str] | None = None,
                max_samples: int | None = None, seed: int = 0, progress: bool = True) -> dict[str, Any]:
    """Analyse ``dataset`` and record the result as artifact ``("dataset", split)``.

    Returns the meta it recorded (sizes, whether it sampled).
    """
    if not isinstance(split, str) or not split:
        raise LoupeValueError(f"split must be a non-empty string like 'train', got {split!r}")
    limit = DEFAULT_MAX_SAMPLES if max_samples is None else max_samples
    if not isinstance(limit, int) or limit < 1:
        raise LoupeValueError(f"max_samples must be a positive integer or None, got {max_samples!r}")
    start = time.perf_counter()
    x, labels, index, total, shapes = collect(dataset, limit, seed, progress, split)
    all_labels = _all_labels(dataset, total)
    names = _class_names(class_names, dataset, labels, all_labels)
    k = len(names)
    arrays, meta = analyse(x, labels, index, k, progress=progress)
    counts_src = all_labels if all_labels is not None else labels
    arrays["class_counts"] = (np.bincount(counts_src, minlength=k)[:k] if counts_src is not None
                              else np.zeros(0, np.int64))
    shape_count = Counter(shapes)
    arrays["shapes"] = np.array(list(shape_count), np.int64).reshape(-1, 3)
    arrays["shape_counts"] = np.array(list(shape_count.values()), np.int64)
    meta.update(class_names=names, n_total=total, n_analysed=len(x), sampled=len(x) < total,
                counts_from="all" if all_labels is not None else "sample",
                seconds=round(time.perf_counter() - start, 3))
    run.record(KIND, split, arrays, meta=meta)
    return meta


def collect(dataset: Any, limit: int, seed: int = 0, progress: bool = True, split: str = "") -> tuple[
        np.ndarray, np.ndarray | None, np.ndarray, int, list[tuple[int, int, int]]]:
    """Read up to ``limit`` random samples: (x [N, C, H, W] or [N, D], labels or None, dataset
    indices, total size, shape of each sample read)."""
    x_all, y_all = _arrays(dataset)
    total = len(x_all) if x_all is not None else _length(dataset)
    rng = np.random.default_rng(seed)
    index = np.arange(total) if total <= limit else np.sort(rng.choice(total, limit, replace=False))
    if x_all is not None:
        x = _batch(x_all, index)
        labels = None if y_all is None else _labels(np.asarray(y_all)[index])
        return x, labels, index, total, [_shape(x[0])] * len(x)
    from tqdm.auto import tqdm

    samples, ys = [], []
    for i in tqdm(index, desc=f"reading {split or 'dataset'}", unit="sample", leave=False,
                  disable=not progress or len(index) < PROGRESS_FROM):
        item = dataset[int(i)]
        if isinstance(item, (tuple, list)):
            if len(item) < 2:
                raise LoupeValueError(f"dataset item {i} is a {type(item).__name__} of length "
                                      f"{len(item)}; expected (input, label) or an input")
            samples.append(ds.as_chw(item[0]))
            ys.append(item[1])
        else:
            samples.append(ds.as_chw(item))
    if not samples:
        raise LoupeValueError("the dataset is empty")
    shapes = [_shape(s) for s in samples]
    x = _same_size(samples, shapes)
    labels = _labels(np.array([_scalar(y) for y in ys])) if ys else None
    return x, labels, index, total, shapes


def analyse(x: np.ndarray, labels: np.ndarray | None, index: np.ndarray, k: int,
            progress: bool = True) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and meta of the stored format (everything but counts over the whole split)."""
    image = x.ndim == 4
    finite = x[np.isfinite(x)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    y = labels if labels is not None else np.zeros(len(x), np.int64)
    kk = max(k, 1)
    stats = ds.class_stats(x, y, kk)
    counts, edges = ds.channel_histograms(x, lo=lo, hi=hi)
    sus = ds.suspects(x, labels)
    arrays: dict[str, np.ndarray] = {
        "sample_counts": stats.counts.astype(np.int64), "mean": stats.mean, "std": stats.std,
        "mean_all": x.mean(0).astype(np.float32), "std_all": x.std(0).astype(np.float32),
        "hist_counts": counts, "hist_edges": edges,
        "dup_index": index[sus.dup_pairs], "dup_distance": sus.dup_distance,
        "dup_labels": y[sus.dup_pairs] if labels is not None else np.full(sus.dup_pairs.shape, -1),
        "mis_index": index[sus.mislabelled], "mis_label": y[sus.mislabelled],
        "mis_suggested": sus.mislabelled_suggested, "mis_score": sus.mislabelled_score,
    }
    if image:
        rng = np.random.default_rng(1)
        picks = np.full((kk, SAMPLES_PER_CLASS), -1, np.int64)
        for c in range(kk):
            members = np.nonzero(y == c)[0]
            chosen = np.sort(rng.permutation(members)[:SAMPLES_PER_CLASS])
            picks[c, : len(chosen)] = chosen
        thumbs = ds.thumbnails(x[np.maximum(picks.ravel(), 0)], lo, hi)
        thumbs[picks.ravel() < 0] = 0
        arrays["samples"] = thumbs.reshape(kk, SAMPLES_PER_CLASS, *thumbs.shape[1:])
        arrays["samples_index"] = np.where(picks >= 0, index[np.maximum(picks, 0)], -1)
        arrays["dup_thumbs"] = ds.thumbnails(x[sus.dup_pairs.ravel()], lo, hi).reshape(
            len(sus.dup_pairs), 2, *thumbs.shape[1:]) if len(sus.dup_pairs) else np.zeros(
            (0, 2, *thumbs.shape[1:]), np.uint8)
        arrays["mis_thumbs"] = ds.thumbnails(x[sus.mislabelled], lo, hi) if len(
            sus.mislabelled) else np.zeros((0, *thumbs.shape[1:]), np.uint8)
    meta = {"kind": "image" if image else "vector", "value_range": [lo, hi]}
    return arrays, meta


def _arrays(dataset: Any) -> tuple[Any, Any]:
    """(inputs, labels) when the dataset is an array/tensor or an (inputs, labels) pair."""
    if _is_array(dataset):
        return dataset, None
    if isinstance(dataset, tuple) and len(dataset) == 2 and all(_is_array(a) for a in dataset):
        x, y = dataset
        if len(x) != len(y):
            raise LoupeValueError(f"inputs and labels differ in length: {len(x)} vs {len(y)}")
        return x, y
    return None, None


def _is_array(a: Any) -> bool:
    return hasattr(a, "shape") and hasattr(a, "dtype") and len(getattr(a, "shape", ())) >= 1


def _length(dataset: Any) -> int:
    if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
        raise LoupeValueError(
            "log_dataset takes a map-style torch Dataset (with __len__ and __getitem__), a tensor or "
            f"array of inputs, or an (inputs, labels) pair; got {type(dataset).__name__}")
    return len(dataset)


def _batch(x_all: Any, index: np.ndarray) -> np.ndarray:
    rows = x_all[index] if hasattr(x_all, "detach") else np.asarray(x_all)[index]
    if hasattr(rows, "detach"):
        rows = rows.detach().cpu().numpy()
    rows = np.asarray(rows, np.float32)
    if rows.ndim == 3:
        rows = rows[:, None]
    elif rows.ndim == 4 and rows.shape[1] not in (1, 3, 4) and rows.shape[3] in (1, 3, 4):
        rows = np.moveaxis(rows, 3, 1)
    elif rows.ndim not in (2, 4):
        raise LoupeValueError(f"inputs must be [N, D], [N, H, W], [N, C, H, W] or [N, H, W, C]; "
                              f"got shape {tuple(rows.shape)}")
    return np.ascontiguousarray(rows)


def _shape(s: np.ndarray) -> tuple[int, int, int]:
    return (int(s.shape[0]), int(s.shape[1]), int(s.shape[2])) if s.ndim == 3 else (1, 1, int(s.shape[0]))


def _same_size(samples: list[np.ndarray], shapes: list[tuple[int, int, int]]) -> np.ndarray:
    """Stacks samples, resizing images to the most common size (sizes are recorded separately)."""
    common = Counter(shapes).most_common(1)[0][0]
    if all(s == common for s in shapes):
        return np.stack(samples)
    if samples[0].ndim == 1:
        raise LoupeValueError(f"vectors differ in length: {sorted({s[2] for s in shapes})}")
    import torch
    import torch.nn.functional as F

    out = np.empty((len(samples), *common), np.float32)
    for i, s in enumerate(samples):
        if s.shape[0] != common[0]:
            s = np.repeat(s.mean(0, keepdims=True), common[0], 0)
        if s.shape[1:] != common[1:]:
            s = F.interpolate(torch.from_numpy(s)[None], size=common[1:], mode="bilinear",
                              align_corners=False)[0].numpy()
        out[i] = s
    return out


def _scalar(y: Any) -> Any:
    return y.item() if hasattr(y, "item") else y


def _labels(y: np.ndarray) -> np.ndarray:
    if y.ndim == 1 and y.dtype.kind == "f" and np.all(y == np.round(y)):
        y = y.astype(np.int64)  # float class indices, e.g. from a float tensor
    if y.ndim != 1 or y.dtype.kind not in "iub":
        raise LoupeValueError(f"labels must be class indices (integers) [N], got dtype {y.dtype} "
                              f"shape {y.shape}")
    if len(y) and y.min() < 0:
        raise LoupeValueError(f"labels must be >= 0, got {int(y.min())}")
    return y.astype(np.int64)


def _all_labels(dataset: Any, total: int) -> np.ndarray | None:
    """Labels of the whole split without reading inputs, when the dataset exposes them."""
    x_all, y_all = _arrays(dataset)
    if y_all is not None:
        return _labels(y_all.detach().cpu().numpy() if hasattr(y_all, "detach") else np.asarray(y_all))
    for attr in ("targets", "labels"):
        values = getattr(dataset, attr, None)
        if values is not None and hasattr(values, "__len__") and len(values) == total:
            try:
                return _labels(np.asarray(values.cpu() if hasattr(values, "cpu") else values))
            except LoupeValueError:
                return None
    return None


def _class_names(names: Sequence[str] | None, dataset: Any, labels: np.ndarray | None,
                 all_labels: np.ndarray | None) -> list[str]:
    top = max((int(a.max()) + 1 for a in (labels, all_labels) if a is not None and len(a)), default=0)
    if names is None:
        names = getattr(dataset, "classes", None)
    if names is None:
        return [str(i) for i in range(top)]
    names = [str(n) for n in names]
    if top > len(names):
        raise LoupeValueError(f"label {top - 1} is out of range for {len(names)} class_names")
    return names
