"""Routes of the gradient-flow panel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from ..base import StoreGetter
from . import query


def router(store: StoreGetter) -> APIRouter:
    """``GET /gradient-flow``."""
    r = APIRouter(tags=["gradient_flow"])

    @r.get("/gradient-flow")
    def gradient_flow(run: str = Query(..., min_length=1, max_length=64),
                      model: str | None = Query(None, max_length=256),
                      step: int | None = Query(None, ge=0)) -> dict[str, Any]:
        return query.gradient_flow(store(), run, model, step)

    return r
