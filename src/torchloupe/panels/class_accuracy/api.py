"""Routes of the per-class accuracy panel."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from ..base import StoreGetter
from ..params import MAX_TEXT, RUN, RUN_IDS
from ..responses import Body, errors, json_body
from . import query


class RunSplits(Body):
    run: str
    splits: list[str]
    """The splits the run logged predictions for, sorted."""


class ClassAccuracyRunsOut(Body):
    runs: list[RunSplits]


class ClassAccuracyOut(Body):
    run: str
    split: str
    steps: list[int]
    """Every step the run logged predictions for this split, ascending."""
    class_names: list[str]
    accuracy: list[list[float | None]]
    """``accuracy[class][step]``: the share of the class's examples predicted right; null when the
    class had no example at that step."""
    support: list[list[int]]
    """``support[class][step]``: the class's number of examples."""
    overall: list[float | None]
    """The accuracy over all examples at each step."""


def router(store: StoreGetter) -> APIRouter:
    """``GET /class_accuracy/runs`` and ``GET /class_accuracy``."""
    r = APIRouter(prefix="/class_accuracy", tags=["class_accuracy"])

    @r.get("/runs", response_model=ClassAccuracyRunsOut, responses=errors(422))
    def runs(ids: list[str] | None = RUN_IDS) -> Response:
        found = query.splits(store(), ids)
        return json_body({"runs": [{"run": rid, "splits": s} for rid, s in found.items()]})

    @r.get("", response_model=ClassAccuracyOut, responses=errors(404, 422))
    def class_accuracy(run: str = RUN,
                       split: str = Query("test", min_length=1, max_length=MAX_TEXT,
                                          description="the split predictions were logged for")) -> Response:
        return json_body(query.class_accuracy(store(), store().run(run).id, split))

    return r
