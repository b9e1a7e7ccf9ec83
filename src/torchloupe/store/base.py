"""The store contract: what every backend does, written once.

A backend keeps runs, their scalar series, artifacts, events and files (blobs). The recorder
writes through it, the dashboard, ``tl.open`` and ``tl.plot`` read through it, and nothing outside
``torchloupe.store`` knows which backend it talks to. Two backends exist: the embedded SQLite
store (:mod:`.sqlite`, one folder) and its in-memory twin (:mod:`.memory`, for tests and for a run
whose folder cannot be written). ``tests/store/test_store_contract.py`` is what a backend must
pass; see ``docs/store.md`` for how to add one.

The contract, beyond the signatures:

- Series points are :class:`Points` (steps, values, wall times), every point in logging order:
  steps may repeat or go back, values may be NaN or ±Inf; nothing is dropped or sorted.
- :meth:`Backend.read_blocks` gives the same block records for the same appends in every backend,
  so a chart is drawn the same from any (the chunk layout and read plan are in :mod:`.chunks`).
- Unknown runs, series, artifacts' files and blobs raise :class:`~torchloupe.errors.NotFoundError`;
  damaged data raises :class:`~torchloupe.errors.StoreError` naming what is damaged.
- A run's status is reported through :func:`reported`: a ``running`` run whose process is gone is
  ``crashed``. The policy lives only there.
- JSON columns (config, summary, artifact meta, event data) read back as JSON would give them:
  values JSON cannot hold come back as their ``repr``.
"""

from __future__ import annotations

import json
import os
import posixpath
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np

from ..analyze.blocks import Axis
from ..errors import NotFoundError
from ..types import RunRecord, RunStatus, SeriesInfo

STALE_AFTER = 15.0
"""Seconds without a heartbeat after which a running run whose process is gone counts as crashed."""
DEAD_AFTER = 600.0
"""Seconds without a heartbeat after which a running run counts as crashed wherever it ran."""
SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class ArtifactRecord:
    """One stored artifact; ``path`` is its file relative to the run's files (read it with
    :meth:`Backend.open_blob` or the ``load_*`` methods)."""

    id: int
    run_id: str
    kind: str
    tag: str
    step: int | None
    wall: float
    path: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventRecord:
    """One diagnostic event of a run."""

    kind: str
    step: int | None
    severity: str
    message: str
    location: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    wall: float = 0.0
    run_id: str = ""


RUN_FIELDS = frozenset({"status", "ended", "heartbeat", "config", "summary"})
"""The run columns :meth:`Backend.update_run` may change."""


class Points(NamedTuple):
    """The points of one series, in logging order: int64 steps, float64 values, float64 wall
    times (Unix seconds) — the order of ``RunReader.arrays`` and of its DataFrame's columns.

    Example:
        >>> p = Points(np.arange(2), np.array([0.5, 0.25]), np.array([1.0, 2.0]))
        >>> steps, values, walls = p
        >>> p.values.tolist()
        [0.5, 0.25]
    """

    steps: np.ndarray
    values: np.ndarray
    walls: np.ndarray


def as_points(points: Points | tuple[Any, Any, Any]) -> Points:
    """Points as the arrays backends store: int64 steps, float64 values and wall times.

    Raises:
        ValueError: the three columns differ in length.

    Example:
        >>> as_points(([1, 2], [0.5, 0.25], [10.0, 11.0])).steps.dtype
        dtype('int64')
    """
    steps, values, walls = points
    p = Points(np.ascontiguousarray(steps, dtype=np.int64),
               np.ascontiguousarray(values, dtype=np.float64),
               np.ascontiguousarray(walls, dtype=np.float64))
    if not len(p.steps) == len(p.values) == len(p.walls):
        raise ValueError(f"steps, values and wall times differ in length "
                         f"({len(p.steps)}, {len(p.values)}, {len(p.walls)})")
    return p


