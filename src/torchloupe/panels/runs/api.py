"""Routes of the runs table."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from ..base import StoreGetter
from ..responses import Body
from . import query


class RunOut(Body):
    id: str
    project: str
    name: str
    status: Literal["running", "finished", "crashed"]
    started: float
    ended: float | None
    heartbeat: float | None
    config: dict[str, Any]
    summary: dict[str, Any]
    keys: int
    points: int
    error: str | None


class RunsOut(Body):
    runs: list[RunOut]


def router(store: StoreGetter) -> APIRouter:
    """``GET /runs``."""
    r = APIRouter(tags=["runs"])

    @r.get("/runs", response_model=RunsOut)
    def list_runs() -> dict[str, Any]:
        return {"runs": query.runs(store())}

    return r
