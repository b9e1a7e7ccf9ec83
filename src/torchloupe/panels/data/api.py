"""Routes of the data panel."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import Field

from ..base import StoreGetter
from ..params import RUN, RUN_IDS
from ..responses import Body, errors, json_body
from . import query


class DataRunsOut(Body):
    runs: dict[str, list[str]]
    """run id -> the splits it logged."""


class Histogram(Body):
    edges: list[float]
    counts: list[list[int]]


class ShapeCount(Body):
    shape: list[int]
    count: int


class Duplicate(Body):
    index: tuple[int, int]
    labels: tuple[int, int]
    distance: float
    png: tuple[str, str] | None = None


class Mislabelled(Body):
    index: int
    label: int
    suggested: int
    score: float
    png: str | None = None


class Sample(Body):
    index: int
    png: str
    """A base64 PNG thumbnail."""


class SplitOut(Body):
    split: str
    step: int | None
    kind: Literal["image", "vector"]
    class_names: list[str]
    n_total: int | None
    n_analysed: int | None
    sampled: bool
    counts_from: Literal["all", "sample"] | None
    value_range: tuple[float, float]
    class_counts: list[int]
    sample_counts: list[int]
    histogram: Histogram
    shapes: list[ShapeCount]
    duplicates: list[Duplicate]
    mislabelled: list[Mislabelled]
    samples: list[list[Sample]] | None = None
    """Per class, thumbnails of a few samples (image datasets)."""
    mean: list[str] | None = None
    """Per class, the mean image as a base64 PNG."""
    std: list[str] | None = None
    std_max: float | None = None


class ClassBalance(Body):
    class_: int = Field(alias="class")
    name: str
    counts: dict[str, int]
    """Per split."""
    shares: dict[str, float]
    diff: dict[str, float]
    """Per split, its share minus the reference split's."""


class Balance(Body):
    reference: str | None
    splits: list[str]
    classes: list[ClassBalance]


class OverviewOut(Body):
    run: str
    splits: list[SplitOut]
    balance: Balance


def router(store: StoreGetter) -> APIRouter:
    """``GET /data/runs`` (runs with logged datasets) and ``GET /data/overview``."""
    r = APIRouter(prefix="/data", tags=["data"], responses=errors(422))

    @r.get("/runs", response_model=DataRunsOut)
    def runs(ids: list[str] | None = RUN_IDS) -> Response:
        return json_body({"runs": query.runs_with_data(store(), ids)})

    @r.get("/overview", response_model=OverviewOut, responses=errors(404))
    def overview(run: str = RUN) -> Response:
        return json_body(query.jsonable(query.overview(store(), run)))

    return r
