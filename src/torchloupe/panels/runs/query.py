"""Runs as JSON-able records for the runs table."""

from __future__ import annotations

import math
from typing import Any

from ...store import Backend


def runs(store: Backend) -> list[dict[str, Any]]:
    """Every run, newest first, with the number of its series and points.

    Example:
        >>> runs(open_backend(tempfile.mkdtemp()))   # doctest: +SKIP
        []
    """
    totals = store.series_totals()
    out = []
    for r in store.runs():
        keys, points = totals.get(r.id, (0, 0))
        out.append({
            "id": r.id, "project": r.project, "name": r.name, "status": r.status.value,
            "started": r.started, "ended": r.ended, "heartbeat": r.heartbeat,
            "config": json_safe(r.config), "summary": json_safe(r.summary),
            "keys": keys, "points": points, "error": None,
        })
    return out


def json_safe(value: Any) -> Any:
    """Replace NaN/Inf (not valid JSON) by their names as strings, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def has_data(store: Any, run_ids: list[str] | None = None) -> bool:
    """Whether the store holds one of ``run_ids`` (any run when None)."""
    ids = {r.id for r in store.runs()}
    return bool(ids if run_ids is None else ids.intersection(run_ids))
