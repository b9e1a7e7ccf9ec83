"""Artifacts and events: what a run records besides scalar series.

An artifact is a small set of named NumPy arrays (or encoded bytes such as a PNG) with JSON
metadata, kept as one file under ``blobs/<run id>/<kind>/<tag>/`` and indexed in the ``artifacts``
table by (run, kind, tag, step). Panels define their kinds and document the arrays they store in
their ``record.py``. Events are diagnostics (a NaN loss, vanishing gradients...) in the ``events``
table.
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NotFoundError, StoreError

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")
SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class ArtifactRecord:
    """One stored artifact; ``path`` is relative to the run's blob folder."""

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


def _slug(text: str) -> str:
    return _SAFE.sub("_", text).strip("._")[:80] or "_"


class ArtifactsMixin:
    """Artifact and event methods of :class:`~torchloupe.store.sqlite.SqliteStore`."""

    conn: sqlite3.Connection

    def blob_dir(self, run_id: str) -> Path:  # overridden by the store
        raise NotImplementedError

    def put_artifact(self, run_id: str, kind: str, tag: str, step: int | None,
                     arrays: dict[str, np.ndarray] | None = None, meta: dict[str, Any] | None = None,
                     data: bytes | None = None, ext: str = "npz") -> ArtifactRecord:
        """Write one artifact file (atomically: temp file, then rename) and index it.

        Either ``arrays`` (saved as ``.npz``, loaded back without pickle) or ``data`` (raw bytes
        with extension ``ext``, e.g. a PNG) must be given.

        Example:
            >>> rec = store.put_artifact("r1", "histogram", "fc.weight", 10,   # doctest: +SKIP
            ...                          {"counts": np.zeros(30)}, {"lo": -1, "hi": 1})
        """
        if (arrays is None) == (data is None):
            raise ValueError("put_artifact takes either arrays or data")
        wall = time.time()
        rel = Path(_slug(kind)) / _slug(tag) / f"{'x' if step is None else step}-{time.time_ns()}.{ext}"
        target = self.blob_dir(run_id) / rel
        tmp = target.with_suffix(target.suffix + ".tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if arrays is not None:
                buf = io.BytesIO()
                np.savez(buf, **{k: np.asarray(v) for k, v in arrays.items()})
                data = buf.getvalue()
            with open(tmp, "wb") as fh:
                fh.write(data or b"")
            os.replace(tmp, target)
        except OSError as exc:
            _remove(tmp)  # a partial file (disk full) must not pile up with every retry
            raise StoreError(f"cannot write artifact {kind}/{tag} of run {run_id}: {exc}") from exc
        meta_text = json.dumps(meta or {}, default=repr)
        try:
            cur = self.conn.execute(
                "INSERT INTO artifacts(run_id, kind, tag, step, wall, path, meta)"
                " VALUES (?,?,?,?,?,?,?)", (run_id, kind, tag, step, wall, rel.as_posix(), meta_text))
        except BaseException:
            _remove(target)  # unindexed it is only lost space; the writer retries the artifact
            raise
        return ArtifactRecord(int(cur.lastrowid or 0), run_id, kind, tag, step, wall, rel.as_posix(),
                              meta or {})

    def artifacts(self, run_id: str, kind: str, tag: str | None = None,
                  step: int | None = None) -> list[ArtifactRecord]:
        """Artifacts of a run of one kind (optionally one tag / step), ordered by step then time."""
        sql = ("SELECT id, run_id, kind, tag, step, wall, path, meta FROM artifacts"
               " WHERE run_id=? AND kind=?")
        args: list[Any] = [run_id, kind]
        if tag is not None:
            sql += " AND tag=?"
            args.append(tag)
        if step is not None:
            sql += " AND step=?"
            args.append(step)
        rows = self.conn.execute(sql + " ORDER BY step, wall, id", args).fetchall()
        return [ArtifactRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], _meta(r[7])) for r in rows]

    def artifact_tags(self, kind: str, run_ids: list[str] | None = None) -> dict[str, list[str]]:
        """tag -> ids of the runs that have artifacts of ``kind`` with that tag."""
        rows = self.conn.execute("SELECT DISTINCT tag, run_id FROM artifacts WHERE kind=? ORDER BY tag",
                                 (kind,)).fetchall()
        out: dict[str, list[str]] = {}
        for tag, rid in rows:
            if run_ids is None or rid in run_ids:
                out.setdefault(tag, []).append(rid)
        return out

    def artifact_path(self, record: ArtifactRecord) -> Path:
        """The file of an artifact (a :class:`StoreError` if its index row points outside the run's
        blob folder: a damaged or hand-edited store must not make readers open other files)."""
        base = self.blob_dir(record.run_id)
        path = base / record.path
        if not os.path.abspath(path).startswith(os.path.abspath(base) + os.sep):
            raise StoreError(f"damaged artifact index: {_what(record)} points outside {base} "
                             f"({record.path!r})")
        return path

    def load_arrays(self, record: ArtifactRecord) -> dict[str, np.ndarray]:
        """The arrays of an ``.npz`` artifact (never unpickles).

        Raises:
            NotFoundError: the file is missing.
            StoreError: the file cannot be read or decoded (truncated, garbled); the message
                names the file and the artifact.
        """
        path = self.artifact_path(record)
        try:
            # Members are decoded inside the ``with``: a garbled member fails here, not later.
            with np.load(path, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        except FileNotFoundError as exc:
            raise NotFoundError(f"artifact file missing: {path} ({_what(record)})") from exc
        except Exception as exc:  # a damaged file fails in many ways: zip, zlib, npy header
            raise StoreError(f"damaged artifact file {path} ({_what(record)}): "
                             f"{type(exc).__name__}: {exc}") from exc

    def load_bytes(self, record: ArtifactRecord) -> bytes:
        """The raw bytes of an artifact (:class:`NotFoundError` if missing, :class:`StoreError`
        if unreadable)."""
        path = self.artifact_path(record)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise NotFoundError(f"artifact file missing: {path} ({_what(record)})") from exc
        except OSError as exc:
            raise StoreError(f"cannot read artifact file {path} ({_what(record)}): {exc}") from exc

    def load_json(self, record: ArtifactRecord) -> Any:
        """The decoded content of a JSON artifact (:class:`StoreError` naming the file if it is
        not valid UTF-8 JSON)."""
        data = self.load_bytes(record)
        try:
            return json.loads(data)
        except ValueError as exc:  # also UnicodeDecodeError
            raise StoreError(f"damaged artifact file {self.artifact_path(record)} "
                             f"({_what(record)}): {exc}") from exc

    # -- events ------------------------------------------------------------------------------
    def add_events(self, run_id: str, events: list[EventRecord]) -> None:
        """Append diagnostic events to a run."""
        for e in events:
            if e.severity not in SEVERITIES:
                raise ValueError(f"severity must be one of {SEVERITIES}, got {e.severity!r}")
        self.conn.executemany(
            "INSERT INTO events(run_id, kind, step, wall, severity, message, location, data)"
            " VALUES (?,?,?,?,?,?,?,?)",
            [(run_id, e.kind, e.step, e.wall or time.time(), e.severity, e.message, e.location,
              json.dumps(e.data, default=repr)) for e in events])

    def events(self, run_id: str) -> list[EventRecord]:
        """Events of a run, in the order they were raised."""
        rows = self.conn.execute(
            "SELECT kind, step, severity, message, location, data, wall, run_id FROM events"
            " WHERE run_id=? ORDER BY id", (run_id,)).fetchall()
        return [EventRecord(r[0], r[1], r[2], r[3], r[4], _meta(r[5]), r[6], r[7]) for r in rows]


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _what(record: ArtifactRecord) -> str:
    step = "" if record.step is None else f" at step {record.step}"
    return f"{record.kind} {record.tag!r}{step} of run {record.run_id}"


def _meta(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
