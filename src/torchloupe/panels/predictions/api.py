"""Routes of the evaluation panels: parse, then call ``query`` / ``explain``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from ..base import StoreGetter
from ..params import MAX_INDEX, MAX_LONG_TEXT, MAX_TEXT, RUN, RUN_IDS, STEP
from ..responses import PNG, Body, errors, json_body
from . import query
from .explain import attribution_png
from .images import png

_SPLIT = Query("test", min_length=1, max_length=MAX_TEXT)
_ID = Query(..., max_length=MAX_LONG_TEXT, description="example id")
_IMMUTABLE = {"Cache-Control": "private, max-age=3600"}


class SplitIndex(Body):
    split: str
    steps: list[int]
    num_classes: int | None
    class_names: list[str]
    has_inputs: bool


class RunIndex(Body):
    run: str
    splits: list[SplitIndex]
    checkpoint: bool


class IndexOut(Body):
    runs: list[RunIndex]


class ClassMetrics(Body):
    class_: int = Field(alias="class")
    name: str
    precision: float
    recall: float
    f1: float
    support: int


class Average(Body):
    precision: float
    recall: float
    f1: float


class Metrics(Body):
    classes: list[ClassMetrics]
    macro: Average
    weighted: Average


class Roc(Body):
    class_: int = Field(alias="class")
    name: str
    auc: float | None
    fpr: list[float]
    tpr: list[float]


class PrCurve(Body):
    class_: int = Field(alias="class")
    name: str
    ap: float | None
    precision: list[float]
    recall: list[float]
    thresholds: list[float]
    tp: list[int]
    fp: list[int]
    tn: list[int]
    fn: list[int]


class Reliability(Body):
    edges: list[float]
    count: list[int]
    confidence: list[float | None]
    accuracy: list[float | None]
    ece: float


class PredictionSummaryOut(Body):
    run: str
    split: str
    step: int | None
    n: int
    class_names: list[str]
    accuracy: float
    top5: float | None
    loss: float
    confusion: list[list[int]]
    """``confusion[true][predicted]`` counts."""
    metrics: Metrics
    roc: list[Roc]
    pr: list[PrCurve]
    reliability: Reliability


class ExampleOut(Body):
    index: int
    id: str
    target: int
    predicted: int
    confidence: float
    prob_true: float
    loss: float


class ExamplesOut(Body):
    run: str
    split: str
    step: int | None
    total: int
    class_names: list[str]
    has_inputs: bool
    examples: list[ExampleOut]


class Suspect(Body):
    index: int
    score: float
    predicted: int
    reason: str
    id: str
    target: int
    confidence: float


class DynamicsOut(Body):
    run: str
    split: str
    steps: list[int | None]
    class_names: list[str]
    has_inputs: bool
    ids: list[str]
    target: list[int]
    confidence: list[float]
    variability: list[float]
    correct: list[float]
    forgetting: list[int]
    aum: list[float]
    region: list[str]
    suspects: list[Suspect]


def router(store: StoreGetter) -> APIRouter:
    """``/predictions/{index,summary,examples,thumb,attribution,dynamics}``."""
    r = APIRouter(prefix="/predictions", tags=["predictions"], responses=errors(404, 422))

    @r.get("/index", response_model=IndexOut)
    def index(ids: list[str] | None = RUN_IDS) -> Response:
        return json_body({"runs": query.index(store(), ids)})

    @r.get("/summary", response_model=PredictionSummaryOut)
    def summary(run: str = RUN, split: str = _SPLIT, step: int | None = STEP) -> Response:
        return json_body(query.summary(store(), run, split, step))

    @r.get("/examples", response_model=ExamplesOut)
    def examples(run: str = RUN, split: str = _SPLIT, step: int | None = STEP,
                 target: int | None = Query(None, ge=0, le=MAX_INDEX, description="true class"),
                 predicted: int | None = Query(None, ge=0, le=MAX_INDEX, description="predicted class"),
                 order: Literal["loss", "confidence", "index"] = "loss",
                 limit: int = Query(60, ge=1, le=500),
                 offset: int = Query(0, ge=0, le=MAX_INDEX)) -> Response:
        return json_body(query.examples(store(), run, split, step, target, predicted, order, limit, offset))

    @r.get("/thumb", response_class=Response, responses=PNG)
    def thumb(run: str = RUN, split: str = _SPLIT, id: str = _ID) -> Response:
        pixels, _ = query.find_input(store(), run, split, id)
        return Response(png(pixels), media_type="image/png", headers=_IMMUTABLE)

    @r.get("/attribution", response_class=Response, responses={**PNG, **errors(403)})
    def attribution(request: Request, run: str = RUN, split: str = _SPLIT, id: str = _ID,
                    method: Literal["saliency", "integrated_gradients", "gradcam", "occlusion"] = "gradcam") -> Response:
        """The map over the example as PNG; 403 when the checkpoint's model class is not trusted
        (registered with ``tl.register_model``, torchloupe's own, or ``--trust-module``)."""
        trusted = getattr(request.app.state, "trusted_modules", ())
        return Response(attribution_png(store(), run, split, id, method, trusted),
                        media_type="image/png", headers=_IMMUTABLE)

    @r.get("/dynamics", response_model=DynamicsOut)
    def dynamics(run: str = RUN, split: str = _SPLIT) -> Response:
        return json_body(query.dynamics(store(), run, split))

    return r

