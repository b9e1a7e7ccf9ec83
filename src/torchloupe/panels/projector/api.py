"""Routes of the projector panel. Coordinates and colour columns travel as little-endian binary
(float32 / int32), so a million points cost 8 MB rather than tens of MB of JSON."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Query, Response
from pydantic import Field, RootModel
from pydantic.json_schema import SkipJsonSchema

from ...analyze import embeddings as emb
from ..base import JobRunner, StoreGetter
from ..params import JOBS, MAX_INDEX, MAX_TEXT, RUN, RUN_IDS, STEP, TAG
from ..responses import BINARY, PNG, Body, errors, json_body
from . import query

Method = Literal["pca", "tsne", "umap"]
_INDEX = Query(..., ge=0, le=MAX_INDEX, description="point index")
_NAME = Query(..., min_length=1, max_length=MAX_TEXT, description="column name")
_SHAPE = {"X-Points": {"schema": {"type": "integer"}, "description": "rows: one per point"},
          "X-Dims": {"schema": {"type": "integer"}, "description": "float32 values per row"}}


class TagOut(Body):
    tag: str
    runs: list[str]


class TagsOut(Body):
    tags: list[TagOut]


class ColumnRef(Body):
    name: str
    kind: Literal["category", "number"]


class InfoOut(Body):
    run: str
    tag: str
    step: int | None
    steps: list[int | None]
    n: int
    dim: int
    has_labels: bool
    has_images: bool
    class_names: list[str] | None
    split: str
    columns: list[ColumnRef]
    predictions: bool


class CategoryColumnOut(Body):
    name: str
    kind: Literal["category"]
    categories: list[str]
    """Category names, indexed by the int32 codes of ``/column.bin`` (-1: none)."""


class NumberColumnOut(Body):
    name: str
    kind: Literal["number"]
    range: tuple[float, float]
    """``[min, max]`` of a number column's finite values."""


class ColumnOut(RootModel[Annotated[CategoryColumnOut | NumberColumnOut, Field(discriminator="kind")]]):
    """A column to colour by: a category column names its codes, a number column gives its range."""


class PointOut(Body):
    index: int
    id: int
    metadata: dict[str, str | int | float | bool | None]
    # Sent only when the embedding has labels / when predictions were logged for its examples:
    # absent otherwise, never null (SkipJsonSchema keeps null out of the schema).
    label: int | SkipJsonSchema[None] = None
    label_name: str | SkipJsonSchema[None] = None
    predicted: int | SkipJsonSchema[None] = None
    predicted_name: str | SkipJsonSchema[None] = None
    correct: bool | SkipJsonSchema[None] = None
    predictions_step: int | None | SkipJsonSchema[None] = None
    """The step of the predictions compared with (null when they were logged without one)."""
    predictions_tag: str | SkipJsonSchema[None] = None


class Neighbor(Body):
    index: int
    distance: float


class NeighborsOut(Body):
    index: int
    metric: Literal["euclidean", "cosine"]
    neighbors: list[Neighbor]


class SearchOut(Body):
    count: int
    indices: list[int]


class JobOut(Body):
    """A projection still being computed (or failed): answered with status 202."""

    state: Literal["queued", "running", "done", "error", "missing"]
    progress: float
    message: str
    error: str | None
    seconds: float


def _binary(a: np.ndarray, **headers: str) -> Response:
    return Response(np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes(),
                    media_type="application/octet-stream", headers=headers)