@runtime_checkable
class Backend(Protocol):
    """What every store backend does. Methods are safe to call from several threads.

    Example:
        >>> import tempfile
        >>> from torchloupe.store import open_backend
        >>> isinstance(open_backend(tempfile.mkdtemp()), Backend)
        True
    """

    @property
    def dir(self) -> Path:
        """A local folder that belongs to the store: recovery files go to ``<dir>/recovery`` and
        caches to ``<dir>/cache``; messages name it as where the store is."""

    @property
    def durable(self) -> bool:
        """Whether what is written outlives the process (False for the in-memory store)."""

    # -- runs ------------------------------------------------------------------------------
    def create_run(self, record: RunRecord) -> None:
        """Add a new run (:class:`~torchloupe.errors.StoreError` if its id exists)."""

    def reopen_run(self, run_id: str, host: str, pid: int) -> RunRecord:
        """Mark a run (by id or name) running again in process ``pid`` of ``host``; return it."""

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Set columns of a run (``status``, ``ended``, ``heartbeat``, ``config``, ``summary``;
        another name is a ``ValueError``)."""

    def runs(self, project: str | None = None) -> list[RunRecord]:
        """Every run (or those of one project), newest first, statuses as :func:`reported`."""

    def run(self, id_or_name: str) -> RunRecord:
        """One run by id, else the newest run of that name (``NotFoundError`` if none)."""

    # -- series ----------------------------------------------------------------------------
    def append(self, run_id: str, points: Mapping[str, Points],
               run_fields: Mapping[str, Any] | None = None) -> None:
        """Append points to series of a run and set run columns, all or nothing."""

    def compact(self, run_id: str) -> None:
        """Merge the small chunks this process appended to a run (when it finishes)."""

    def series(self, run_id: str) -> list[SeriesInfo]:
        """The run's series, sorted by key."""

    def keys_by_run(self, run_ids: Iterable[str] | None = None) -> dict[str, list[str]]:
        """key -> ids of the runs (among ``run_ids``, default all) with points in that series;
        keys sorted, runs in the order their series began."""

    def series_totals(self) -> dict[str, tuple[int, int]]:
        """run id -> (number of series, number of points), for every run with series."""

    def series_points(self) -> dict[tuple[str, str], int]:
        """(run id, key) -> points, for change detection."""

    def read(self, run_id: str, key: str) -> Points:
        """Every point of one series in logging order (``NotFoundError`` if it does not exist)."""

    def read_blocks(self, run_id: str, key: str, axis: Axis, width: int,
                    lo: float | None = None, hi: float | None = None) -> np.ndarray:
        """Block records (``analyze.blocks.BLOCK_DTYPE``) of the points in ``[lo, hi]``, in x
        order, for :func:`~torchloupe.analyze.blocks.downsample` to ``width`` pixels."""

    # -- artifacts, blobs, events ----------------------------------------------------------
    def put_artifact(self, run_id: str, kind: str, tag: str, step: int | None,
                     arrays: Mapping[str, np.ndarray] | None = None,
                     meta: Mapping[str, Any] | None = None, data: bytes | None = None,
                     ext: str = "npz") -> ArtifactRecord:
        """Store one artifact: ``arrays`` (as ``.npz``) or ``data`` (bytes, extension ``ext``)."""

    def artifacts(self, run_id: str, kind: str | None = None, tag: str | None = None,
                  step: int | None = None) -> list[ArtifactRecord]:
        """A run's artifacts (of one kind, tag, step), by step (None first), time, then id."""

    def artifact_tags(self, kind: str, run_ids: list[str] | None = None) -> dict[str, list[str]]:
        """tag -> ids of the runs with artifacts of ``kind`` and that tag; tags sorted."""

    def load_arrays(self, record: ArtifactRecord) -> dict[str, np.ndarray]:
        """The arrays of an ``.npz`` artifact, never unpickled (``NotFoundError`` if its file is
        missing, ``StoreError`` naming the file if it is damaged)."""

    def load_bytes(self, record: ArtifactRecord) -> bytes:
        """The stored bytes of an artifact (errors as :meth:`load_arrays`)."""

    def load_json(self, record: ArtifactRecord) -> Any:
        """The decoded content of a JSON artifact (errors as :meth:`load_arrays`)."""

    def open_blob(self, run_id: str, path: str) -> bytes:
        """A file of a run by its path relative to the run's files (an artifact's ``path``);
        ``NotFoundError`` if there is none or the path would leave them (see :func:`blob_path`)."""

    def add_events(self, run_id: str, events: list[EventRecord]) -> None:
        """Append diagnostics to a run (a severity not in ``SEVERITIES`` is a ``ValueError``)."""

    def events(self, run_id: str) -> list[EventRecord]:
        """A run's diagnostics in the order they were added."""

    # -- recovery, change detection, connections -------------------------------------------
    def load_spill(self, spill_id: str, spill: Any) -> bool:
        """Load a recovery file's contents (``recovery.Spill``) all or nothing, exactly once per
        ``spill_id``; False if that spill was loaded before."""

    def data_version(self) -> int:
        """A number that changes when another thread or process has written to the store."""

    def set_lock_timeout(self, seconds: float) -> None:
        """How long calls from this thread wait for another process's lock before they raise
        (the recorder retries them at its next flush)."""

    def interrupt(self) -> None:
        """Make calls in progress on other threads stop soon with an error (a recorder that
        must stop while its writes wait for a lock); later calls work as usual."""

    def close(self) -> None:
        """Release what the calling thread holds (its connection); the store stays usable."""


