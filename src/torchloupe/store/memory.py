"""The in-memory store: the SQLite store's twin, in dicts and NumPy arrays.

It keeps what the SQLite store keeps, the same way where it shows: series are cut into the same
chunks (:mod:`.chunks`), so block reads and charts match; JSON columns are kept as JSON text, so
they read back as from SQLite; artifacts' files are bytes held in memory. Nothing outlives the
process. Tests use it as a store that needs no folder, and a run whose folder cannot be written
records into it (and is saved to a recovery file when it finishes).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..analyze.blocks import BLOCK_DTYPE, Axis
from ..errors import NotFoundError, StoreError
from ..types import RunRecord, RunStatus, SeriesInfo
from .artifacts import (
    _meta,
    _what,
    artifact_file,
    check_severities,
    decode_arrays,
    decode_json,
    encode_artifact,
)
from .base import (
    RUN_FIELDS,
    ArtifactRecord,
    EventRecord,
    Points,
    as_points,
    blob_path,
    check_run_fields,
    json_text,
    run_from_row,
)
from .chunks import (
    ChunkMeta,
    Tail,
    append_chunks,
    merge_tail,
    overlaps,
    plan_reads,
    point_blocks,
    summaries,
)


@dataclass
class _Chunk:
    start: int
    level: int
    steps: np.ndarray
    walls: np.ndarray
    values: np.ndarray
    summary: np.ndarray | None
    summary2: np.ndarray | None

    def x_range(self, axis: Axis) -> tuple[float, float]:
        x = self.steps if axis == "step" else self.walls
        return float(x.min()), float(x.max())


@dataclass
class _Series:
    run_id: str
    key: str
    points: int = 0
    last_step: int | None = None
    last_value: float | None = None
    last_wall: float | None = None
    mono_step: bool = True
    mono_wall: bool = True
    chunks: dict[int, _Chunk] = field(default_factory=dict)
    """chunk id -> chunk, in series order (ids only grow; merges replace the last chunks)."""
    tail: Tail = field(default_factory=list)


class _Sink:
    """A series' chunks as :class:`~.chunks.ChunkSink` sees them."""

    def __init__(self, store: MemoryStore, series: _Series) -> None:
        self.store = store
        self.series = series

    def insert(self, start: int, level: int, steps: np.ndarray, walls: np.ndarray,
               values: np.ndarray) -> int:
        levels = summaries(steps, walls, values)
        self.store._next_chunk += 1
        self.series.chunks[self.store._next_chunk] = _Chunk(
            start, level, steps.copy(), walls.copy(), values.copy(),
            None if levels is None else levels[0], None if levels is None else levels[1])
        return self.store._next_chunk

    def take(self, ids: list[int]) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        parts = sorted((self.series.chunks.pop(i) for i in ids), key=lambda c: c.start)
        return (parts[0].start, np.concatenate([c.steps for c in parts]),
                np.concatenate([c.walls for c in parts]), np.concatenate([c.values for c in parts]))


