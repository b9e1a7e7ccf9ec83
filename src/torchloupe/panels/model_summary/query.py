"""The model summaries a run logged with ``run.log_model`` (the latest per model)."""

from __future__ import annotations

from typing import Any

from ...store import Backend
from ...store.latest import latest_per_tag


def summaries(store: Backend, run: str) -> dict[str, Any]:
    """``{"run", "models": [{"name", "step", "summary"}]}``.

    Example:
        >>> summaries(store, run_id)["models"][0]["summary"]["total_params"]  # doctest: +SKIP
        73210
    """
    return {"run": run, "models": [{"name": tag, "step": rec.step, "summary": data}
                                   for tag, rec, data in latest_per_tag(store, run, "model_summary")]}
