"""Evaluation data for the page and the figures, from stored predictions (see ``record.py``).

Every function reads the ``predictions`` artifact of (run, split, step) — the latest step when
``step`` is None, else the latest at or before it — and computes with ``analyze``. Artifacts never
change once written, so loaded arrays and computed summaries are cached by artifact id.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...analyze import classification as C
from ...analyze.dynamics import align_by_id, data_map_region, example_dynamics, suspect_rows
from ...errors import LoupeValueError, NotFoundError
from ...store.predictions import Lru, Predictions, load, load_steps, pick

CURVE_POINTS = 200


_SUMMARIES = Lru(64)
_INPUTS = Lru(8)


def index(store: Any, runs: list[str] | None = None) -> list[dict[str, Any]]:
    """Runs with predictions: their splits with steps and classes, and whether a checkpoint exists."""
    tags = store.artifact_tags("predictions", runs)
    by_run: dict[str, list[str]] = {}
    for split, ids in tags.items():
        for rid in ids:
            by_run.setdefault(rid, []).append(split)
    out = []
    for rid, splits in by_run.items():
        entries = []
        for split in splits:
            recs = store.artifacts(rid, "predictions", split)
            last = recs[-1].meta
            entries.append({"split": split, "steps": sorted({int(r.step or 0) for r in recs}),
                            "num_classes": last.get("num_classes"),
                            "class_names": last.get("class_names") or
                            [str(i) for i in range(int(last.get("num_classes") or 0))],
                            "has_inputs": bool(store.artifacts(rid, "prediction_inputs", split))})
        out.append({"run": rid, "splits": entries,
                    "checkpoint": bool(store.artifacts(rid, "checkpoint"))})
    return out


def summary(store: Any, run: str, split: str = "test", step: int | None = None) -> dict[str, Any]:
    """Everything the evaluation panels draw for one (run, split, step), JSON-ready."""
    rec = pick(store, run, split, step)
    return _SUMMARIES.get((str(store.dir), rec.id), lambda: _summary(load(store, run, split, step)))  # type: ignore[no-any-return]


def _summary(p: Predictions) -> dict[str, Any]:
    c = p.probs.shape[1]
    cm = C.confusion_matrix(p.targets, p.predicted, c)
    m = C.per_class_metrics(cm)
    rows = [{"class": i, "name": p.class_names[i], "precision": float(m["precision"][i]),
             "recall": float(m["recall"][i]), "f1": float(m["f1"][i]),
             "support": int(m["support"][i])} for i in range(c)]
    roc, pr = [], []
    classes = [1] if c == 2 else range(c)
    for k in classes:
        y, s = p.targets == k, p.probs[:, k]
        fpr, tpr, _ = C.roc_curve(y, s)
        keep = _thin(len(fpr))
        roc.append({"class": k, "name": p.class_names[k],
                    "auc": C.auc(fpr, tpr) if 0 < y.sum() < len(y) else None,
                    "fpr": fpr[keep].round(5).tolist(), "tpr": tpr[keep].round(5).tolist()})
        curve = C.tensorboard_pr_curve(y, s)
        pr.append({"class": k, "name": p.class_names[k],
                   "ap": C.average_precision(y, s) if y.any() else None,
                   "precision": curve["precision"].round(5).tolist(),
                   "recall": curve["recall"].round(5).tolist(),
                   "thresholds": curve["thresholds"].round(4).tolist(),
                   "tp": curve["tp"].tolist(), "fp": curve["fp"].tolist(),
                   "tn": curve["tn"].tolist(), "fn": curve["fn"].tolist()})
    rel = C.reliability(p.targets, p.probs)
    loss = C.losses(p.targets, p.probs)
    return {
        "run": p.run, "split": p.split, "step": p.step, "n": int(len(p.targets)),
        "class_names": p.class_names, "accuracy": m["accuracy"],
        "top5": C.top_k_accuracy(p.targets, p.probs, 5) if c > 5 else None,
        "loss": float(loss.mean()), "confusion": cm.tolist(),
        "metrics": {"classes": rows, "macro": m["macro"], "weighted": m["weighted"]},
        "roc": roc, "pr": pr,
        "reliability": {"edges": rel["edges"].tolist(), "count": rel["count"].tolist(),
                        "confidence": _finite(rel["confidence"]), "accuracy": _finite(rel["accuracy"]),
                        "ece": rel["ece"]},
    }


def examples(store: Any, run: str, split: str = "test", step: int | None = None,
             target: int | None = None, predicted: int | None = None, order: str = "loss",
             limit: int = 60, offset: int = 0) -> dict[str, Any]:
    """Examples of (run, split, step), optionally of one confusion cell, highest loss first
    (``order="loss"``), or least confident (``"confidence"``), or in stored order (``"index"``)."""
    p = load(store, run, split, step)
    loss = C.losses(p.targets, p.probs)
    mask = np.ones(len(loss), dtype=bool)
    if target is not None:
        mask &= p.targets == target
    if predicted is not None:
        mask &= p.predicted == predicted
    idx = np.flatnonzero(mask)
    if order == "loss":
        idx = idx[np.argsort(-loss[idx], kind="stable")]
    elif order == "confidence":
        idx = idx[np.argsort(p.probs[idx].max(axis=1), kind="stable")]
    elif order != "index":
        raise LoupeValueError(f"order must be 'loss', 'confidence' or 'index', got {order!r}")
    page = idx[offset:offset + limit]
    return {"run": run, "split": split, "step": p.step, "total": int(len(idx)),
            "class_names": p.class_names, "has_inputs": p.has_inputs,
            "examples": [example_row(p, int(i), float(loss[i])) for i in page]}


def example_row(p: Predictions, i: int, loss: float | None = None) -> dict[str, Any]:
    """One example as the page shows it."""
    t, k = int(p.targets[i]), int(p.predicted[i])
    return {"index": i, "id": str(p.ids[i]), "target": t, "predicted": k,
            "confidence": float(p.probs[i, k]), "prob_true": float(p.probs[i, t]),
            "loss": float(C.losses(p.targets[i:i + 1], p.probs[i:i + 1])[0]) if loss is None else loss}


def find_input(store: Any, run: str, split: str, example_id: str) -> tuple[np.ndarray, np.ndarray | None]:
    """(thumbnail uint8, model input or None) of one example, from the newest inputs holding it."""
    for rec in reversed(store.artifacts(run, "prediction_inputs", split)):
        a = _INPUTS.get((str(store.dir), rec.id), lambda rec=rec: store.load_arrays(rec))
        hit = np.flatnonzero(a["ids"].astype(str) == example_id)
        if len(hit):
            i = int(hit[0])
            return a["thumbs"][i], (a["inputs"][i].astype(np.float32) if "inputs" in a else None)
    raise NotFoundError(f"run {run} has no stored input for example {example_id!r} of split {split!r}")


def dynamics(store: Any, run: str, split: str = "test", limit: int = 50) -> dict[str, Any]:
    """Per-example training dynamics over every logged step, the data map and the suspects."""
    recs = store.artifacts(run, "predictions", split)
    if not recs:
        raise NotFoundError(f"run {run} has no predictions for split {split!r}")
    key = (str(store.dir), run, split, tuple(r.id for r in recs))
    return _SUMMARIES.get(key, lambda: _dynamics(run, split, load_steps(store, run, split), limit))  # type: ignore[no-any-return]


def _dynamics(run: str, split: str, loaded: list[Predictions], limit: int) -> dict[str, Any]:
    last = loaded[-1]
    ids = last.ids.astype(str)
    aligned = align_by_id(ids, [p.ids for p in loaded], [p.probs for p in loaded])
    d = example_dynamics(last.targets, aligned)
    region = data_map_region(d["confidence"], d["variability"])
    suspects = suspect_rows(d, ids, last.targets, limit, last.class_names)
    return {"run": run, "split": split, "steps": [p.step for p in loaded],
            "class_names": last.class_names, "has_inputs": last.has_inputs,
            "ids": ids.tolist(), "target": last.targets.tolist(),
            "confidence": d["confidence"].round(4).tolist(),
            "variability": d["variability"].round(4).tolist(),
            "correct": d["correct"].round(4).tolist(), "forgetting": d["forgetting"].tolist(),
            "aum": d["aum"].round(4).tolist(), "region": region.tolist(), "suspects": suspects}


def _thin(n: int) -> np.ndarray:
    if n <= CURVE_POINTS:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, CURVE_POINTS).round().astype(np.int64))


def _finite(a: np.ndarray) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in a]
