"""The projector's data: embeddings of a run, their projections, columns to colour by, thumbnails,
neighbours in the original space, metadata search, and the link to logged predictions.

Predictions: an artifact of kind ``"predictions"`` (``run.log_predictions``) whose arrays hold
``ids`` [M] and ``predicted`` [M] (or ``probs``/``logits`` [M, K], argmax taken) and ``targets``
[M]. The one used is the latest at or before the embedding's step whose tag (or ``meta["split"]``)
matches the embedding's split, else the latest of any split. Points are matched by id.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from ...analyze import embeddings as emb
from ...errors import NotFoundError
from ...store import ArtifactRecord, Backend
from .record import KIND

PREDICTIONS = "predictions"
MAX_CATEGORIES = 64
_CACHE: OrderedDict[tuple[str, int], dict[str, np.ndarray]] = OrderedDict()
_PCA: OrderedDict[tuple[str, int, int], np.ndarray] = OrderedDict()
_LOCK = threading.Lock()


def tags(store: Backend, runs: list[str] | None = None) -> list[dict[str, Any]]:
    """Embedding tags with the runs that have them."""
    return [{"tag": t, "runs": r} for t, r in store.artifact_tags(KIND, runs).items()]


def record(store: Backend, run: str, tag: str, step: int | None = None) -> ArtifactRecord:
    """The embedding at ``step`` (default: the latest)."""
    recs = store.artifacts(store.run(run).id, KIND, tag)
    if not recs:
        raise NotFoundError(f"run {run} has no embedding {tag!r}")
    if step is None:
        return recs[-1]
    for rec in reversed(recs):
        if rec.step == step:
            return rec
    raise NotFoundError(f"embedding {tag!r} of run {run} has no step {step}; "
                        f"steps: {sorted({r.step for r in recs if r.step is not None})}")


def arrays(store: Backend, rec: ArtifactRecord) -> dict[str, np.ndarray]:
    """The stored arrays, cached (a few recent embeddings stay in memory)."""
    key = (str(store.dir), rec.id)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    a = store.load_arrays(rec)
    with _LOCK:
        _CACHE[key] = a
        while len(_CACHE) > 6:
            _CACHE.popitem(last=False)
    return a


def info(store: Backend, run: str, tag: str, step: int | None = None) -> dict[str, Any]:
    """What the page needs before drawing: sizes, steps, columns, thumbnails, predictions."""
    rec = record(store, run, tag, step)
    a = arrays(store, rec)
    steps = sorted({r.step for r in store.artifacts(rec.run_id, KIND, tag) if r.step is not None})
    columns = [{"name": "label", "kind": "category"}] if "labels" in a else []
    pred = predictions(store, rec)
    if pred is not None:
        columns += [{"name": "predicted", "kind": "category"}, {"name": "correct", "kind": "category"}]
    for i, name in enumerate(rec.meta.get("columns", [])):
        columns.append({"name": name, "kind": _kind(a[f"m{i}"])})
    return {
        "run": rec.run_id, "tag": tag, "step": rec.step, "steps": steps,
        "n": int(a["features"].shape[0]), "dim": int(a["features"].shape[1]),
        "has_labels": "labels" in a, "has_images": _images(store, rec) is not None,
        "class_names": rec.meta.get("class_names"), "split": rec.meta.get("split", "test"),
        "columns": columns, "predictions": pred is not None,
    }


def projection_key(rec: ArtifactRecord, method: str, dims: int, params: dict[str, Any]) -> str:
    """The cache key of a projection: run, tag, step, artifact, method and its parameters."""
    p = ",".join(f"{k}={params[k]}" for k in sorted(params))
    return f"{rec.run_id}/{rec.tag}/{rec.step}/{rec.id}/{method}/{dims}/{p}"


def pca(store: Backend, rec: ArtifactRecord, dims: int) -> np.ndarray:
    """PCA coordinates, computed at once and kept for the next request."""
    key = (str(store.dir), rec.id, dims)
    with _LOCK:
        if key in _PCA:
            return _PCA[key]
    coords = emb.pca(features(store, rec), dims).coords
    with _LOCK:
        _PCA[key] = coords
        while len(_PCA) > 8:
            _PCA.popitem(last=False)
    return coords


def features(store: Backend, rec: ArtifactRecord) -> np.ndarray:
    return np.asarray(arrays(store, rec)["features"], np.float32)


def column(store: Backend, rec: ArtifactRecord, name: str) -> tuple[dict[str, Any], np.ndarray]:
    """A column to colour by: (descriptor, values). Categories come as int32 codes (-1 = none)
    with ``categories`` naming them; numbers as float32 with their ``range``."""
    a = arrays(store, rec)
    names = rec.meta.get("class_names")
    if name in ("label", "predicted", "correct"):
        if name == "label":
            if "labels" not in a:
                raise NotFoundError(f"embedding {rec.tag!r} has no labels")
            codes = a["labels"]
        else:
            pred = predictions(store, rec)
            if pred is None:
                raise NotFoundError(f"no predictions logged for the examples of {rec.tag!r}")
            if name == "predicted":
                codes = pred["predicted"]
            else:
                codes = np.where(pred["predicted"] < 0, -1, (pred["predicted"] == pred["targets"]).astype(int))
                return ({"name": name, "kind": "category", "categories": ["wrong", "correct"]},
                        codes.astype(np.int32))
        top = int(codes.max()) + 1 if len(codes) else 0
        cats = list(names) if names and len(names) >= top else [str(i) for i in range(top)]
        return {"name": name, "kind": "category", "categories": cats}, codes.astype(np.int32)
    values = _meta_column(rec, a, name)
    if _kind(values) == "category":
        cats, codes = np.unique(values, return_inverse=True)
        return ({"name": name, "kind": "category", "categories": [str(c) for c in cats]},
                codes.astype(np.int32))
    v = values.astype(np.float32)
    finite = v[np.isfinite(v)]
    rng = [float(finite.min()), float(finite.max())] if finite.size else [0.0, 1.0]
    return {"name": name, "kind": "number", "range": rng}, v


def point(store: Backend, rec: ArtifactRecord, index: int) -> dict[str, Any]:
    """One example: id, label, prediction and metadata."""
    a = arrays(store, rec)
    n = len(a["ids"])
    if not 0 <= index < n:
        raise NotFoundError(f"no point {index}: the embedding has {n} points")
    names = rec.meta.get("class_names") or []
    out: dict[str, Any] = {"index": index, "id": int(a["ids"][index]), "metadata": {}}
    if "labels" in a:
        lab = int(a["labels"][index])
        out["label"] = lab
        out["label_name"] = names[lab] if lab < len(names) else str(lab)
    pred = predictions(store, rec)
    if pred is not None and pred["predicted"][index] >= 0:
        p = int(pred["predicted"][index])
        out["predicted"] = p
        out["predicted_name"] = names[p] if p < len(names) else str(p)
        out["correct"] = bool(p == pred["targets"][index])
        out["predictions_step"] = pred["step"]
        out["predictions_tag"] = pred["tag"]
    for i, name in enumerate(rec.meta.get("columns", [])):
        v = a[f"m{i}"][index]
        out["metadata"][name] = v.item() if hasattr(v, "item") else str(v)
    return out


def neighbors(store: Backend, rec: ArtifactRecord, index: int, k: int = 10,
              metric: str = "euclidean") -> list[dict[str, Any]]:
    """The ``k`` nearest examples to ``index`` in the original feature space."""
    x = features(store, rec)
    if not 0 <= index < len(x):
        raise NotFoundError(f"no point {index}: the embedding has {len(x)} points")
    idx, dist = emb.neighbors(x, index, k, metric)
    return [{"index": int(i), "distance": float(d)} for i, d in zip(idx, dist, strict=True)]


def search(store: Backend, rec: ArtifactRecord, text: str, column_name: str | None = None,
           limit: int = 100_000) -> list[int]:
    """Indices whose metadata (or label name, or id) contains ``text`` (case-insensitive);
    ``column_name`` restricts the search to one column. ``id:42`` and ``label:cat`` match exactly."""
    a = arrays(store, rec)
    text = text.strip()
    if not text:
        return []
    if ":" in text and column_name is None:
        column_name, text = (s.strip() for s in text.split(":", 1))
    exact = column_name in ("id", "label")
    cols: list[tuple[str, np.ndarray]] = []
    names = rec.meta.get("class_names") or []
    if column_name in (None, "id"):
        cols.append(("id", a["ids"].astype(str)))
    if column_name in (None, "label") and "labels" in a:
        lab = a["labels"]
        cols.append(("label", np.array([names[v] if v < len(names) else str(v) for v in lab.tolist()])))
    for i, name in enumerate(rec.meta.get("columns", [])):
        if column_name in (None, name):
            cols.append((name, a[f"m{i}"].astype(str)))
    if column_name is not None and not cols:
        raise NotFoundError(f"embedding {rec.tag!r} has no column {column_name!r}")
    hit = np.zeros(len(a["ids"]), bool)
    needle = text.lower()
    for _, values in cols:
        low = np.char.lower(values)
        hit |= (low == needle) if exact else (np.char.find(low, needle) >= 0)
    return np.nonzero(hit)[0][:limit].tolist()


def images(store: Backend, rec: ArtifactRecord) -> np.ndarray | None:
    """Thumbnails of the embedding's examples: its own, or those logged at another step of the
    same tag for the same ids."""
    return _images(store, rec)


def _images(store: Backend, rec: ArtifactRecord) -> np.ndarray | None:
    a = arrays(store, rec)
    if "images" in a:
        return a["images"]
    for other in reversed(store.artifacts(rec.run_id, KIND, rec.tag)):
        if other.id == rec.id:
            continue
        b = arrays(store, other)
        if "images" in b and len(b["ids"]) == len(a["ids"]) and np.array_equal(b["ids"], a["ids"]):
            return b["images"]
    return None


def thumbnail_png(store: Backend, rec: ArtifactRecord, index: int) -> bytes:
    """One thumbnail as PNG bytes."""
    import io

    from PIL import Image

    imgs = _images(store, rec)
    if imgs is None:
        raise NotFoundError(f"embedding {rec.tag!r} has no images")
    if not 0 <= index < len(imgs):
        raise NotFoundError(f"no point {index}: the embedding has {len(imgs)} thumbnails")
    img = imgs[index]
    if img.shape[-1] == 1:
        img = img[..., 0]
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(img)).save(buf, format="PNG")
    return buf.getvalue()


def predictions(store: Backend, rec: ArtifactRecord) -> dict[str, Any] | None:
    """``predicted`` and ``targets`` [N] aligned with the embedding's ids (-1 where an example
    has no prediction), from the matching predictions artifact; None when there is none."""
    recs = store.artifacts(rec.run_id, PREDICTIONS)
    if not recs:
        return None
    split = rec.meta.get("split", "test")
    same = [r for r in recs if r.tag == split or r.meta.get("split") == split] or recs
    before = [r for r in same if r.step is None or rec.step is None or r.step <= rec.step]
    chosen = (before or same)[-1]
    try:
        p = arrays(store, chosen)
    except Exception:
        return None
    pred = _predicted(p)
    if pred is None or "ids" not in p:
        return None
    pid = np.asarray(p["ids"])
    ids = arrays(store, rec)["ids"]
    # Ids may be logged as strings on the predictions side: compare in that form then.
    mine = ids.astype(str) if pid.dtype.kind in "US" else ids
    pid = pid.astype(str) if pid.dtype.kind in "US" else pid.astype(np.int64)
    targets = np.asarray(p.get("targets", p.get("target", np.full(len(pid), -1))), np.int64)
    order = np.argsort(pid, kind="stable")
    pos = np.clip(np.searchsorted(pid[order], mine), 0, max(len(pid) - 1, 0))
    match = (pid[order][pos] == mine) if len(pid) else np.zeros(len(ids), bool)
    src = order[pos]
    return {"predicted": np.where(match, pred[src], -1), "targets": np.where(match, targets[src], -1),
            "step": chosen.step, "tag": chosen.tag}


def _predicted(p: dict[str, np.ndarray]) -> np.ndarray | None:
    for key in ("predicted", "preds", "prediction"):
        if key in p:
            return np.asarray(p[key], np.int64)
    for key in ("probs", "logits", "scores"):
        if key in p and np.asarray(p[key]).ndim == 2:
            return np.asarray(p[key]).argmax(1).astype(np.int64)
    return None


def _meta_column(rec: ArtifactRecord, a: dict[str, np.ndarray], name: str) -> np.ndarray:
    cols = rec.meta.get("columns", [])
    if name not in cols:
        raise NotFoundError(f"embedding {rec.tag!r} has no column {name!r}; columns: {cols}")
    return a[f"m{cols.index(name)}"]


def _kind(values: np.ndarray) -> str:
    if values.dtype.kind in "US":
        return "category"
    if values.dtype.kind in "iu" and len(np.unique(values)) <= MAX_CATEGORIES:
        return "category"
    return "number"
