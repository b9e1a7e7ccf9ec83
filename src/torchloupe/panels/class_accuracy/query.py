"""Per-class accuracy over time, from the ``predictions`` artifacts ``run.log_predictions`` stores
(one per logged step and split): for every step, the share of each true class predicted right
(the confusion matrix's diagonal over its row: per-class recall)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...analyze.classification import confusion_matrix
from ...errors import NotFoundError

KIND = "predictions"


def splits(store: Any, runs: list[str] | None = None) -> dict[str, list[str]]:
    """Run id -> the splits it logged predictions for (runs without any are left out).

    Example:
        >>> splits(store, [run_id])                                   # doctest: +SKIP
        {'3f2a…': ['test', 'train']}
    """
    out: dict[str, list[str]] = {}
    for split, ids in store.artifact_tags(KIND, runs).items():
        for rid in ids:
            out.setdefault(rid, []).append(split)
    return {rid: sorted(s) for rid, s in out.items()}


def class_accuracy(store: Any, run: str, split: str = "test") -> dict[str, Any]:
    """Accuracy per true class at every step the run logged predictions for ``split``.

    Returns ``{"run", "split", "steps", "class_names", "accuracy", "support", "overall"}``:
    ``accuracy[c][t]`` is the share of class ``c``'s examples predicted as ``c`` at ``steps[t]``
    (None when the class had no example at that step), ``support[c][t]`` that class's count and
    ``overall[t]`` the accuracy over all examples. Several artifacts at one step: the last wins.

    Example:
        >>> d = class_accuracy(store, run_id, "test")                 # doctest: +SKIP
        >>> d["class_names"][3], d["accuracy"][3][-1]                  # doctest: +SKIP
        ('3', 0.97)
    """
    recs = store.artifacts(run, KIND, split)
    if not recs:
        raise NotFoundError(f"run {run} has no predictions for split {split!r}")
    last: dict[int, Any] = {}
    for rec in recs:
        last[int(rec.step or 0)] = rec
    steps = sorted(last)
    names = [str(n) for n in (recs[-1].meta.get("class_names") or [])]
    k = max(len(names), *(int(r.meta.get("num_classes") or 0) for r in recs))
    hits = np.zeros((k, len(steps)), np.int64)
    support = np.zeros((k, len(steps)), np.int64)
    for t, step in enumerate(steps):
        arrays = store.load_arrays(last[step])
        probs = np.asarray(arrays["probs"])
        targets = np.asarray(arrays["targets"], np.int64)
        c = int(probs.shape[1])
        cm = confusion_matrix(targets, probs.argmax(axis=1), c)
        hits[:c, t] = np.diag(cm)
        support[:c, t] = cm.sum(axis=1)
    names += [str(i) for i in range(len(names), k)]
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = hits / support
        overall = hits.sum(axis=0) / support.sum(axis=0)
    return {"run": run, "split": split, "steps": steps, "class_names": names,
            "accuracy": [_finite(row) for row in acc], "support": support.tolist(),
            "overall": _finite(overall)}


def _finite(a: np.ndarray) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in a]
