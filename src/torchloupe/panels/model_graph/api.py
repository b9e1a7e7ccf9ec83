"""Routes of the model-graph panel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..base import StoreGetter
from ..params import MODEL, RUN
from . import query


def router(store: StoreGetter) -> APIRouter:
    """``GET /model/graph``."""
    r = APIRouter(tags=["model_graph"])

    @r.get("/model/graph")
    def graph(run: str = RUN, model: str | None = MODEL) -> dict[str, Any]:
        return query.graph(store(), run, model)

    return r