_HOST = socket.gethostname()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def status_of(text: str) -> RunStatus:
    """A stored status; one this version does not know reads as crashed.

    Example:
        >>> status_of("finished"), status_of("paused-by-a-newer-version")
        (<RunStatus.FINISHED: 'finished'>, <RunStatus.CRASHED: 'crashed'>)
    """
    return RunStatus(text) if text in RunStatus._value2member_map_ else RunStatus.CRASHED


def reported(record: RunRecord, now: float | None = None) -> RunRecord:
    """The run as readers see it: a ``running`` run whose writer is gone is ``crashed``.

    Gone means: its process on this host is dead and its last beat is more than 2 s away
    (before now, or after now when the clock went back); or its beat stopped
    :data:`STALE_AFTER` seconds ago on another host; or :data:`DEAD_AFTER` seconds ago anywhere.

    Example:
        >>> long_ago = RunRecord("r", "p", "n", RunStatus.RUNNING, 0.0, None, 0.0)
        >>> reported(long_ago).status
        <RunStatus.CRASHED: 'crashed'>
    """
    if record.status is not RunStatus.RUNNING:
        return record
    quiet = (time.time() if now is None else now) - (record.heartbeat or record.started)
    pid = record.pid
    gone = record.host == _HOST and bool(pid) and pid != os.getpid() and not _alive(pid)
    # abs(): a heartbeat "in the future" was written before the clock went back; a run whose
    # process is gone has crashed all the same.
    if quiet > DEAD_AFTER or (quiet > STALE_AFTER and (gone or record.host != _HOST)) or (
            gone and abs(quiet) > 2.0):
        return replace(record, status=RunStatus.CRASHED)
    return record


def json_text(value: Mapping[str, Any]) -> str:
    """A JSON column as stored: values JSON cannot hold become their ``repr``, NaN stays NaN.

    Example:
        >>> json_text({"lr": 0.1, "steps": range(2)})
        '{"lr": 0.1, "steps": "range(0, 2)"}'
    """
    return json.dumps(value, default=repr, allow_nan=True, sort_keys=False)


def json_dict(text: str) -> dict[str, Any]:
    """A stored JSON column read back as a dict (a damaged one as ``{"_unreadable": ...}``).

    Example:
        >>> json_dict('{"lr": 0.1}'), json_dict("[1]"), json_dict("{broken")
        ({'lr': 0.1}, {'value': [1]}, {'_unreadable': '{broken'})
    """
    try:
        value = json.loads(text)
    except ValueError:
        return {"_unreadable": text[:200]}
    return value if isinstance(value, dict) else {"value": value}


def run_from_row(row: tuple[Any, ...]) -> RunRecord:
    """A run as stored — (id, project, name, status text, started, ended, heartbeat, host, pid,
    config JSON, summary JSON) — as readers see it (:func:`reported`).

    Example:
        >>> run_from_row(("r", "p", "n", "finished", 0.0, 1.0, 1.0, "h", 1, "{}", "{}")).status
        <RunStatus.FINISHED: 'finished'>
    """
    rid, project, name, status, started, ended, heartbeat, host, pid, config, summary = row
    return reported(RunRecord(id=rid, project=project, name=name, status=status_of(status),
                              started=started, ended=ended, heartbeat=heartbeat,
                              config=json_dict(config), summary=json_dict(summary), host=host,
                              pid=pid))


def check_run_fields(fields: Mapping[str, Any]) -> None:
    """Refuse run columns :meth:`Backend.update_run` does not change.

    Example:
        >>> check_run_fields({"status": "finished"})
    """
    for name in fields:
        if name not in RUN_FIELDS:
            raise ValueError(f"unknown run column {name!r}")


def blob_path(path: str) -> str:
    """A run's file path made plain (``a/./b`` -> ``a/b``), refusing one that is empty, absolute
    or would leave the run's files (``..``) with ``NotFoundError``.

    Example:
        >>> blob_path("img/./a.png")
        'img/a.png'
    """
    if not path or "\x00" in path or path.startswith(("/", "\\")):
        raise NotFoundError(f"bad path {path!r}")
    clean = posixpath.normpath(path)
    if clean in (".", "..") or clean.startswith("../"):
        raise NotFoundError(f"bad path {path!r}")
    return clean
