"""Routes of the evaluation panels: parse, then call ``query`` / ``explain``."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Query, Response

from ..base import StoreGetter
from . import query
from .explain import attribution_png
from .images import png

_RUN = Query(..., min_length=1, max_length=64, description="run id")
_SPLIT = Query("test", min_length=1, max_length=256)
_IMMUTABLE = {"Cache-Control": "private, max-age=3600"}


def _json(body: Any) -> Response:
    return Response(json.dumps(body, allow_nan=False, separators=(",", ":")), media_type="application/json")


def router(store: StoreGetter) -> APIRouter:
    """``/predictions/{index,summary,examples,thumb,attribution,dynamics}``."""
    r = APIRouter(prefix="/predictions", tags=["predictions"])

    @r.get("/index")
    def index(runs: str | None = Query(None, description="comma-separated run ids")) -> Response:
        ids = None if runs is None else [x for x in runs.split(",") if x]
        return _json({"runs": query.index(store(), ids)})

    @r.get("/summary")
    def summary(run: str = _RUN, split: str = _SPLIT, step: int | None = None) -> Response:
        return _json(query.summary(store(), run, split, step))

    @r.get("/examples")
    def examples(run: str = _RUN, split: str = _SPLIT, step: int | None = None,
                 target: int | None = Query(None, ge=0), predicted: int | None = Query(None, ge=0),
                 order: Literal["loss", "confidence", "index"] = "loss",
                 limit: int = Query(60, ge=1, le=500), offset: int = Query(0, ge=0)) -> Response:
        return _json(query.examples(store(), run, split, step, target, predicted, order, limit, offset))

    @r.get("/thumb", response_class=Response, responses={200: {"content": {"image/png": {}}}})
    def thumb(run: str = _RUN, split: str = _SPLIT, id: str = Query(..., max_length=512)) -> Response:
        pixels, _ = query.find_input(store(), run, split, id)
        return Response(png(pixels), media_type="image/png", headers=_IMMUTABLE)

    @r.get("/attribution", response_class=Response, responses={200: {"content": {"image/png": {}}}})
    def attribution(run: str = _RUN, split: str = _SPLIT, id: str = Query(..., max_length=512),
                    method: Literal["saliency", "integrated_gradients", "gradcam", "occlusion"] = "gradcam") -> Response:
        return Response(attribution_png(store(), run, split, id, method), media_type="image/png",
                        headers=_IMMUTABLE)

    @r.get("/dynamics")
    def dynamics(run: str = _RUN, split: str = _SPLIT) -> Response:
        return _json(query.dynamics(store(), run, split))

    return r

