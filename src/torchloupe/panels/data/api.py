"""Routes of the data panel."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query, Response

from ..base import StoreGetter
from . import query


def _ids(runs: str | None) -> list[str] | None:
    return None if runs is None else [r for r in runs.split(",") if r]


def router(store: StoreGetter) -> APIRouter:
    """``GET /data/runs`` (runs with logged datasets) and ``GET /data/overview``."""
    r = APIRouter(prefix="/data", tags=["data"])

    @r.get("/runs")
    def runs(runs: str | None = Query(None, description="comma-separated run ids")) -> dict[str, Any]:
        return {"runs": query.runs_with_data(store(), _ids(runs))}

    @r.get("/overview")
    def overview(run: str = Query(..., min_length=1, max_length=64)) -> Response:
        body = query.jsonable(query.overview(store(), run))
        return Response(json.dumps(body, allow_nan=False, separators=(",", ":")),
                        media_type="application/json")

    return r
