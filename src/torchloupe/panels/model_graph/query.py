"""The model graph a run logged with ``run.log_model`` (format in
:mod:`torchloupe.analyze.model_graph`)."""

from __future__ import annotations

from typing import Any

from ...errors import NotFoundError
from ...store import Backend
from ...store.latest import latest_per_tag


def graph(store: Backend, run: str, model: str | None = None) -> dict[str, Any]:
    """``{"run", "model", "models", "graph"}`` for ``model`` (default: the first logged).

    Example:
        >>> len(graph(store, run_id)["graph"]["nodes"])  # doctest: +SKIP
        40
    """
    found = latest_per_tag(store, run, "model_graph")
    if not found:
        raise NotFoundError(f"run {run} logged no model graph (call run.log_model)")
    names = [tag for tag, _, _ in found]
    if model is not None and model not in names:
        raise NotFoundError(f"run {run} logged no model {model!r}; it logged {names}")
    tag, _, data = next(f for f in found if model is None or f[0] == model)
    return {"run": run, "model": tag, "models": names, "graph": data}
