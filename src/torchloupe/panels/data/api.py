"""Routes of the data panel."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Response

from ..base import StoreGetter
from ..params import RUN, RUN_IDS
from . import query


def router(store: StoreGetter) -> APIRouter:
    """``GET /data/runs`` (runs with logged datasets) and ``GET /data/overview``."""
    r = APIRouter(prefix="/data", tags=["data"])

    @r.get("/runs")
    def runs(ids: list[str] | None = RUN_IDS) -> dict[str, Any]:
        return {"runs": query.runs_with_data(store(), ids)}

    @r.get("/overview")
    def overview(run: str = RUN) -> Response:
        body = query.jsonable(query.overview(store(), run))
        return Response(json.dumps(body, allow_nan=False, separators=(",", ":")),
                        media_type="application/json")

    return r
