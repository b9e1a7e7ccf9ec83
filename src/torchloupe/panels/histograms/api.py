"""Routes of the histograms panel."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query

from ..base import StoreGetter
from ..params import MAX_LONG_TEXT, MODEL, RUN
from ..watch_data import models
from . import query


def router(store: StoreGetter) -> APIRouter:
    """``GET /watch/models`` and ``GET /histograms``."""
    r = APIRouter(tags=["histograms"])

    @r.get("/watch/models")
    def watched(run: str = RUN) -> dict[str, Any]:
        return {"run": run, "models": models(store(), run)}

    @r.get("/histograms")
    def histograms(run: str = RUN, model: str | None = MODEL,
                   which: Literal["weights", "gradients"] = "weights",
                   layer: str | None = Query(None, max_length=MAX_LONG_TEXT)) -> dict[str, Any]:
        return query.histograms(store(), run, model, which, layer)

    return r
