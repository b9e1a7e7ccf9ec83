"""Reading what ``run.watch`` stored (kind ``"watch"``, format in :mod:`torchloupe.record.watch`),
shared by the histograms, gradient-flow and activations panels."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import NotFoundError
from ..store import Backend

MAX_STEPS = 200
KIND = "watch"  # the artifact kind record/watch.py writes (not imported: the server stays torch-free)


def models(store: Backend, run_id: str) -> list[str]:
    """Names of the models a run watched."""
    return sorted({r.tag for r in store.artifacts(run_id, KIND)})


def records(store: Backend, run_id: str, model: str | None,
            max_steps: int = MAX_STEPS) -> tuple[str, list[Any]]:
    """The model (default: the first) and its records, at most ``max_steps`` evenly spread
    (always keeping the last)."""
    names = models(store, run_id)
    if not names:
        raise NotFoundError(f"run {run_id} has no watched model (call run.watch(model))")
    model = model or names[0]
    if model not in names:
        raise NotFoundError(f"run {run_id} watched no model {model!r}; it watched {names}")
    recs = store.artifacts(run_id, KIND, model)
    if len(recs) > max_steps:
        keep = np.unique(np.linspace(0, len(recs) - 1, max_steps).round().astype(int))
        recs = [recs[i] for i in keep]
    return model, recs


def rows(names_per_record: list[list[str]], arrays: list[np.ndarray | None], width: int) -> tuple[list[str], np.ndarray]:
    """Align per-record arrays ``[L_i, ...]`` by name into ``[S, L, width]`` (NaN where absent)."""
    names: list[str] = []
    for ns in names_per_record:
        for n in ns:
            if n not in names:
                names.append(n)
    index = {n: i for i, n in enumerate(names)}
    out = np.full((len(arrays), len(names), width), np.nan, dtype=np.float64)
    for s, (ns, a) in enumerate(zip(names_per_record, arrays, strict=False)):
        if a is None:
            continue
        a = np.asarray(a, dtype=np.float64).reshape(len(ns), -1)
        for j, n in enumerate(ns):
            out[s, index[n], : a.shape[1]] = a[j]
    return names, out


def clean(a: np.ndarray) -> list[Any]:
    """Nested lists with NaN/Inf as None (JSON has no NaN)."""
    a = np.asarray(a, dtype=np.float64)
    obj = a.astype(object)
    obj[~np.isfinite(a)] = None
    return obj.tolist()  # type: ignore[no-any-return]
