"""Routes of the scalars panel."""

from __future__ import annotations

from typing import Any, Literal

import orjson
from fastapi import APIRouter, Query, Response

from ..base import StoreGetter
from ..params import MAX_TEXT, RUN_IDS
from ..responses import Body, errors
from . import query


class TagOut(Body):
    tag: str
    runs: list[str]


class TagsOut(Body):
    tags: list[TagOut]


class Buckets(Body):
    x: list[float]
    mean: list[float | None]
    """The mean of each bucket; null where a bucket has no finite value."""
    count: list[int]


class NonFinite(Body):
    x: float
    nan: int
    posinf: int
    neginf: int


class SeriesOut(Body):
    run: str
    n: int
    exact: bool
    x: list[float]
    y: list[float | None]
    """The values at ``x``; null where a value is not finite (see ``nonfinite``)."""
    buckets: Buckets
    nonfinite: list[NonFinite]


class SeriesError(Body):
    """A run whose series could not be read; the other runs are still answered."""

    run: str
    error: str


class ChartOut(Body):
    tag: str
    x: Literal["step", "wall"]
    width: int
    series: list[SeriesOut | SeriesError]


MAX_X = 1e19  # beyond any step (|step| <= 2**62) or wall time


def router(store: StoreGetter) -> APIRouter:
    """``GET /scalars/tags`` and ``GET /scalars/series``."""
    r = APIRouter(prefix="/scalars", tags=["scalars"], responses=errors(422))

    @r.get("/tags", response_model=TagsOut)
    def tags(ids: list[str] | None = RUN_IDS) -> dict[str, Any]:
        return {"tags": query.tags(store(), ids)}

    @r.get("/series", response_model=ChartOut)
    def series(tag: str = Query(..., min_length=1, max_length=MAX_TEXT),
               ids: list[str] | None = RUN_IDS,
               x: Literal["step", "wall"] = "step",
               lo: float | None = Query(None, ge=-MAX_X, le=MAX_X, allow_inf_nan=False,
                                        description="one end of the x range (finite)"),
               hi: float | None = Query(None, ge=-MAX_X, le=MAX_X, allow_inf_nan=False,
                                        description="the other end of the x range (finite)"),
               width: int = Query(800, ge=1, le=query.MAX_WIDTH,
                                  description="chart width in pixels")) -> Response:
        # Encoded by orjson straight from the NumPy arrays: validating and encoding ~10^5 floats
        # through pydantic and json would cost more than the query itself.
        if lo is not None and hi is not None and hi < lo:  # any two numbers the schema allows
            lo, hi = hi, lo
        body = query.series(store(), tag, ids, x, lo, hi, width)
        return Response(orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY),
                        media_type="application/json")

    return r
