"""Weight or gradient histograms of one layer over time, on one common grid, with percentiles.

Each step's histogram has its own range; they are re-binned onto one grid spanning all steps
(through each step's cumulative counts), so ridgelines line up. Percentiles are read from the
same cumulative counts (TensorBoard's "distributions": 0, 6.7, 15.9, 30.9, 50, 69.1, 84.1, 93.3,
100 — the median, ±1, 2 and 3 σ of a normal, and the extremes).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ...errors import LoupeValueError, NotFoundError
from ...store import Backend
from ..watch_data import clean, records

PERCENTILES = (0.0, 6.68, 15.87, 30.85, 50.0, 69.15, 84.13, 93.32, 100.0)
GRID = 64


def histograms(store: Backend, run: str, model: str | None = None,
               which: Literal["weights", "gradients"] = "weights", layer: str | None = None,
               bins: int = GRID) -> dict[str, Any]:
    """One layer's histograms over the watched steps.

    Example:
        >>> histograms(store, run_id, which="gradients", layer="fc.weight")["density"][0][:3]  # doctest: +SKIP
    """
    if which not in ("weights", "gradients"):
        raise LoupeValueError(f"which must be 'weights' or 'gradients', got {which!r}")
    model, recs = records(store, run, model)
    layers = list(recs[-1].meta.get("params", []))
    if not layers:
        raise NotFoundError(f"model {model!r} of run {run} has no parameters")
    layer = layer or layers[0]
    if layer not in layers:
        raise NotFoundError(f"no layer {layer!r} in {model!r}; layers: {', '.join(layers[:8])}…")
    prefix = "w" if which == "weights" else "g"
    steps, counts, ranges = [], [], []
    for rec in recs:
        names = rec.meta.get("params", [])
        if layer not in names:
            continue
        a = store.load_arrays(rec)
        i = names.index(layer)
        c, r = a[f"{prefix}_hist"][i].astype(float), a[f"{prefix}_range"][i].astype(float)
        if not (np.all(np.isfinite(c)) and np.all(np.isfinite(r))) or c.sum() <= 0:
            continue
        steps.append(rec.step)
        counts.append(c)
        ranges.append(r)
    if not steps:
        return {"model": model, "which": which, "layer": layer, "layers": layers, "steps": [],
                "lo": 0.0, "hi": 0.0, "density": [], "percentiles": list(PERCENTILES), "bands": []}
    bands = [_percentiles(c, r) for c, r in zip(counts, ranges, strict=False)]
    # The grid spans the 6.7th-93.3rd percentiles of all steps, widened by half: one early step
    # with a few huge gradients would otherwise squash every later ridge into one bin. Values
    # outside it pile into the edge bins.
    lo = min(b[1] for b in bands)
    hi = max(b[7] for b in bands)
    span = hi - lo
    lo = max(lo - span / 2, min(r[0] for r in ranges))
    hi = min(hi + span / 2, max(r[1] for r in ranges))
    if hi <= lo:
        hi = lo + 1e-12
    grid = np.linspace(lo, hi, bins + 1)
    density = []
    for c, r in zip(counts, ranges, strict=False):
        edges = np.linspace(r[0], max(r[1], r[0] + 1e-30), len(c) + 1)
        cdf = np.concatenate([[0.0], np.cumsum(c)]) / c.sum()
        on_grid = np.interp(grid, edges, cdf, left=0.0, right=1.0)
        on_grid[0], on_grid[-1] = 0.0, 1.0
        density.append(np.diff(on_grid))
    return {"model": model, "which": which, "layer": layer, "layers": layers,
            "steps": [int(s) for s in steps], "lo": float(lo), "hi": float(hi),
            "density": clean(np.asarray(density)), "percentiles": list(PERCENTILES),
            "bands": clean(np.asarray(bands))}


def _percentiles(counts: np.ndarray, rng: np.ndarray) -> np.ndarray:
    edges = np.linspace(rng[0], max(rng[1], rng[0] + 1e-30), len(counts) + 1)
    cdf = np.concatenate([[0.0], np.cumsum(counts)]) / counts.sum()
    return np.interp(np.asarray(PERCENTILES) / 100, cdf, edges)
