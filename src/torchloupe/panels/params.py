"""Query parameters the panel routes share, each with its limits.

Every parameter of every route is bounded, so no request can make the server allocate or loop
without limit; the limits are declared with FastAPI's ``Query`` and so appear in the OpenAPI
schema. A value out of bounds answers 422 with a message naming the parameter.

| parameter | limit |
| --- | --- |
| ``run`` | 1 to 64 characters |
| ``runs`` | comma-separated, at most :data:`MAX_RUNS` ids of at most 64 characters |
| ``tag``, ``model``, ``split``, names | at most 256 characters (``layer``, example ids: 512) |
| ``step`` | an integer with ``abs(step) <= 2**62`` (what ``run.log`` accepts) |
| indices, offsets, classes | 0 to ``2**31 - 1`` |
"""

from __future__ import annotations

from fastapi import Depends, Query, Request

from ..errors import LoupeValueError
from .base import JobRunner

MAX_RUNS = 1000
MAX_RUN_ID = 64
MAX_TEXT = 256
MAX_LONG_TEXT = 512
MAX_STEP = 2**62
MAX_INDEX = 2**31 - 1

RUN = Query(..., min_length=1, max_length=MAX_RUN_ID, description="run id")
TAG = Query(..., min_length=1, max_length=MAX_TEXT)
MODEL = Query(None, max_length=MAX_TEXT, description="watched or logged model name")
STEP = Query(None, ge=-MAX_STEP, le=MAX_STEP,
             description="step (the latest logged at or before it; the latest when omitted)")


def run_ids(runs: str | None = Query(
        None, max_length=MAX_RUNS * (MAX_RUN_ID + 1),
        description=f"comma-separated run ids, at most {MAX_RUNS:,}; all runs when omitted"),
            ) -> list[str] | None:
    """The ``runs`` parameter as a list of ids (None when omitted), checked against its limits.

    Example:
        >>> run_ids("a1,b2,"), run_ids(None)
        (['a1', 'b2'], None)
    """
    if runs is None:
        return None
    ids = [r for r in runs.split(",") if r]
    if len(ids) > MAX_RUNS:
        raise LoupeValueError(f"runs: {len(ids):,} run ids given; at most {MAX_RUNS:,} per request")
    for r in ids:
        if len(r) > MAX_RUN_ID:
            raise LoupeValueError(f"runs: the id {r[:20]!r}... is longer than {MAX_RUN_ID} characters")
    return ids


RUN_IDS = Depends(run_ids)
"""The ``runs`` parameter of a route, parsed by :func:`run_ids`."""


def job_runner(request: Request) -> JobRunner:
    """The app's job runner: ``create_app`` makes it (``app.state.jobs``) and closes it with the app.

    Example:
        >>> @router.get("/slow")                                 # doctest: +SKIP
        ... def slow(jobs: JobRunner = JOBS) -> Response: ...
    """
    return request.app.state.jobs  # type: ignore[no-any-return]


JOBS = Depends(job_runner)
"""A route's job runner, handed over by the app (see :class:`.base.JobRunner`)."""
