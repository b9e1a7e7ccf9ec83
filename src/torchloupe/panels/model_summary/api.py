"""Routes of the model-summary panel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..base import StoreGetter
from ..params import RUN
from . import query


def router(store: StoreGetter) -> APIRouter:
    """``GET /model/summary``."""
    r = APIRouter(tags=["model_summary"])

    @r.get("/model/summary")
    def summary(run: str = RUN) -> dict[str, Any]:
        return query.summaries(store(), run)

    return r
