"""Fixtures of the fault suite: waiting on a state with a deadline, and driving the writer.

Deadlines use ``time.monotonic`` because some tests move ``time.time``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest


def _wait_for(predicate: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)


@pytest.fixture
def wait_for() -> Callable[..., None]:
    """``wait_for(predicate, what, timeout=30)``: poll until ``predicate()`` is true."""
    return _wait_for


@pytest.fixture
def flushed() -> Callable[..., None]:
    """``flushed(run, points)``: wake the run's writer and wait until it has written ``points``
    scalar points in all (use with a long ``flush_interval``, so that only this flushes)."""
    def flush(run, points: int, timeout: float = 30.0) -> None:
        writer = run._writer
        writer.kick()
        _wait_for(lambda: writer.points_written >= points, f"{points} points written", timeout)
    return flush
