"""Routes of the gradient-flow panel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from ..base import StoreGetter
from ..params import MAX_STEP, MODEL, RUN
from . import query


def router(store: StoreGetter) -> APIRouter:
    """``GET /gradient-flow``."""
    r = APIRouter(tags=["gradient_flow"])

    @r.get("/gradient-flow")
    def gradient_flow(run: str = RUN, model: str | None = MODEL,
                      step: int | None = Query(None, ge=0, le=MAX_STEP,
                                               description="a watched step; the last when omitted"),
                      ) -> dict[str, Any]:
        return query.gradient_flow(store(), run, model, step)

    return r
