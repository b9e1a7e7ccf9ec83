"""The embedded store: one SQLite database in WAL mode plus a blob folder, under one directory.

``<dir>/loupe.db`` holds runs, series metadata and the points (see :mod:`.schema` for the layout);
``<dir>/blobs/<run id>/`` holds files (images, checkpoints). Many processes may write one store at
once (each its own runs); SQLite's WAL lets readers read while they write. Each thread gets its own
connection.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..analyze.blocks import BLOCK_DTYPE, Axis
from ..errors import NotFoundError, StoreAccessError, StoreError
from ..types import RunRecord, RunStatus, SeriesInfo
from .artifacts import ArtifactsMixin
from .base import (
    RUN_FIELDS,
    EventRecord,
    Points,
    as_points,
    check_run_fields,
    json_text,
    run_from_row,
)
from .chunks import (
    COARSE,
    FANOUT,
    SEAL,
    SUMMARY_MIN,
    ChunkMeta,
    append_chunks,
    merge_tail,
    plan_reads,
    point_blocks,
    summaries,
)
from .schema import migrate

__all__ = ["COARSE", "FANOUT", "SEAL", "SUMMARY_MIN", "SqliteStore", "store_lock"]

DB_NAME = "loupe.db"
LOCK_NAME = "loupe.lock"
"""A file next to the database whose ``flock`` serializes opening, creating and migrating it."""
OPEN_TIMEOUT = 120.0
"""Seconds that opening a store keeps retrying while other processes hold it locked."""


class SqliteStore(ArtifactsMixin):
    """Reads and writes one store directory: a :class:`~torchloupe.store.base.Backend`.

    Example:
        >>> import tempfile
        >>> store = SqliteStore(tempfile.mkdtemp())
        >>> store.runs()
        []
    """

    durable = True

    def __init__(self, path: str | os.PathLike[str], create: bool = True) -> None:
        self.dir = Path(path)
        self.db_path = self.dir / DB_NAME
        self._local = threading.local()
        # Every thread's connection, for interrupt(); a thread's id is reused only after it ended.
        self._conns: dict[int, sqlite3.Connection] = {}
        self._tails: dict[int, list[tuple[int, int, int]]] = {}
        self._series_ids: dict[tuple[str, str], int] = {}
        if not self.db_path.exists() and not create:
            raise StoreError(f"no torchloupe store at {self.dir} (expected {self.db_path})")
        if create:
            try:
                self.dir.mkdir(parents=True, exist_ok=True)
                (self.dir / "blobs").mkdir(exist_ok=True)
            except OSError as exc:
                raise StoreAccessError(f"cannot create the store directory {self.dir}: {exc}") from exc
        self._connect()

    # -- connections -----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        conn = self._open_connection()
        self._local.conn = conn
        self._conns[threading.get_ident()] = conn
        return conn

    def _open_connection(self) -> sqlite3.Connection:
        # Many processes may open a new store at the same instant (DDP ranks): creating the file,
        # switching it to WAL and creating the schema happen under an exclusive file lock, and a
        # "database is locked" that still gets through (another host, NFS) is retried with
        # back-off. A lock is never a reason to give up on the store.
        deadline = time.monotonic() + OPEN_TIMEOUT
        delay = 0.01
        while True:
            try:
                with store_lock(self.dir):
                    return self._open_file()
            except sqlite3.OperationalError as exc:
                text = str(exc).lower()
                if "unable to open" in text or "readonly" in text:
                    raise StoreAccessError(f"cannot open the store {self.db_path}: {exc}") from exc
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise StoreError(f"cannot open the store {self.db_path}: {exc}") from exc
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"cannot open the store {self.db_path}: {exc} (the file is "
                                 "damaged or not a torchloupe store)") from exc
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 1.0)

    def _open_file(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, isolation_level=None, timeout=60.0,
                               check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout=60000")
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode.lower() != "wal":
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if mode.lower() != "wal":
                    raise StoreError(f"cannot put {self.db_path} in WAL mode (got {mode!r})")
            # NORMAL in WAL mode: a crash of the process loses nothing committed; only a
            # power failure can lose the last transactions, and it never corrupts the file.
            conn.execute("PRAGMA synchronous=NORMAL")
            # Reads of large blobs (chunks, summaries) straight from the page cache.
            conn.execute("PRAGMA mmap_size=4294967296")
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection."""
        return self._connect()

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._conns.pop(threading.get_ident(), None)
            conn.close()
            self._local.conn = None

    def data_version(self) -> int:
        """A number that changes whenever another connection commits to the store."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def set_lock_timeout(self, seconds: float) -> None:
        """How long this thread's calls wait for another connection's write lock."""
        self.conn.execute(f"PRAGMA busy_timeout={max(0, int(seconds * 1000))}")

    def interrupt(self) -> None:
        """Abort the statements running on this store's connections (the transaction in
        progress rolls back and its call raises)."""
        for conn in list(self._conns.values()):
            try:
                conn.interrupt()
            except sqlite3.ProgrammingError:  # closed meanwhile: nothing to interrupt
                pass

    def blob_dir(self, run_id: str) -> Path:
        """The folder for a run's files."""
        return self.dir / "blobs" / run_id

    # -- runs ------------------------------------------------------------------------------
    def create_run(self, record: RunRecord) -> None:
        """Insert a new run."""
        with _transaction(self.conn) as c:
            if c.execute("SELECT 1 FROM runs WHERE id=?", (record.id,)).fetchone():
                raise StoreError(f"a run with id {record.id!r} already exists in {self.dir}")
            c.execute(
                "INSERT INTO runs(id, project, name, status, started, ended, heartbeat, host, pid,"
                " config, summary) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (record.id, record.project, record.name, record.status.value, record.started,
                 record.ended, record.heartbeat, record.host, record.pid,
                 json_text(record.config), json_text(record.summary)))

    def reopen_run(self, run_id: str, host: str, pid: int) -> RunRecord:
        """Mark an existing run as running again (resume) and return it."""
        record = self.run(run_id)
        now = time.time()
        with _transaction(self.conn) as c:
            c.execute("UPDATE runs SET status='running', ended=NULL, heartbeat=?, host=?, pid=?,"
                      " version=version+1 WHERE id=?", (now, host, pid, record.id))
        return self.run(record.id)

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Update columns of a run (``status``, ``ended``, ``heartbeat``, ``config``, ``summary``)."""
        if not fields:
            return
        with _transaction(self.conn) as c:
            self._update_run(c, run_id, fields)

    @staticmethod
    def _update_run(c: sqlite3.Connection, run_id: str, fields: Mapping[str, Any]) -> None:
        check_run_fields(fields)
        cols, args = [], []
        for name, value in fields.items():
            if name in {"config", "summary"}:
                value = json_text(value)
            elif isinstance(value, RunStatus):
                value = value.value
            cols.append(f"{name}=?")
            args.append(value)
        if set(fields) - {"heartbeat"}:
            cols.append("version=version+1")
        c.execute(f"UPDATE runs SET {', '.join(cols)} WHERE id=?", (*args, run_id))

    def runs(self, project: str | None = None) -> list[RunRecord]:
        """All runs, newest first (optionally of one project), with crashes detected."""
        sql = ("SELECT id, project, name, status, started, ended, heartbeat, host, pid, config, summary"
               " FROM runs")
        args: tuple[Any, ...] = ()
        if project is not None:
            sql += " WHERE project=?"
            args = (project,)
        rows = self.conn.execute(sql + " ORDER BY started DESC, id", args).fetchall()
        return [run_from_row(row) for row in rows]

    def run(self, id_or_name: str) -> RunRecord:
        """One run by id, or by name when no id matches (the newest run of that name)."""
        cols = "id, project, name, status, started, ended, heartbeat, host, pid, config, summary"
        row = self.conn.execute(f"SELECT {cols} FROM runs WHERE id=?", (id_or_name,)).fetchone()
        if row is None:
            row = self.conn.execute(f"SELECT {cols} FROM runs WHERE name=? ORDER BY started DESC",
                                    (id_or_name,)).fetchone()
        if row is None:
            raise NotFoundError(f"no run with id or name {id_or_name!r} in {self.dir}")
        return run_from_row(row)

    # -- series: writing -------------------------------------------------------------------
    def append(self, run_id: str, points: Mapping[str, Points],
               run_fields: Mapping[str, Any] | None = None) -> None:
        """Append points to series of one run, in one transaction, with run column updates.

        Args:
            run_id: the run.
            points: key -> (steps, values, walls) of the new points, in logging order.
            run_fields: columns of the run to update in the same transaction (e.g. heartbeat).
        """
        tails = {sid: list(tail) for sid, tail in self._tails.items()}
        try:
            with _transaction(self.conn) as c:
                for key, p in points.items():
                    steps, values, walls = as_points(p)
                    if len(values):
                        self._append_series(c, run_id, key, steps, walls, values)
                if run_fields:
                    self._update_run(c, run_id, run_fields)
        except BaseException:
            # The transaction rolled back: forget ids of rows that no longer exist, and go back to
            # the tails as committed (forgetting them would leave their chunks unmerged forever).
            self._series_ids.clear()
            self._tails = tails
            raise

    def _series_id(self, c: sqlite3.Connection, run_id: str, key: str) -> int:
        sid = self._series_ids.get((run_id, key))
        if sid is None:
            c.execute("INSERT OR IGNORE INTO series(run_id, key) VALUES (?, ?)", (run_id, key))
            sid = int(c.execute("SELECT id FROM series WHERE run_id=? AND key=?",
                                (run_id, key)).fetchone()[0])
            self._series_ids[(run_id, key)] = sid
        return sid

    def _append_series(self, c: sqlite3.Connection, run_id: str, key: str, steps: np.ndarray,
                       walls: np.ndarray, values: np.ndarray) -> None:
        sid = self._series_id(c, run_id, key)
        points, last_step, last_wall, mono_s, mono_w = c.execute(
            "SELECT points, last_step, last_wall, mono_step, mono_wall FROM series WHERE id=?",
            (sid,)).fetchone()
        mono_s = bool(mono_s) and bool(np.all(np.diff(steps) >= 0)) and (
            last_step is None or int(steps[0]) >= last_step)
        mono_w = bool(mono_w) and bool(np.all(np.diff(walls) >= 0)) and (
            last_wall is None or float(walls[0]) >= last_wall)
        n = len(values)
        c.execute(
            "UPDATE series SET points=points+?, last_step=?, last_value=?, last_wall=?,"
            " step_min=min(coalesce(step_min, ?), ?), step_max=max(coalesce(step_max, ?), ?),"
            " wall_min=min(coalesce(wall_min, ?), ?), wall_max=max(coalesce(wall_max, ?), ?),"
            " mono_step=?, mono_wall=? WHERE id=?",
            (n, int(steps[-1]), _finite_or_none(values[-1]), float(walls[-1]),
             int(steps.min()), int(steps.min()), int(steps.max()), int(steps.max()),
             float(walls.min()), float(walls.min()), float(walls.max()), float(walls.max()),
             int(mono_s), int(mono_w), sid))
        append_chunks(_Chunks(self, c, sid), self._tails.setdefault(sid, []), points, steps,
                      walls, values)

    @staticmethod
    def _insert_chunk(c: sqlite3.Connection, sid: int, start: int, level: int, steps: np.ndarray,
                      walls: np.ndarray, values: np.ndarray) -> int:
        steps = np.ascontiguousarray(steps, dtype="<i8")
        walls = np.ascontiguousarray(walls, dtype="<f8")
        values = np.ascontiguousarray(values, dtype="<f8")
        levels = summaries(steps, walls, values)
        summary, summary2 = (None, None) if levels is None else (levels[0].tobytes(),
                                                                 levels[1].tobytes())
        cur = c.execute(
            "INSERT INTO chunks(series_id, start, n, level, step_lo, step_hi, wall_lo, wall_hi,"
            " steps, walls, vals, summary, summary2) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (sid, start, len(values), level, int(steps.min()), int(steps.max()),
             float(walls.min()), float(walls.max()), steps.tobytes(), walls.tobytes(),
             values.tobytes(), summary, summary2))
        return int(cur.lastrowid or 0)

    def compact(self, run_id: str) -> None:
        """Merge the unsealed chunks this process wrote for a run into one chunk per series."""
        with _transaction(self.conn) as c:
            for (rid, _key), sid in self._series_ids.items():
                tail = self._tails.get(sid)
                if rid == run_id and tail and len(tail) > 1:
                    merge_tail(_Chunks(self, c, sid), tail, everything=True)
                    tail.clear()

    # -- recovery ------------------------------------------------------------------------------
    def load_spill(self, spill_id: str, spill: Any) -> bool:
        """Load a recovery file's contents (:class:`~.recovery.Spill`) in one transaction that
        also records ``spill_id``, so that the same spill is never loaded twice.

        Returns:
            False when this spill had been loaded already.
        """
        marker = f"recovered:{spill_id}"
        run = spill.run
        run_id = str(run["id"])
        try:
            with _transaction(self.conn) as c:
                if c.execute("SELECT 1 FROM meta WHERE key=?", (marker,)).fetchone():
                    return False
                if not c.execute("SELECT 1 FROM runs WHERE id=?", (run_id,)).fetchone():
                    c.execute(
                        "INSERT INTO runs(id, project, name, status, started, ended, heartbeat,"
                        " host, pid, config, summary) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        (run_id, str(run.get("project", "default")), str(run.get("name", run_id)),
                         "crashed", float(run.get("started") or time.time()), None,
                         run.get("heartbeat"), str(run.get("host", "")), int(run.get("pid") or 0),
                         json_text(run.get("config") or {}), json_text(run.get("summary") or {})))
                for key, p in spill.points.items():
                    steps, values, walls = as_points(p)
                    if len(values):
                        self._append_series(c, run_id, key, steps, walls, values)
                if spill.events:
                    self.add_events(run_id, [EventRecord(
                        str(e["kind"]), e.get("step"), str(e["severity"]), str(e["message"]),
                        e.get("location"), dict(e.get("data") or {}), float(e.get("wall") or 0))
                        for e in spill.events])
                for meta, blob in spill.artifacts:
                    self.put_artifact(run_id, str(meta["kind"]), str(meta["tag"]), meta.get("step"),
                                      None, meta.get("meta") or {}, blob, str(meta.get("ext", "npz")))
                fields = {k: v for k, v in spill.fields.items() if k in RUN_FIELDS}
                if fields:
                    self._update_run(c, run_id, fields)
                c.execute("INSERT INTO meta(key, value) VALUES (?, ?)", (marker, str(time.time())))
        except sqlite3.Error as exc:
            self._series_ids.clear()
            self._tails.clear()
            raise StoreError(f"cannot load a recovery file into {self.db_path}: {exc}") from exc
        except BaseException:
            self._series_ids.clear()
            self._tails.clear()
            raise
        return True

    # -- series: reading -------------------------------------------------------------------
    def series(self, run_id: str) -> list[SeriesInfo]:
        """The scalar series of a run, sorted by key."""
        rows = self.conn.execute(
            "SELECT key, points, last_step, last_value, last_wall, mono_step FROM series"
            " WHERE run_id=? ORDER BY key", (run_id,)).fetchall()
        return [SeriesInfo(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]

    def keys_by_run(self, run_ids: Iterable[str] | None = None) -> dict[str, list[str]]:
        """key -> ids of the runs (among ``run_ids``, default all) that have that series."""
        rows = self.conn.execute("SELECT key, run_id FROM series WHERE points > 0 ORDER BY key, id")
        wanted = None if run_ids is None else set(run_ids)
        out: dict[str, list[str]] = {}
        for key, rid in rows:
            if wanted is None or rid in wanted:
                out.setdefault(key, []).append(rid)
        return out

    def series_totals(self) -> dict[str, tuple[int, int]]:
        """run id -> (number of series, number of points), for every run."""
        rows = self.conn.execute(
            "SELECT run_id, count(*), coalesce(sum(points), 0) FROM series GROUP BY run_id")
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}

    def series_points(self) -> dict[tuple[str, str], int]:
        """(run id, key) -> points, for change detection."""
        rows = self.conn.execute("SELECT run_id, key, points FROM series")
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def _sid(self, run_id: str, key: str) -> int:
        row = self.conn.execute("SELECT id FROM series WHERE run_id=? AND key=?",
                                (run_id, key)).fetchone()
        if row is None:
            raise NotFoundError(f"run {run_id!r} has no series {key!r}")
        return int(row[0])

    def read(self, run_id: str, key: str) -> Points:
        """Every point of one series, in logging order (:class:`StoreError` naming the series if
        its stored chunks are damaged)."""
        sid = self._sid(run_id, key)
        with self._reading(run_id, key):
            rows = self.conn.execute("SELECT steps, walls, vals FROM chunks WHERE series_id=?"
                                     " ORDER BY start", (sid,)).fetchall()
            steps, walls, values = _concat(rows)
            return Points(steps, values, walls)

    @contextlib.contextmanager
    def _reading(self, run_id: str, key: str) -> Iterator[None]:
        """Damage met while reading one series becomes a :class:`StoreError` that names it."""
        try:
            yield
        except (sqlite3.DatabaseError, _DamagedChunk) as exc:
            raise StoreError(f"cannot read series {key!r} of run {run_id} from {self.db_path}: "
                             f"{exc}") from exc

    def read_blocks(self, run_id: str, key: str, axis: Axis, width: int,
                    lo: float | None = None, hi: float | None = None) -> np.ndarray:
        """Block records of one series in x order, for :func:`analyze.blocks.downsample`.

        Chunks that lie wholly inside ``[lo, hi]`` and are coarse for the requested width are
        represented by their stored block summaries; all others by their points (blocks of one).
        A series whose x is not monotone (steps rewound after a restart) is read whole and sorted.
        """
        sid = self._sid(run_id, key)
        with self._reading(run_id, key):
            return self._read_blocks(run_id, key, sid, axis, width, lo, hi)

    def _read_blocks(self, run_id: str, key: str, sid: int, axis: Axis, width: int,
                     lo: float | None, hi: float | None) -> np.ndarray:
        mono = self.conn.execute(f"SELECT mono_{axis} FROM series WHERE id=?", (sid,)).fetchone()[0]
        col = "step" if axis == "step" else "wall"
        if not mono:
            steps, values, walls = self.read(run_id, key)
            return point_blocks(steps, walls, values, axis, lo, hi, sort=True)
        # length(summary), not "summary IS NOT NULL", which would read every blob to test it.
        sql = (f"SELECT id, n, {col}_lo, {col}_hi, length(summary), length(summary2) FROM chunks"
               " WHERE series_id=?")
        args: list[Any] = [sid]
        if lo is not None:
            sql += f" AND {col}_hi >= ?"
            args.append(lo)
        if hi is not None:
            sql += f" AND {col}_lo <= ?"
            args.append(hi)
        metas = [ChunkMeta(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5]))
                 for r in self.conn.execute(sql + " ORDER BY start", args).fetchall()]
        parts: list[np.ndarray] = []
        for how, ids in plan_reads(metas, width, lo, hi):
            if how != "points":
                blobs = self._blobs(how, ids)
                data = b"".join(_checked(r[0], BLOCK_DTYPE.itemsize) for r in blobs)
                parts.append(np.frombuffer(data, BLOCK_DTYPE))
                continue
            steps, walls, values = _concat(self._blobs("steps, walls, vals", ids))
            parts.append(point_blocks(steps, walls, values, axis, lo, hi))
        if not parts:
            return np.zeros(0, BLOCK_DTYPE)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _blobs(self, columns: str, ids: list[int]) -> list[tuple[Any, ...]]:
        """Columns of the given chunks, in series order (ids in batches below SQLite's limit)."""
        rows: list[tuple[Any, ...]] = []
        for i in range(0, len(ids), 500):
            batch = ids[i:i + 500]
            marks = ",".join("?" * len(batch))
            rows += self.conn.execute(f"SELECT {columns} FROM chunks WHERE id IN ({marks})"
                                      " ORDER BY start", batch).fetchall()
        return rows


@contextlib.contextmanager
def store_lock(directory: Path) -> Iterator[None]:
    """Hold the store's exclusive file lock (``flock`` on ``<dir>/loupe.lock``) for a block.

    Serializes what must not run twice at once across processes: creating and migrating the
    database, loading recovery files. Where the lock file cannot be created (a read-only store)
    the block runs without it.

    Example:
        >>> import tempfile
        >>> with store_lock(Path(tempfile.mkdtemp())):
        ...     pass
    """
    try:
        fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        try:
            fd = os.open(directory / LOCK_NAME, os.O_RDONLY)
        except OSError:
            yield
            return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class _Chunks:
    """The chunk rows of one series, inside a transaction (a :class:`~.chunks.ChunkSink`)."""

    def __init__(self, store: SqliteStore, c: sqlite3.Connection, sid: int) -> None:
        self.store = store
        self.c = c
        self.sid = sid

    def insert(self, start: int, level: int, steps: np.ndarray, walls: np.ndarray,
               values: np.ndarray) -> int:
        return self.store._insert_chunk(self.c, self.sid, start, level, steps, walls, values)

    def take(self, ids: list[int]) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        marks = ",".join("?" * len(ids))
        rows = self.c.execute(f"SELECT start, steps, walls, vals FROM chunks WHERE id IN ({marks})"
                              " ORDER BY start", ids).fetchall()
        self.c.execute(f"DELETE FROM chunks WHERE id IN ({marks})", ids)
        return (rows[0][0], np.concatenate([np.frombuffer(r[1], "<i8") for r in rows]),
                np.concatenate([np.frombuffer(r[2], "<f8") for r in rows]),
                np.concatenate([np.frombuffer(r[3], "<f8") for r in rows]))


class _transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not exc_type:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:
            # SQLite has already rolled back after SQLITE_FULL or an I/O error; a second ROLLBACK
            # would raise and hide the real error ("database or disk is full").
            self.conn.execute("ROLLBACK")


class _DamagedChunk(Exception):
    """A chunk row whose blobs cannot be the arrays it should hold."""


def _checked(blob: Any, itemsize: int) -> bytes:
    if not isinstance(blob, bytes) or len(blob) % itemsize:
        size = "NULL" if blob is None else f"{len(blob)} bytes"
        raise _DamagedChunk(f"a damaged chunk ({size} where records of {itemsize} bytes belong)")
    return blob


def _concat(rows: list[tuple[bytes, bytes, bytes]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(steps, walls, values) of chunk rows, in the rows' order."""
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    for r in rows:
        if not len(_checked(r[0], 8)) == len(_checked(r[1], 8)) == len(_checked(r[2], 8)):
            raise _DamagedChunk(f"a damaged chunk (steps, wall times and values of "
                                f"{len(r[0])}, {len(r[1])} and {len(r[2])} bytes)")
    return (np.concatenate([np.frombuffer(r[0], "<i8") for r in rows]),
            np.concatenate([np.frombuffer(r[1], "<f8") for r in rows]),
            np.concatenate([np.frombuffer(r[2], "<f8") for r in rows]))


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
