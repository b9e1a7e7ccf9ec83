"""Routes of the gradient-flow panel."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from ..base import StoreGetter
from ..params import MAX_STEP, MODEL, RUN
from ..responses import Body, errors, json_body
from . import query


class TotalNorm(Body):
    steps: list[int]
    norm: list[float | None]


class Zones(Body):
    vanishing: float
    exploding: float


class GradientFlowOut(Body):
    model: str
    step: int
    steps: list[int]
    layers: list[str]
    mean_abs: list[float | None]
    max_abs: list[float | None]
    norm: list[float | None]
    update: list[float | None]
    total: TotalNorm
    zones: Zones


def router(store: StoreGetter) -> APIRouter:
    """``GET /gradient-flow``."""
    r = APIRouter(tags=["gradient_flow"], responses=errors(404, 422))

    @r.get("/gradient-flow", response_model=GradientFlowOut)
    def gradient_flow(run: str = RUN, model: str | None = MODEL,
                      step: int | None = Query(None, ge=0, le=MAX_STEP,
                                               description="a watched step; the last when omitted"),
                      ) -> Response:
        return json_body(query.gradient_flow(store(), run, model, step))

    return r
