"""The model summaries a run logged with ``run.log_model`` (the latest per model)."""

from __future__ import annotations

from typing import Any

from ...errors import NotFoundError
from ...store import Backend


def latest(store: Backend, run: str, kind: str, model: str | None = None) -> list[tuple[str, Any, dict[str, Any]]]:
    """(model, record, JSON) of the latest artifact of ``kind`` per model (or of ``model``)."""
    by_tag: dict[str, Any] = {}
    for rec in store.artifacts(run, kind, model):
        by_tag[rec.tag] = rec  # ordered by step, then time: the last one wins
    if model is not None and model not in by_tag:
        raise NotFoundError(f"run {run} logged no model {model!r} (call run.log_model)")
    return [(tag, rec, store.load_json(rec)) for tag, rec in by_tag.items()]


def summaries(store: Backend, run: str) -> dict[str, Any]:
    """``{"run", "models": [{"name", "step", "summary"}]}``.

    Example:
        >>> summaries(store, run_id)["models"][0]["summary"]["total_params"]  # doctest: +SKIP
        73210
    """
    return {"run": run, "models": [{"name": tag, "step": rec.step, "summary": data}
                                   for tag, rec, data in latest(store, run, "model_summary")]}