def router(store: StoreGetter) -> APIRouter:
    """``/projector/...``: tags, info, projection, column, point, neighbors, search, thumb."""
    r = APIRouter(prefix="/projector", tags=["projector"], responses=errors(404, 422))

    @r.get("/tags", response_model=TagsOut)
    def tags(ids: list[str] | None = RUN_IDS) -> Response:
        return json_body({"tags": query.tags(store(), ids)})

    @r.get("/info", response_model=InfoOut)
    def info(run: str = RUN, tag: str = TAG, step: int | None = STEP) -> Response:
        return json_body(query.info(store(), run, tag, step))

    @r.get("/projection", response_class=Response,
           responses={200: {**BINARY[200], "headers": _SHAPE},
                      202: {"model": JobOut, "description": "still computing: state and progress"}})
    def projection(run: str = RUN, tag: str = TAG, step: int | None = STEP,
                   method: Method = "pca", dims: int = Query(2, ge=2, le=3),
                   perplexity: float = Query(30.0, gt=1, le=200),
                   n_neighbors: int = Query(15, ge=2, le=200), jobs: JobRunner = JOBS) -> Response:
        """Float32 ``[n, dims]`` coordinates when ready (200); otherwise the job's state (202)."""
        s = store()
        rec = query.record(s, run, tag, step)
        if method == "pca":
            coords = query.pca(s, rec, dims)
            return _binary(coords, **{"X-Points": str(len(coords)), "X-Dims": str(dims)})
        params: dict[str, Any] = ({"perplexity": perplexity} if method == "tsne"
                                  else {"n_neighbors": n_neighbors})
        key = query.projection_key(rec, method, dims, params)
        status = jobs.submit(key, lambda progress: emb.project(
            query.features(s, rec), method, dims, progress=progress, **params).coords)
        if status.state == "done":
            coords = jobs.result(key)
            if coords is not None:
                return _binary(coords.astype(np.float32), **{"X-Points": str(len(coords)),
                                                             "X-Dims": str(dims)})
        return json_body({"state": status.state, "progress": status.progress, "message": status.message,
                      "error": status.error, "seconds": round(status.seconds, 2)}, status=202)

    @r.get("/column", response_model=ColumnOut)
    def column(run: str = RUN, tag: str = TAG, step: int | None = STEP,
               name: str = _NAME) -> Response:
        """How to read ``/column.bin``: ``kind`` category (with ``categories``) or number (``range``)."""
        s = store()
        desc, _ = query.column(s, query.record(s, run, tag, step), name)
        return json_body(desc)

    @r.get("/column.bin", response_class=Response, responses=BINARY)
    def column_bin(run: str = RUN, tag: str = TAG, step: int | None = STEP,
                   name: str = _NAME) -> Response:
        """int32 codes (categories, -1 = none) or float32 values (numbers), one per point."""
        s = store()
        _, values = query.column(s, query.record(s, run, tag, step), name)
        return _binary(values)

    @r.get("/point", response_model=PointOut)
    def point(run: str = RUN, tag: str = TAG, step: int | None = STEP,
              index: int = _INDEX) -> Response:
        s = store()
        return json_body(query.point(s, query.record(s, run, tag, step), index))

    @r.get("/neighbors", response_model=NeighborsOut)
    def neighbors(run: str = RUN, tag: str = TAG, step: int | None = STEP,
                  index: int = _INDEX, k: int = Query(10, ge=1, le=200),
                  metric: Literal["euclidean", "cosine"] = "euclidean") -> Response:
        """Nearest neighbours of a point in the original feature space."""
        s = store()
        return json_body({"index": index, "metric": metric,
                          "neighbors": query.neighbors(s, query.record(s, run, tag, step), index, k, metric)})

    @r.get("/search", response_model=SearchOut)
    def search(run: str = RUN, tag: str = TAG, step: int | None = STEP,
               q: str = Query(..., max_length=MAX_TEXT),
               column: str | None = Query(None, max_length=MAX_TEXT)) -> Response:
        s = store()
        hits = query.search(s, query.record(s, run, tag, step), q, column)
        return json_body({"count": len(hits), "indices": hits})

    @r.get("/thumb", response_class=Response, responses=PNG)
    def thumb(run: str = RUN, tag: str = TAG, step: int | None = STEP,
              index: int = _INDEX) -> Response:
        s = store()
        png = query.thumbnail_png(s, query.record(s, run, tag, step), index)
        return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=3600"})

    return r
