"""Routes of the activations panel."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ..base import StoreGetter
from ..params import MODEL, RUN
from ..responses import Body, errors, json_body
from . import query


class ActivationsOut(Body):
    model: str
    steps: list[int]
    layers: list[str]
    types: list[str]
    columns: list[str]
    stats: dict[str, list[list[float | None]]]
    """``stats[column][layer][step]``; null where a layer was not seen at a step."""


def router(store: StoreGetter) -> APIRouter:
    """``GET /activations``."""
    r = APIRouter(tags=["activations"], responses=errors(404, 422))

    @r.get("/activations", response_model=ActivationsOut)
    def activations(run: str = RUN, model: str | None = MODEL) -> Response:
        return json_body(query.activations(store(), run, model))

    return r
