"""Routes of the model-graph panel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from ..base import StoreGetter
from . import query


def router(store: StoreGetter) -> APIRouter:
    """``GET /model/graph``."""
    r = APIRouter(tags=["model_graph"])

    @r.get("/model/graph")
    def graph(run: str = Query(..., min_length=1, max_length=64),
              model: str | None = Query(None, max_length=256)) -> dict[str, Any]:
        return query.graph(store(), run, model)

    return r
