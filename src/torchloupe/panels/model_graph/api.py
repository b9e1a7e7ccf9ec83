"""Routes of the model-graph panel."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from ..base import StoreGetter
from ..params import MODEL, RUN
from ..responses import Body, errors, json_body
from . import query


class NodeOut(Body):
    id: str
    label: str
    op: str
    type: str
    module: str
    path: str
    shape: list[int] | None
    """The shape of the node's first output tensor, or null when it has none."""
    params: int
    flops: int


class EdgeOut(Body):
    source: str
    target: str
    shape: list[int] | None


class ContainerOut(Body):
    path: str
    type: str
    params: int
    flops: int | None = None


class GraphBody(Body):
    """The format of :mod:`torchloupe.analyze.model_graph`."""

    method: Literal["fx", "hooks", "none"]
    nodes: list[NodeOut]
    edges: list[EdgeOut]
    error: str | None = None
    modules: list[ContainerOut] = []


class GraphOut(Body):
    run: str
    model: str
    models: list[str]
    graph: GraphBody


def router(store: StoreGetter) -> APIRouter:
    """``GET /model/graph``."""
    r = APIRouter(tags=["model_graph"], responses=errors(404, 422))

    @r.get("/model/graph", response_model=GraphOut)
    def graph(run: str = RUN, model: str | None = MODEL) -> Response:
        return json_body(query.graph(store(), run, model))

    return r
