"""Gradient flow: per-layer mean and max |gradient| at one watched step, the total norm over time.

Zones: a layer whose mean |g| is below ``VANISHING`` barely learns; a max |g| above ``EXPLODING``
is a step that blows up the weights (for weights of typical scale ~1e-2–1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import NotFoundError
from ...store import Backend
from ..watch_data import clean, records

VANISHING = 1e-7
EXPLODING = 1e2


def gradient_flow(store: Backend, run: str, model: str | None = None,
                  step: int | None = None) -> dict[str, Any]:
    """Per-layer gradient magnitudes at ``step`` (default: the last watched step).

    Example:
        >>> gradient_flow(store, run_id)["layers"][:2]  # doctest: +SKIP
        ['conv1.weight', 'bn1.weight']
    """
    model, recs = records(store, run, model, max_steps=10_000)
    steps = [r.step for r in recs]
    if step is None:
        rec = recs[-1]
    else:
        match = [r for r in recs if r.step == step]
        if not match:
            raise NotFoundError(f"no watched step {step} for {model!r}; nearest: "
                                  f"{min(steps, key=lambda s: abs(s - step))}")
        rec = match[-1]
    a = store.load_arrays(rec)
    g = a["g_stats"].astype(float)
    total_steps, totals = [], []
    for r in recs[-400:] if len(recs) > 400 else recs:
        gs = store.load_arrays(r)["g_stats"].astype(float)[:, 2]
        gs = gs[np.isfinite(gs)]
        if len(gs):
            total_steps.append(int(r.step))
            totals.append(float(np.sqrt(np.sum(gs ** 2))))
    return {"model": model, "step": int(rec.step), "steps": [int(s) for s in steps],
            "layers": list(rec.meta.get("params", [])), "mean_abs": clean(g[:, 0]),
            "max_abs": clean(g[:, 1]), "norm": clean(g[:, 2]),
            "update": clean(a["update"].astype(float)),
            "total": {"steps": total_steps, "norm": clean(np.asarray(totals))},
            "zones": {"vanishing": VANISHING, "exploding": EXPLODING}}
