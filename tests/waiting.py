"""Waiting for a state, not for a time: the recorder's writer flushes on its own clock."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def until(check: Callable[[], T], timeout: float = 10.0, every: float = 0.01) -> T:
    """Calls ``check`` until it returns something truthy, and returns that; after ``timeout``
    seconds (a bound for a failing test, not a pause) returns its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(every)


def stored(store, run_id: str, key: str) -> int:
    """How many points of ``key`` a store (opened, or its directory) holds for the run; 0 before
    the writer's first flush."""
    import torchloupe as tl

    reader = tl.open(store) if isinstance(store, (str, os.PathLike)) else store
    try:
        return len(reader.run(run_id).scalars(key))
    except tl.NotFoundError:
        return 0
