"""Routes of the activations panel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..base import StoreGetter
from ..params import MODEL, RUN
from . import query


def router(store: StoreGetter) -> APIRouter:
    """``GET /activations``."""
    r = APIRouter(tags=["activations"])

    @r.get("/activations")
    def activations(run: str = RUN, model: str | None = MODEL) -> dict[str, Any]:
        return query.activations(store(), run, model)

    return r
