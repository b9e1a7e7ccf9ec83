"""Routes of the histograms panel."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response

from ..base import StoreGetter
from ..params import MAX_LONG_TEXT, MODEL, RUN
from ..responses import Body, errors, json_body
from ..watch_data import models
from . import query


class WatchedOut(Body):
    run: str
    models: list[str]


class HistogramsOut(Body):
    model: str
    which: Literal["weights", "gradients"]
    layer: str
    layers: list[str]
    steps: list[int]
    lo: float
    hi: float
    density: list[list[float | None]]
    """``density[step][bin]`` over ``[lo, hi]``."""
    percentiles: list[float]
    bands: list[list[float | None]]
    """``bands[step][percentile]``."""


def router(store: StoreGetter) -> APIRouter:
    """``GET /watch/models`` and ``GET /histograms``."""
    r = APIRouter(tags=["histograms"], responses=errors(404, 422))

    @r.get("/watch/models", response_model=WatchedOut)
    def watched(run: str = RUN) -> Response:
        return json_body({"run": run, "models": models(store(), run)})

    @r.get("/histograms", response_model=HistogramsOut)
    def histograms(run: str = RUN, model: str | None = MODEL,
                   which: Literal["weights", "gradients"] = "weights",
                   layer: str | None = Query(None, max_length=MAX_LONG_TEXT)) -> Response:
        return json_body(query.histograms(store(), run, model, which, layer))

    return r
