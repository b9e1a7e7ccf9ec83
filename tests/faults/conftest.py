"""Fixtures of the fault suite: waiting on a state with a deadline, driving the writer, and the
dashboard's API as a browser on this machine reaches it.

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


@pytest.fixture
def dashboard() -> Callable[..., object]:
    """``dashboard(store_dir)``: a test client of the dashboard over that store, addressed as
    ``127.0.0.1`` (it refuses other host names), that answers errors as the server would instead
    of raising them in the test."""
    from fastapi.testclient import TestClient

    from torchloupe.serve.app import create_app

    def make(store_dir):
        return TestClient(create_app(store_dir), base_url="http://127.0.0.1",
                          raise_server_exceptions=False)
    return make
