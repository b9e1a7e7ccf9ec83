"""``run.log_embedding``: vectors (one per example) for the projector, stored compactly.

Stored format: one ``.npz`` artifact of kind ``"embedding"`` per call, tag = the embedding's name,
at ``step`` (default: the run's current step). Arrays (N examples, D features):

================  =====================  ===============================================
``features``      float16 [N, D]         float32 when a value exceeds float16's range
``ids``           int64 [N]              example ids (default 0..N-1); predictions logged
                                         with the same ids link to these points
``labels``        int64 [N]              optional class per example
``images``        uint8 [N, h, w, C]     optional thumbnails, at most 48 px a side
``m<i>``          [N] float64 / int64 /  metadata column i (its name is ``meta["columns"][i]``)
                  unicode
================  =====================  ===============================================

Meta: ``columns`` (metadata column names), ``class_names`` (or absent), ``split`` (the split the
examples come from, used to find their predictions; default "test"), ``n``, ``dim``.

Everything heavy (copying off the device, float16 conversion, thumbnail scaling) runs on the
writer thread, so the call returns at once.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...errors import LoupeValueError
from ...record.recorder import Recorder

KIND = "embedding"
THUMB = 48
F16_MAX = 60_000.0


def log_embedding(run: Recorder, tag: str, features: Any, labels: Any = None, images: Any = None,
                  metadata: Mapping[str, Sequence[Any]] | Any = None, step: int | None = None,
                  ids: Any = None, class_names: Sequence[str] | None = None,
                  split: str = "test") -> None:
    """Check shapes on the caller's thread and queue the artifact (see the module docstring)."""
    feats = _detach(features)
    shape = tuple(feats.shape)
    if len(shape) != 2 or shape[0] < 1 or shape[1] < 1:
        raise LoupeValueError(f"features must be [N, D] (one vector per example), got shape {shape}")
    n = shape[0]
    arrays: dict[str, Any] = {"features": feats}
    arrays["ids"] = np.arange(n, dtype=np.int64) if ids is None else _vector("ids", ids, n, integer=True)
    if labels is not None:
        arrays["labels"] = _vector("labels", labels, n, integer=True)
    if images is not None:
        imgs = _detach(images)
        if imgs.ndim not in (3, 4) or imgs.shape[0] != n:
            raise LoupeValueError(f"images must be [N, H, W], [N, C, H, W] or [N, H, W, C] with N={n} "
                                  f"(one per feature row), got shape {tuple(imgs.shape)}")
        arrays["images"] = imgs
    columns = []
    for i, (name, values) in enumerate(_columns(metadata)):
        arrays[f"m{i}"] = _column(name, values, n)
        columns.append(str(name))
    meta: dict[str, Any] = {"columns": columns, "split": split, "n": n, "dim": shape[1]}
    if class_names is not None:
        meta["class_names"] = [str(c) for c in class_names]
    run.record(KIND, tag, arrays, step=step, meta=meta, encode=encode)


def encode(arrays: dict[str, np.ndarray]) -> tuple[bytes, str]:
    """Writer-thread side: compact features, uint8 thumbnails, one ``.npz``."""
    out = dict(arrays)
    f = np.asarray(arrays["features"])
    finite = f[np.isfinite(f)]
    small = finite.size == 0 or float(np.abs(finite).max()) < F16_MAX
    out["features"] = f.astype(np.float16 if small else np.float32)
    if "images" in arrays:
        out["images"] = thumbnails(np.asarray(arrays["images"]))
    buf = io.BytesIO()
    np.savez(buf, **out)
    return buf.getvalue(), "npz"


def thumbnails(imgs: np.ndarray, size: int = THUMB) -> np.ndarray:
    """uint8 ``[N, h, w, C]`` from ``[N, H, W]``, ``[N, C, H, W]`` or ``[N, H, W, C]`` images."""
    from ...analyze.datasets import thumbnails as thumbs

    if imgs.ndim == 3:
        imgs = imgs[:, None]
    elif imgs.shape[1] not in (1, 3, 4) and imgs.shape[3] in (1, 3, 4):
        imgs = np.moveaxis(imgs, 3, 1)
    if imgs.dtype == np.uint8:
        lo, hi = 0.0, 255.0
    else:
        finite = imgs[np.isfinite(imgs)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return thumbs(imgs.astype(np.float32), lo, hi, size)


def _detach(a: Any) -> Any:
    if hasattr(a, "detach"):
        return a.detach()
    arr = np.asarray(a)
    if not np.issubdtype(arr.dtype, np.number):
        raise LoupeValueError(f"expected a numeric tensor or array, got dtype {arr.dtype}")
    return arr


def _vector(name: str, values: Any, n: int, integer: bool = False) -> np.ndarray:
    a = values.detach().cpu().numpy() if hasattr(values, "detach") else np.asarray(values)
    if a.shape != (n,):
        raise LoupeValueError(f"{name} must have one value per feature row, shape ({n},); "
                              f"got {a.shape}")
    if integer and not np.issubdtype(a.dtype, np.integer):
        raise LoupeValueError(f"{name} must be integers, got dtype {a.dtype}")
    return a.astype(np.int64)


def _columns(metadata: Any) -> list[tuple[str, Any]]:
    if metadata is None:
        return []
    if hasattr(metadata, "to_dict") and hasattr(metadata, "columns"):  # a pandas DataFrame
        return [(str(c), metadata[c].to_numpy()) for c in metadata.columns]
    if not isinstance(metadata, Mapping):
        raise LoupeValueError(f"metadata must be a dict of column name -> values (or a DataFrame), "
                              f"got {type(metadata).__name__}")
    return list(metadata.items())


def _column(name: str, values: Any, n: int) -> np.ndarray:
    a = values.detach().cpu().numpy() if hasattr(values, "detach") else np.asarray(values)
    if a.shape != (n,):
        raise LoupeValueError(f"metadata column {name!r} must have {n} values, got shape {a.shape}")
    if np.issubdtype(a.dtype, np.bool_):
        return a.astype(np.int64)
    if np.issubdtype(a.dtype, np.integer):
        return a.astype(np.int64)
    if np.issubdtype(a.dtype, np.floating):
        return a.astype(np.float64)
    return np.array([str(v) for v in a.tolist()], dtype=str)
