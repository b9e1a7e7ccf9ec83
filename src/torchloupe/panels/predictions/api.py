"""Routes of the evaluation panels: parse, then call ``query`` / ``explain``."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response

from ..base import StoreGetter
from ..params import MAX_INDEX, MAX_LONG_TEXT, MAX_TEXT, RUN, RUN_IDS, STEP
from . import query
from .explain import attribution_png
from .images import png

_SPLIT = Query("test", min_length=1, max_length=MAX_TEXT)
_ID = Query(..., max_length=MAX_LONG_TEXT, description="example id")
_IMMUTABLE = {"Cache-Control": "private, max-age=3600"}


def _json(body: Any) -> Response:
    return Response(json.dumps(body, allow_nan=False, separators=(",", ":")), media_type="application/json")


def router(store: StoreGetter) -> APIRouter:
    """``/predictions/{index,summary,examples,thumb,attribution,dynamics}``."""
    r = APIRouter(prefix="/predictions", tags=["predictions"])

    @r.get("/index")
    def index(ids: list[str] | None = RUN_IDS) -> Response:
        return _json({"runs": query.index(store(), ids)})

    @r.get("/summary")
    def summary(run: str = RUN, split: str = _SPLIT, step: int | None = STEP) -> Response:
        return _json(query.summary(store(), run, split, step))

    @r.get("/examples")
    def examples(run: str = RUN, split: str = _SPLIT, step: int | None = STEP,
                 target: int | None = Query(None, ge=0, le=MAX_INDEX, description="true class"),
                 predicted: int | None = Query(None, ge=0, le=MAX_INDEX, description="predicted class"),
                 order: Literal["loss", "confidence", "index"] = "loss",
                 limit: int = Query(60, ge=1, le=500),
                 offset: int = Query(0, ge=0, le=MAX_INDEX)) -> Response:
        return _json(query.examples(store(), run, split, step, target, predicted, order, limit, offset))

    @r.get("/thumb", response_class=Response, responses={200: {"content": {"image/png": {}}}})
    def thumb(run: str = RUN, split: str = _SPLIT, id: str = _ID) -> Response:
        pixels, _ = query.find_input(store(), run, split, id)
        return Response(png(pixels), media_type="image/png", headers=_IMMUTABLE)

    @r.get("/attribution", response_class=Response, responses={200: {"content": {"image/png": {}}}})
    def attribution(request: Request, run: str = RUN, split: str = _SPLIT, id: str = _ID,
                    method: Literal["saliency", "integrated_gradients", "gradcam", "occlusion"] = "gradcam") -> Response:
        """The map over the example as PNG; 403 when the checkpoint's model class is not trusted
        (registered with ``tl.register_model``, torchloupe's own, or ``--trust-module``)."""
        trusted = getattr(request.app.state, "trusted_modules", ())
        return Response(attribution_png(store(), run, split, id, method, trusted),
                        media_type="image/png", headers=_IMMUTABLE)

    @r.get("/dynamics")
    def dynamics(run: str = RUN, split: str = _SPLIT) -> Response:
        return _json(query.dynamics(store(), run, split))

    return r

