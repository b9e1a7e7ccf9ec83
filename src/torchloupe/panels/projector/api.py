"""Routes of the projector panel. Coordinates and colour columns travel as little-endian binary
(float32 / int32), so a million points cost 8 MB rather than tens of MB of JSON."""

from __future__ import annotations

import json
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, Query, Request, Response

from ...analyze import embeddings as emb
from ..base import StoreGetter
from ..params import MAX_INDEX, MAX_TEXT, RUN, RUN_IDS, STEP, TAG
from . import query

Method = Literal["pca", "tsne", "umap"]
_INDEX = Query(..., ge=0, le=MAX_INDEX, description="point index")
_NAME = Query(..., min_length=1, max_length=MAX_TEXT, description="column name")


def runner(request: Request) -> Any:
    """The app's job runner (``app.state.jobs``), created on first use with its cache in the store."""
    state = request.app.state
    jobs = getattr(state, "jobs", None)
    if jobs is None:
        from ...serve.jobs import JobRunner

        jobs = state.jobs = JobRunner(state.store.dir / "cache" / "projections")
    return jobs


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, allow_nan=False, separators=(",", ":")), status_code=status,
                    media_type="application/json")


def _binary(a: np.ndarray, **headers: str) -> Response:
    return Response(np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes(),
                    media_type="application/octet-stream", headers=headers)


def router(store: StoreGetter) -> APIRouter:
    """``/projector/...``: tags, info, projection, column, point, neighbors, search, thumb."""
    r = APIRouter(prefix="/projector", tags=["projector"])

    @r.get("/tags")
    def tags(ids: list[str] | None = RUN_IDS) -> dict[str, Any]:
        return {"tags": query.tags(store(), ids)}

    @r.get("/info")
    def info(run: str = RUN, tag: str = TAG, step: int | None = STEP) -> dict[str, Any]:
        return query.info(store(), run, tag, step)

    @r.get("/projection", responses={200: {"content": {"application/octet-stream": {}}},
                                     202: {"description": "still computing: state and progress"}})
    def projection(request: Request, run: str = RUN, tag: str = TAG, step: int | None = STEP,
                   method: Method = "pca", dims: int = Query(2, ge=2, le=3),
                   perplexity: float = Query(30.0, gt=1, le=200),
                   n_neighbors: int = Query(15, ge=2, le=200)) -> Response:
        """Float32 ``[n, dims]`` coordinates when ready (200); otherwise the job's state (202)."""
        s = store()
        rec = query.record(s, run, tag, step)
        if method == "pca":
            coords = query.pca(s, rec, dims)
            return _binary(coords, **{"X-Points": str(len(coords)), "X-Dims": str(dims)})
        params: dict[str, Any] = ({"perplexity": perplexity} if method == "tsne"
                                  else {"n_neighbors": n_neighbors})
        key = query.projection_key(rec, method, dims, params)
        jobs = runner(request)
        status = jobs.submit(key, lambda progress: emb.project(
            query.features(s, rec), method, dims, progress=progress, **params).coords)
        if status.state == "done":
            coords = jobs.result(key)
            if coords is not None:
                return _binary(coords.astype(np.float32), **{"X-Points": str(len(coords)),
                                                             "X-Dims": str(dims)})
        return _json({"state": status.state, "progress": status.progress, "message": status.message,
                      "error": status.error, "seconds": round(status.seconds, 2)}, status=202)

    @r.get("/column")
    def column(run: str = RUN, tag: str = TAG, step: int | None = STEP,
               name: str = _NAME) -> dict[str, Any]:
        """How to read ``/column.bin``: ``kind`` category (with ``categories``) or number (``range``)."""
        s = store()
        desc, _ = query.column(s, query.record(s, run, tag, step), name)
        return desc

    @r.get("/column.bin", responses={200: {"content": {"application/octet-stream": {}}}})
    def column_bin(run: str = RUN, tag: str = TAG, step: int | None = STEP,
                   name: str = _NAME) -> Response:
        """int32 codes (categories, -1 = none) or float32 values (numbers), one per point."""
        s = store()
        _, values = query.column(s, query.record(s, run, tag, step), name)
        return _binary(values)

    @r.get("/point")
    def point(run: str = RUN, tag: str = TAG, step: int | None = STEP,
              index: int = _INDEX) -> dict[str, Any]:
        s = store()
        return query.point(s, query.record(s, run, tag, step), index)

    @r.get("/neighbors")
    def neighbors(run: str = RUN, tag: str = TAG, step: int | None = STEP,
                  index: int = _INDEX, k: int = Query(10, ge=1, le=200),
                  metric: Literal["euclidean", "cosine"] = "euclidean") -> dict[str, Any]:
        """Nearest neighbours of a point in the original feature space."""
        s = store()
        return {"index": index, "metric": metric,
                "neighbors": query.neighbors(s, query.record(s, run, tag, step), index, k, metric)}

    @r.get("/search")
    def search(run: str = RUN, tag: str = TAG, step: int | None = STEP,
               q: str = Query(..., max_length=MAX_TEXT),
               column: str | None = Query(None, max_length=MAX_TEXT)) -> dict[str, Any]:
        s = store()
        hits = query.search(s, query.record(s, run, tag, step), q, column)
        return {"count": len(hits), "indices": hits}

    @r.get("/thumb", responses={200: {"content": {"image/png": {}}}})
    def thumb(run: str = RUN, tag: str = TAG, step: int | None = STEP,
              index: int = _INDEX) -> Response:
        s = store()
        png = query.thumbnail_png(s, query.record(s, run, tag, step), index)
        return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=3600"})

    return r
