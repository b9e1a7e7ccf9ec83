"""Live updates: a Server-Sent Events stream of what changed in the store.

The stream polls the store every ``POLL`` seconds; the store's ``data_version`` makes an idle
poll one cheap query. Run statuses are also rechecked every few seconds, since a crash shows as a
heartbeat that stops, not as a write.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from anyio import to_thread
from starlette.requests import Request

from ..panels.runs import query as runs_query
from ..store import Backend

POLL = 0.2
RECHECK = 2.0
PING = 15.0


class Watcher:
    """Remembers what a client has seen and reports what changed since."""

    def __init__(self, store: Backend) -> None:
        self.store = store
        self.version: int | None = None
        self.runs: list[dict[str, Any]] | None = None
        self.points: dict[tuple[str, str], int] | None = None
        self.checked = 0.0

    def changes(self) -> list[tuple[str, dict[str, Any]]]:
        """Events to send now: ``("runs", ...)`` and/or ``("scalars", ...)``."""
        version = self.store.data_version()
        now = time.monotonic()
        if version == self.version and now - self.checked < RECHECK:
            return []
        self.version, self.checked = version, now
        events: list[tuple[str, dict[str, Any]]] = []
        runs = runs_query.runs(self.store)
        if self.runs is not None and _comparable(runs) != _comparable(self.runs):
            events.append(("runs", {"runs": runs}))
        self.runs = runs
        points = self.store.series_points()
        if self.points is not None:
            grown: dict[str, dict[str, Any]] = {}
            for (run_id, key), n in points.items():
                if n != self.points.get((run_id, key)):
                    entry = grown.setdefault(run_id, {"points": 0, "keys": []})
                    entry["keys"].append(key)
            for run_id, entry in grown.items():
                entry["points"] = sum(n for (r, _), n in points.items() if r == run_id)
            if grown:
                events.append(("scalars", {"runs": grown}))
        self.points = points
        return events


def _comparable(runs: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What the runs table shows, without the heartbeat and counters that change all the time."""
    return [(r["id"], r["name"], r["status"], r["ended"], json.dumps(r["config"], sort_keys=True),
             json.dumps(r["summary"], sort_keys=True)) for r in runs]


async def events(request: Request, store: Backend) -> AsyncIterator[str]:
    """The SSE byte stream for one client."""
    watcher = Watcher(store)
    await to_thread.run_sync(watcher.changes)
    # The response's headers (EventSource's `open`) go out before this generator runs; `ready`
    # says that the baseline is taken, so every change from now on will be announced.
    yield "retry: 1000\nevent: ready\ndata: {}\n\n"
    last_ping = time.monotonic()
    while not await request.is_disconnected():
        for event, data in await to_thread.run_sync(watcher.changes):
            yield f"event: {event}\ndata: {json.dumps(data, allow_nan=False)}\n\n"
        if time.monotonic() - last_ping > PING:
            last_ping = time.monotonic()
            yield ": ping\n\n"
        await asyncio.sleep(POLL)