class MemoryStore:
    """A store held in memory: a :class:`~torchloupe.store.base.Backend` that needs no folder.

    Args:
        dir: the folder it stands in for (where recovery files of its runs go, and the name
            messages give it); default: a new name under the temporary folder (not created
            until a recovery file is written there).

    Example:
        >>> store = MemoryStore()
        >>> store.runs()
        []
    """

    durable = False

    def __init__(self, dir: str | os.PathLike[str] | None = None) -> None:
        self.dir = Path(tempfile.gettempdir()) / f"torchloupe-memory-{uuid.uuid4().hex[:12]}" \
            if dir is None else Path(dir)
        self._lock = threading.RLock()
        self._runs: dict[str, tuple[Any, ...]] = {}
        """id -> (project, name, status text, started, ended, heartbeat, host, pid, config JSON,
        summary JSON), as the SQLite store keeps a row."""
        self._series: dict[tuple[str, str], _Series] = {}
        self._next_chunk = 0
        self._artifacts: list[tuple[ArtifactRecord, str]] = []  # with the meta's JSON text
        self._blobs: dict[tuple[str, str], bytes] = {}
        self._events: list[EventRecord] = []
        self._recovered: set[str] = set()
        self._version = 0

    def __repr__(self) -> str:
        return f"MemoryStore('{self.dir}')"

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One write, all or nothing as seen by other threads, that changes the data version."""
        with self._lock:
            yield
            self._version += 1

    # -- runs ------------------------------------------------------------------------------
    def create_run(self, record: RunRecord) -> None:
        """Add a new run."""
        with self._writing():
            if record.id in self._runs:
                raise StoreError(f"a run with id {record.id!r} already exists in {self!r}")
            self._runs[record.id] = (record.project, record.name, record.status.value,
                                     record.started, record.ended, record.heartbeat, record.host,
                                     record.pid, json_text(record.config), json_text(record.summary))

    def reopen_run(self, run_id: str, host: str, pid: int) -> RunRecord:
        """Mark an existing run as running again (resume) and return it."""
        record = self.run(run_id)
        with self._writing():
            row = list(self._runs[record.id])
            row[2], row[4], row[5], row[6], row[7] = "running", None, time.time(), host, pid
            self._runs[record.id] = tuple(row)
        return self.run(record.id)

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Update columns of a run (``status``, ``ended``, ``heartbeat``, ``config``, ``summary``)."""
        check_run_fields(fields)
        with self._writing():
            self._update_run(run_id, fields)

    def _update_run(self, run_id: str, fields: Mapping[str, Any]) -> None:
        row = self._runs.get(run_id)
        if row is None:
            return  # as an UPDATE of no row
        new = list(row)
        for name, value in fields.items():
            if name in ("config", "summary"):
                value = json_text(value)
            elif isinstance(value, RunStatus):
                value = value.value
            new[_COLUMNS[name]] = value
        self._runs[run_id] = tuple(new)

    def runs(self, project: str | None = None) -> list[RunRecord]:
        """All runs, newest first (optionally of one project), with crashes detected."""
        with self._lock:
            rows = [(rid, *row) for rid, row in self._runs.items()
                    if project is None or row[0] == project]
        rows.sort(key=lambda r: r[0])
        rows.sort(key=lambda r: r[4], reverse=True)
        return [run_from_row(r) for r in rows]

    def run(self, id_or_name: str) -> RunRecord:
        """One run by id, or by name when no id matches (the newest run of that name)."""
        with self._lock:
            row = self._runs.get(id_or_name)
            if row is not None:
                return run_from_row((id_or_name, *row))
            named = [(rid, *r) for rid, r in self._runs.items() if r[1] == id_or_name]
        if not named:
            raise NotFoundError(f"no run with id or name {id_or_name!r} in {self!r}")
        return run_from_row(max(named, key=lambda r: r[4]))

    # -- series: writing -------------------------------------------------------------------
    def append(self, run_id: str, points: Mapping[str, Points],
               run_fields: Mapping[str, Any] | None = None) -> None:
        """Append points to series of one run, with run column updates, all or nothing."""
        if run_fields:
            check_run_fields(run_fields)
        arrays = {key: as_points(p) for key, p in points.items()}  # may raise: before any change
        with self._writing():
            for key, p in arrays.items():
                if len(p.values):
                    self._append_series(run_id, key, p)
            if run_fields:
                self._update_run(run_id, run_fields)

    def _append_series(self, run_id: str, key: str, p: Points) -> None:
        s = self._series.get((run_id, key))
        if s is None:
            s = self._series[(run_id, key)] = _Series(run_id, key)
        steps, values, walls = p
        s.mono_step = s.mono_step and bool(np.all(np.diff(steps) >= 0)) and (
            s.last_step is None or int(steps[0]) >= s.last_step)
        s.mono_wall = s.mono_wall and bool(np.all(np.diff(walls) >= 0)) and (
            s.last_wall is None or float(walls[0]) >= s.last_wall)
        start = s.points
        s.points += len(values)
        s.last_step, s.last_wall = int(steps[-1]), float(walls[-1])
        s.last_value = float(values[-1]) if np.isfinite(values[-1]) else None
        append_chunks(_Sink(self, s), s.tail, start, steps, walls, values)

    def compact(self, run_id: str) -> None:
        """Merge the unsealed chunks of a run into one chunk per series."""
        with self._writing():
            for s in self._series.values():
                if s.run_id == run_id and len(s.tail) > 1:
                    merge_tail(_Sink(self, s), s.tail, everything=True)
                    s.tail.clear()

    # -- recovery --------------------------------------------------------------------------
    def load_spill(self, spill_id: str, spill: Any) -> bool:
        """Load a recovery file's contents (:class:`~.recovery.Spill`), once per ``spill_id``."""
        run = spill.run
        run_id = str(run["id"])
        points = {key: as_points(p) for key, p in spill.points.items()}
        events = [EventRecord(str(e["kind"]), e.get("step"), str(e["severity"]),
                              str(e["message"]), e.get("location"), dict(e.get("data") or {}),
                              float(e.get("wall") or 0)) for e in spill.events]
        check_severities(events)
        with self._writing():
            if spill_id in self._recovered:
                return False
            if run_id not in self._runs:
                self._runs[run_id] = (
                    str(run.get("project", "default")), str(run.get("name", run_id)), "crashed",
                    float(run.get("started") or time.time()), None, run.get("heartbeat"),
                    str(run.get("host", "")), int(run.get("pid") or 0),
                    json_text(run.get("config") or {}), json_text(run.get("summary") or {}))
            for key, p in points.items():
                if len(p.values):
                    self._append_series(run_id, key, p)
            self._add_events(run_id, events)
            for meta, blob in spill.artifacts:
                self._put(run_id, str(meta["kind"]), str(meta["tag"]), meta.get("step"),
                          meta.get("meta") or {}, blob, str(meta.get("ext", "npz")))
            self._update_run(run_id, {k: v for k, v in spill.fields.items() if k in RUN_FIELDS})
            self._recovered.add(spill_id)
        return True

    # -- series: reading -------------------------------------------------------------------
    def series(self, run_id: str) -> list[SeriesInfo]:
        """The scalar series of a run, sorted by key."""
        with self._lock:
            found = [s for s in self._series.values() if s.run_id == run_id]
            return [SeriesInfo(s.key, s.points, s.last_step, s.last_value, s.last_wall,
                               s.mono_step) for s in sorted(found, key=lambda s: s.key)]

    def keys_by_run(self, run_ids: Iterable[str] | None = None) -> dict[str, list[str]]:
        """key -> ids of the runs (among ``run_ids``, default all) that have that series."""
        wanted = None if run_ids is None else set(run_ids)
        with self._lock:
            found = [s for s in self._series.values() if s.points > 0]
        out: dict[str, list[str]] = {}
        for s in sorted(found, key=lambda s: s.key):  # stable: runs in the order series began
            if wanted is None or s.run_id in wanted:
                out.setdefault(s.key, []).append(s.run_id)
        return out

    def series_totals(self) -> dict[str, tuple[int, int]]:
        """run id -> (number of series, number of points), for every run."""
        out: dict[str, tuple[int, int]] = {}
        with self._lock:
            for s in self._series.values():
                n, points = out.get(s.run_id, (0, 0))
                out[s.run_id] = (n + 1, points + s.points)
        return out

    def series_points(self) -> dict[tuple[str, str], int]:
        """(run id, key) -> points, for change detection."""
        with self._lock:
            return {k: s.points for k, s in self._series.items()}

    def _chunks(self, run_id: str, key: str) -> tuple[_Series, list[tuple[int, _Chunk]]]:
        with self._lock:
            s = self._series.get((run_id, key))
            if s is None:
                raise NotFoundError(f"run {run_id!r} has no series {key!r}")
            return s, sorted(s.chunks.items(), key=lambda item: item[1].start)

    def read(self, run_id: str, key: str) -> Points:
        """Every point of one series, in logging order."""
        _, chunks = self._chunks(run_id, key)
        if not chunks:
            return Points(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
        return Points(np.concatenate([c.steps for _, c in chunks]),
                      np.concatenate([c.values for _, c in chunks]),
                      np.concatenate([c.walls for _, c in chunks]))

    def read_blocks(self, run_id: str, key: str, axis: Axis, width: int,
                    lo: float | None = None, hi: float | None = None) -> np.ndarray:
        """Block records of one series in x order, chosen as the SQLite store chooses them."""
        s, chunks = self._chunks(run_id, key)
        if not (s.mono_step if axis == "step" else s.mono_wall):
            steps, values, walls = self.read(run_id, key)
            return point_blocks(steps, walls, values, axis, lo, hi, sort=True)
        metas = [ChunkMeta(cid, len(c.values), *c.x_range(axis), c.summary is not None,
                           c.summary2 is not None) for cid, c in chunks]
        metas = [m for m in metas if overlaps(m.lo, m.hi, lo, hi)]
        by_id = dict(chunks)
        parts: list[np.ndarray] = []
        for how, ids in plan_reads(metas, width, lo, hi):
            group = [by_id[i] for i in ids]
            if how == "summary":
                parts += [c.summary for c in group if c.summary is not None]
            elif how == "summary2":
                parts += [c.summary2 for c in group if c.summary2 is not None]
            else:
                parts.append(point_blocks(np.concatenate([c.steps for c in group]),
                                          np.concatenate([c.walls for c in group]),
                                          np.concatenate([c.values for c in group]),
                                          axis, lo, hi))
        if not parts:
            return np.zeros(0, BLOCK_DTYPE)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    # -- artifacts, blobs, events ----------------------------------------------------------
    def put_artifact(self, run_id: str, kind: str, tag: str, step: int | None,
                     arrays: Mapping[str, np.ndarray] | None = None,
                     meta: Mapping[str, Any] | None = None, data: bytes | None = None,
                     ext: str = "npz") -> ArtifactRecord:
        """Keep one artifact: ``arrays`` (as ``.npz``) or ``data`` (bytes, extension ``ext``)."""
        content = encode_artifact(arrays, data)
        with self._writing():
            return self._put(run_id, kind, tag, step, meta, content, ext)

    def _put(self, run_id: str, kind: str, tag: str, step: int | None,
             meta: Mapping[str, Any] | None, content: bytes, ext: str) -> ArtifactRecord:
        text = json.dumps(dict(meta or {}), default=repr)
        rel = artifact_file(kind, tag, step, ext)
        rec = ArtifactRecord(len(self._artifacts) + 1, run_id, kind, tag, step, time.time(), rel,
                             _meta(text))
        self._blobs[(run_id, rel)] = bytes(content)
        self._artifacts.append((rec, text))
        return rec

    def artifacts(self, run_id: str, kind: str | None = None, tag: str | None = None,
                  step: int | None = None) -> list[ArtifactRecord]:
        """Artifacts of a run (optionally of one kind / tag / step), ordered by step then time."""
        with self._lock:
            found = [(rec, text) for rec, text in self._artifacts if rec.run_id == run_id
                     and (kind is None or rec.kind == kind) and (tag is None or rec.tag == tag)
                     and (step is None or rec.step == step)]
        found.sort(key=lambda r: (r[0].step is not None, r[0].step or 0, r[0].wall, r[0].id))
        # A fresh meta dict each time, as decoding a stored row gives.
        return [ArtifactRecord(r.id, r.run_id, r.kind, r.tag, r.step, r.wall, r.path, _meta(t))
                for r, t in found]

    def artifact_tags(self, kind: str, run_ids: list[str] | None = None) -> dict[str, list[str]]:
        """tag -> ids of the runs that have artifacts of ``kind`` with that tag."""
        with self._lock:
            found = [rec for rec, _ in self._artifacts if rec.kind == kind]
        out: dict[str, list[str]] = {}
        for rec in sorted(found, key=lambda r: r.tag):  # stable: runs by their first artifact
            runs = out.setdefault(rec.tag, [])
            if (run_ids is None or rec.run_id in run_ids) and rec.run_id not in runs:
                runs.append(rec.run_id)
        return {tag: runs for tag, runs in out.items() if runs}

    def load_arrays(self, record: ArtifactRecord) -> dict[str, np.ndarray]:
        """The arrays of an ``.npz`` artifact (never unpickles)."""
        return decode_arrays(self.load_bytes(record), record.path, record)

    def load_bytes(self, record: ArtifactRecord) -> bytes:
        """The bytes of an artifact (:class:`NotFoundError` if it has none)."""
        try:
            return self.open_blob(record.run_id, record.path)
        except NotFoundError as exc:
            raise NotFoundError(f"artifact file missing: {record.path} ({_what(record)})") from exc

    def load_json(self, record: ArtifactRecord) -> Any:
        """The decoded content of a JSON artifact."""
        return decode_json(self.load_bytes(record), record.path, record)

    def open_blob(self, run_id: str, path: str) -> bytes:
        """A file of a run by its relative path."""
        clean = blob_path(path)
        with self._lock:
            data = self._blobs.get((run_id, clean))
        if data is None:
            raise NotFoundError(f"run {run_id} has no file {path!r}")
        return data

    def add_events(self, run_id: str, events: list[EventRecord]) -> None:
        """Append diagnostic events to a run."""
        check_severities(events)
        with self._writing():
            self._add_events(run_id, events)

    def _add_events(self, run_id: str, events: list[EventRecord]) -> None:
        now = time.time()
        self._events += [EventRecord(e.kind, e.step, e.severity, e.message, e.location,
                                     _meta(json.dumps(e.data, default=repr)), e.wall or now,
                                     run_id) for e in events]

    def events(self, run_id: str) -> list[EventRecord]:
        """Events of a run, in the order they were raised."""
        with self._lock:
            return [EventRecord(e.kind, e.step, e.severity, e.message, e.location, dict(e.data),
                                e.wall, e.run_id) for e in self._events if e.run_id == run_id]

    # -- change detection, threads -----------------------------------------------------------
    def data_version(self) -> int:
        """A number that changes with every write."""
        return self._version

    def set_lock_timeout(self, seconds: float) -> None:
        """Nothing to do: no other process shares this store."""

    def interrupt(self) -> None:
        """Nothing to do: no call here waits for another process."""

    def close(self) -> None:
        """Nothing to release; the data stays until the store is dropped."""


_COLUMNS = {"status": 2, "ended": 4, "heartbeat": 5, "config": 8, "summary": 9}
"""Index in a run's row of each column ``update_run`` may set."""
