"""Routes of the diagnostics panel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from ..base import StoreGetter
from . import query


def router(store: StoreGetter) -> APIRouter:
    """``GET /diagnostics``."""
    r = APIRouter(tags=["diagnostics"])

    @r.get("/diagnostics")
    def diagnostics(runs: str | None = Query(None, description="comma-separated run ids")) -> dict[str, Any]:
        ids = None if runs is None else [x for x in runs.split(",") if x]
        return query.diagnostics(store(), ids)

    return r
