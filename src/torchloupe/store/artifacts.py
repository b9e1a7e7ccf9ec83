"""Artifacts and events: what a run records besides scalar series.

An artifact is a small set of named NumPy arrays (or encoded bytes such as a PNG) with JSON
metadata, kept as one file of the run at ``<kind>/<tag>/<step>-<time>.<ext>`` and indexed by
(run, kind, tag, step). Panels define their kinds and document the arrays they store in their
``record.py``. Events are diagnostics (a NaN loss, vanishing gradients...).

The records and the encoding here are every backend's; :class:`ArtifactsMixin` is the SQLite
store's (files under ``blobs/<run id>/``, rows in the ``artifacts`` and ``events`` tables).
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NotFoundError, StoreError
from .base import SEVERITIES, ArtifactRecord, EventRecord, blob_path

__all__ = ["SEVERITIES", "ArtifactRecord", "ArtifactsMixin", "EventRecord"]

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def _slug(text: str) -> str:
    return _SAFE.sub("_", text).strip("._")[:80] or "_"


def artifact_file(kind: str, tag: str, step: int | None, ext: str) -> str:
    """Where a new artifact's file goes, relative to its run's files (unique by the clock).

    Example:
        >>> artifact_file("histogram", "fc/weight", 3, "npz").rsplit("-", 1)[0]
        'histogram/fc_weight/3'
    """
    return f"{_slug(kind)}/{_slug(tag)}/{'x' if step is None else step}-{time.time_ns()}.{ext}"


def encode_artifact(arrays: Mapping[str, Any] | None, data: bytes | None) -> bytes:
    """The file content of an artifact: ``arrays`` as ``.npz``, or ``data`` as given.

    Example:
        >>> encode_artifact(None, b"png")
        b'png'
    """
    if (arrays is None) == (data is None):
        raise ValueError("put_artifact takes either arrays or data")
    if arrays is None:
        return data or b""
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    return buf.getvalue()


def decode_arrays(data: bytes, source: object, record: ArtifactRecord) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file (never unpickles); :class:`StoreError` naming ``source``
    (the file) and the artifact if it cannot be decoded.

    Example:
        >>> rec = ArtifactRecord(1, "r", "k", "t", None, 0.0, "k/t/x-1.npz")
        >>> decode_arrays(encode_artifact({"a": np.ones(2)}, None), "f", rec)["a"].tolist()
        [1.0, 1.0]
    """
    try:
        # Members are decoded inside the ``with``: a garbled member fails here, not later.
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except Exception as exc:  # a damaged file fails in many ways: zip, zlib, npy header
        raise StoreError(f"damaged artifact file {source} ({_what(record)}): "
                         f"{type(exc).__name__}: {exc}") from exc


def decode_json(data: bytes, source: object, record: ArtifactRecord) -> Any:
    """The content of a JSON file; :class:`StoreError` naming ``source`` if it is not UTF-8 JSON.

    Example:
        >>> decode_json(b'{"a": 1}', "f", ArtifactRecord(1, "r", "k", "t", None, 0.0, "f"))
        {'a': 1}
    """
    try:
        return json.loads(data)
    except ValueError as exc:  # also UnicodeDecodeError
        raise StoreError(f"damaged artifact file {source} ({_what(record)}): {exc}") from exc


def check_severities(events: list[EventRecord]) -> None:
    """Refuse an event whose severity is not one of :data:`SEVERITIES`.

    Example:
        >>> check_severities([EventRecord("nan_loss", 1, "error", "loss is NaN")])
    """
    for e in events:
        if e.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {e.severity!r}")


class ArtifactsMixin:
    """Artifact, blob and event methods of :class:`~torchloupe.store.sqlite.SqliteStore`."""

    conn: sqlite3.Connection

    def blob_dir(self, run_id: str) -> Path:  # overridden by the store
        raise NotImplementedError

    def put_artifact(self, run_id: str, kind: str, tag: str, step: int | None,
                     arrays: Mapping[str, np.ndarray] | None = None,
                     meta: Mapping[str, Any] | None = None, data: bytes | None = None,
                     ext: str = "npz") -> ArtifactRecord:
        """Write one artifact file (atomically: temp file, then rename) and index it.

        Either ``arrays`` (saved as ``.npz``, loaded back without pickle) or ``data`` (raw bytes
        with extension ``ext``, e.g. a PNG) must be given.

        Example:
            >>> rec = store.put_artifact("r1", "histogram", "fc.weight", 10,   # doctest: +SKIP
            ...                          {"counts": np.zeros(30)}, {"lo": -1, "hi": 1})
        """
        content = encode_artifact(arrays, data)
        wall = time.time()
        rel = artifact_file(kind, tag, step, ext)
        target = self.blob_dir(run_id) / rel
        tmp = target.with_suffix(target.suffix + ".tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(content)
            os.replace(tmp, target)
        except OSError as exc:
            _remove(tmp)  # a partial file (disk full) must not pile up with every retry
            raise StoreError(f"cannot write artifact {kind}/{tag} of run {run_id}: {exc}") from exc
        meta_text = json.dumps(dict(meta or {}), default=repr)
        try:
            cur = self.conn.execute(
                "INSERT INTO artifacts(run_id, kind, tag, step, wall, path, meta)"
                " VALUES (?,?,?,?,?,?,?)", (run_id, kind, tag, step, wall, rel, meta_text))
        except BaseException:
            _remove(target)  # unindexed it is only lost space; the writer retries the artifact
            raise
        return ArtifactRecord(int(cur.lastrowid or 0), run_id, kind, tag, step, wall, rel,
                              _meta(meta_text))

    def artifacts(self, run_id: str, kind: str | None = None, tag: str | None = None,
                  step: int | None = None) -> list[ArtifactRecord]:
        """Artifacts of a run (optionally of one kind / tag / step), ordered by step then time."""
        sql = "SELECT id, run_id, kind, tag, step, wall, path, meta FROM artifacts WHERE run_id=?"
        args: list[Any] = [run_id]
        for name, value in (("kind", kind), ("tag", tag), ("step", step)):
            if value is not None:
                sql += f" AND {name}=?"
                args.append(value)
        rows = self.conn.execute(sql + " ORDER BY step, wall, id", args).fetchall()
        return [ArtifactRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], _meta(r[7])) for r in rows]

    def artifact_tags(self, kind: str, run_ids: list[str] | None = None) -> dict[str, list[str]]:
        """tag -> ids of the runs that have artifacts of ``kind`` with that tag."""
        rows = self.conn.execute("SELECT tag, run_id FROM artifacts WHERE kind=? GROUP BY tag, run_id"
                                 " ORDER BY tag, min(id)", (kind,)).fetchall()
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
        return decode_arrays(self.load_bytes(record), self.artifact_path(record), record)

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
        return decode_json(self.load_bytes(record), self.artifact_path(record), record)

    def open_blob(self, run_id: str, path: str) -> bytes:
        """A file of a run under ``blobs/<run id>/`` (:class:`NotFoundError` if there is none or
        the path leaves that folder, links included)."""
        root = self.blob_dir(run_id).resolve()
        target = (root / blob_path(path)).resolve()
        if root not in target.parents:
            raise NotFoundError(f"bad path {path!r}")
        try:
            return target.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise NotFoundError(f"run {run_id} has no file {path!r}") from exc
        except OSError as exc:
            raise StoreError(f"cannot read {target}: {exc}") from exc

    # -- events ------------------------------------------------------------------------------
    def add_events(self, run_id: str, events: list[EventRecord]) -> None:
        """Append diagnostic events to a run."""
        check_severities(events)
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
