"""Routes of the diagnostics panel."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from ..base import StoreGetter
from ..params import RUN_IDS
from ..responses import Body, errors, json_body
from . import query


class EventOut(Body):
    kind: str
    step: int | None
    severity: Literal["error", "warning", "info"]
    message: str
    where: str | None
    wall: float | None


class RunDiagnostics(Body):
    run: str
    counts: dict[str, int]
    events: list[EventOut]
    error: str | None = None
    """Why this run's events could not be read (the other runs still answer)."""


class DiagnosticsOut(Body):
    runs: list[RunDiagnostics]


def router(store: StoreGetter) -> APIRouter:
    """``GET /diagnostics``."""
    r = APIRouter(tags=["diagnostics"], responses=errors(422))

    @r.get("/diagnostics", response_model=DiagnosticsOut)
    def diagnostics(ids: list[str] | None = RUN_IDS) -> Response:
        return json_body(query.diagnostics(store(), ids))

    return r
