"""Routes of the model-summary panel."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ..base import StoreGetter
from ..params import RUN
from ..responses import Body, errors, json_body
from . import query


class ModuleRowOut(Body):
    name: str
    type: str
    depth: int
    input_shapes: list[list[int]]
    output_shapes: list[list[int]]
    params: int
    trainable: int
    flops: int
    activation_bytes: int
    calls: int
    leaf: bool


class ModelSummaryOut(Body):
    """:class:`torchloupe.analyze.model_summary.ModelSummary` as JSON."""

    model: str
    rows: list[ModuleRowOut]
    total_params: int
    trainable_params: int
    total_flops: int
    activation_bytes: int
    param_bytes: int
    input_shapes: list[list[int]]


class LoggedSummary(Body):
    name: str
    step: int | None
    summary: ModelSummaryOut


class SummariesOut(Body):
    run: str
    models: list[LoggedSummary]


def router(store: StoreGetter) -> APIRouter:
    """``GET /model/summary``."""
    r = APIRouter(tags=["model_summary"], responses=errors(404, 422))

    @r.get("/model/summary", response_model=SummariesOut)
    def summary(run: str = RUN) -> Response:
        return json_body(query.summaries(store(), run))

    return r
