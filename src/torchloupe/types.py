"""The shared vocabulary: value types that cross layer boundaries."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class RunStatus(str, enum.Enum):
    """Life-cycle state of a run as readers see it."""

    RUNNING = "running"
    FINISHED = "finished"
    CRASHED = "crashed"


@dataclass(frozen=True)
class RunRecord:
    """One run as stored: identity, timing, status, configuration and summary.

    ``heartbeat`` is the last time the run's writer reported alive; a ``running`` run whose
    heartbeat stopped is reported as ``crashed``.
    """

    id: str
    project: str
    name: str
    status: RunStatus
    started: float
    ended: float | None
    heartbeat: float | None
    config: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    host: str = ""
    pid: int = 0


@dataclass(frozen=True)
class SeriesInfo:
    """Metadata of one scalar series of a run."""

    key: str
    points: int
    last_step: int | None
    last_value: float | None
    last_wall: float | None
    monotonic: bool
