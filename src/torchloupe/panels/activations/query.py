"""Activation statistics per leaf layer over the watched steps (mean, std, min, max, fraction of
zeros, fraction of dead units, fraction of NaN/Inf)."""

from __future__ import annotations

from typing import Any

from ...analyze.diagnostics import ACT_COLUMNS
from ...store import Backend
from ..watch_data import clean, records, rows


def activations(store: Backend, run: str, model: str | None = None) -> dict[str, Any]:
    """``stats[column][layer][step]`` for every leaf layer the watch saw.

    Example:
        >>> activations(store, run_id)["stats"]["dead"][0]  # doctest: +SKIP
    """
    model, recs = records(store, run, model)
    names, arrays, types = [], [], {}
    for rec in recs:
        layers = list(rec.meta.get("layers", []))
        a = store.load_arrays(rec).get("a_stats") if layers else None
        names.append(layers if a is not None else [])
        arrays.append(a)
        types.update(zip(layers, rec.meta.get("types", []), strict=False))
    layers, table = rows(names, arrays, len(ACT_COLUMNS))
    return {"model": model, "steps": [int(r.step) for r in recs], "layers": layers,
            "types": [types.get(n, "") for n in layers], "columns": list(ACT_COLUMNS),
            "stats": {c: clean(table[:, :, j].T) for j, c in enumerate(ACT_COLUMNS)}}
