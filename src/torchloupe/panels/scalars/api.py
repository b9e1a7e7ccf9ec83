"""Routes of the scalars panel."""

from __future__ import annotations

from typing import Any, Literal

import orjson
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from ..base import StoreGetter
from . import query


class TagOut(BaseModel):
    tag: str
    runs: list[str]


class TagsOut(BaseModel):
    tags: list[TagOut]


class Buckets(BaseModel):
    x: list[float]
    mean: list[float]
    count: list[int]


class NonFinite(BaseModel):
    x: float
    nan: int
    posinf: int
    neginf: int


class SeriesOut(BaseModel):
    run: str
    n: int | None = None
    exact: bool | None = None
    x: list[float] | None = None
    y: list[float] | None = None
    buckets: Buckets | None = None
    nonfinite: list[NonFinite] | None = None
    error: str | None = None


class ChartOut(BaseModel):
    tag: str
    x: Literal["step", "wall"]
    width: int
    series: list[SeriesOut]


def _ids(runs: str | None) -> list[str] | None:
    return None if runs is None else [r for r in runs.split(",") if r]


def router(store: StoreGetter) -> APIRouter:
    """``GET /scalars/tags`` and ``GET /scalars/series``."""
    r = APIRouter(prefix="/scalars", tags=["scalars"])

    @r.get("/tags", response_model=TagsOut)
    def tags(runs: str | None = Query(None, description="comma-separated run ids")) -> dict[str, Any]:
        return {"tags": query.tags(store(), _ids(runs))}

    @r.get("/series", response_model=ChartOut,
           responses={200: {"model": ChartOut}})
    def series(tag: str = Query(..., min_length=1, max_length=256),
               runs: str | None = Query(None, description="comma-separated run ids"),
               x: Literal["step", "wall"] = "step",
               lo: float | None = None, hi: float | None = None,
               width: int = Query(800, ge=1, le=query.MAX_WIDTH)) -> Response:
        # Encoded by orjson straight from the NumPy arrays: validating and encoding ~10^5 floats
        # through pydantic and json would cost more than the query itself.
        body = query.series(store(), tag, _ids(runs), x, lo, hi, width)
        return Response(orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY),
                        media_type="application/json")

    return r
