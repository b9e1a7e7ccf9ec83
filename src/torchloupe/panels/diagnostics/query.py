"""Diagnostic events of runs (from ``run.watch`` or ``run.event``), most severe first, counted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...store import Backend

RANK = {"error": 0, "warning": 1, "info": 2}


def diagnostics(store: Backend, runs: Sequence[str] | None = None) -> dict[str, Any]:
    """Events per run with counts by severity.

    Example:
        >>> diagnostics(store, [run_id])["runs"][0]["counts"]  # doctest: +SKIP
        {'error': 1, 'warning': 2, 'info': 0}
    """
    ids = list(runs) if runs is not None else [r.id for r in store.runs()]
    out = []
    for run_id in ids:
        try:
            events = store.events(run_id)
        except Exception as exc:  # a damaged run must not hide the others
            out.append({"run": run_id, "events": [], "counts": {}, "error": str(exc)})
            continue
        events = sorted(events, key=lambda e: (RANK.get(e.severity, 3), e.step or 0))
        counts = {s: sum(1 for e in events if e.severity == s) for s in RANK}
        out.append({"run": run_id, "counts": counts, "events": [
            {"kind": e.kind, "step": e.step, "severity": e.severity, "message": e.message,
             "where": e.location, "wall": e.wall} for e in events]})
    return {"runs": out}


def has_data(store: Any, run_ids: list[str] | None = None) -> bool:
    """Whether one of the runs has a diagnostic event (one query per run until one has)."""
    ids = run_ids if run_ids is not None else [r.id for r in store.runs()]
    return any(store.events(run_id) for run_id in ids)
