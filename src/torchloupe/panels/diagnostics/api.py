"""Routes of the diagnostics panel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..base import StoreGetter
from ..params import RUN_IDS
from . import query


def router(store: StoreGetter) -> APIRouter:
    """``GET /diagnostics``."""
    r = APIRouter(tags=["diagnostics"])

    @r.get("/diagnostics")
    def diagnostics(ids: list[str] | None = RUN_IDS) -> dict[str, Any]:
        return query.diagnostics(store(), ids)

    return r
