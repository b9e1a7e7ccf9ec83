"""The embedded store's SQLite schema, its version and the migrations between versions.

Layout (see docs/store.md):

- ``meta``: key/value pairs, among them ``schema_version``.
- ``runs``: one row per run: identity, status, timing, heartbeat, config and summary as JSON.
- ``series``: one row per (run, key) with running totals (points, last point, whether steps and wall
  times have only grown), so listings never touch the points.
- ``chunks``: the points, columnar: each row holds a run of consecutive points of one series as three
  little-endian blobs (int64 steps, float64 wall times, float64 values) plus, for large chunks, a blob
  of block summaries (``analyze.blocks.BLOCK_DTYPE``) that lets a chart of millions of points be drawn
  from thousands of records. ``start`` is the index of the chunk's first point within its series, so
  chunks sort in logging order. ``summary2`` (v3) is a coarser level: one record per 16 records of
  ``summary``, for charts of series so long that even the first level has many records per pixel.
- ``artifacts`` (v2): one row per recorded non-scalar item (a histogram, a predictions table, an
  image...): run, ``kind`` (the panel's name for it), tag, step, and the path of its file under
  ``blobs/<run id>/``; ``meta`` is JSON.
- ``events`` (v2): diagnostics raised for a run: kind, step, severity, message, location, data.
"""

from __future__ import annotations

import sqlite3

from ..errors import StoreError

SCHEMA_VERSION = 3

_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    started REAL NOT NULL,
    ended REAL,
    heartbeat REAL,
    host TEXT NOT NULL DEFAULT '',
    pid INTEGER NOT NULL DEFAULT 0,
    config TEXT NOT NULL DEFAULT '{}',
    summary TEXT NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_project ON runs(project, started);
CREATE TABLE IF NOT EXISTS series (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id),
    key TEXT NOT NULL,
    points INTEGER NOT NULL DEFAULT 0,
    last_step INTEGER,
    last_value REAL,
    last_wall REAL,
    step_min INTEGER,
    step_max INTEGER,
    wall_min REAL,
    wall_max REAL,
    mono_step INTEGER NOT NULL DEFAULT 1,
    mono_wall INTEGER NOT NULL DEFAULT 1,
    UNIQUE (run_id, key)
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL REFERENCES series(id),
    start INTEGER NOT NULL,
    n INTEGER NOT NULL,
    level INTEGER NOT NULL DEFAULT 0,
    step_lo INTEGER NOT NULL,
    step_hi INTEGER NOT NULL,
    wall_lo REAL NOT NULL,
    wall_hi REAL NOT NULL,
    steps BLOB NOT NULL,
    walls BLOB NOT NULL,
    vals BLOB NOT NULL,
    summary BLOB
);
CREATE INDEX IF NOT EXISTS chunks_series ON chunks(series_id, start);
"""

_V2 = """
CREATE TABLE IF NOT EXISTS artifacts (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id),
    kind TEXT NOT NULL,
    tag TEXT NOT NULL,
    step INTEGER,
    wall REAL NOT NULL,
    path TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS artifacts_run ON artifacts(run_id, kind, tag, step);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id),
    kind TEXT NOT NULL,
    step INTEGER,
    wall REAL NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    location TEXT,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS events_run ON events(run_id, step);
"""

_V3 = """
ALTER TABLE chunks ADD COLUMN summary2 BLOB
"""

MIGRATIONS: dict[int, str] = {1: _V1, 2: _V2, 3: _V3}
"""Script that brings a store from version ``v - 1`` to ``v``; add one entry per new version."""


def migrate(conn: sqlite3.Connection) -> int:
    """Create or upgrade the schema in ``conn`` to :data:`SCHEMA_VERSION`; return the version found.

    Raises:
        StoreError: the store was written by a newer torchloupe.

    Example:
        >>> conn = sqlite3.connect(":memory:", isolation_level=None)
        >>> migrate(conn)
        0
        >>> migrate(conn)
        1
    """
    current = _version(conn)  # a read: never waits for another process's write lock
    if current == SCHEMA_VERSION:
        return current
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"this store has schema version {current}, but this torchloupe reads up to "
            f"{SCHEMA_VERSION}: upgrade torchloupe to read it")
    conn.execute("BEGIN IMMEDIATE")  # serializes concurrent first opens of one store
    try:
        has_meta = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        found = 0
        if has_meta:
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            found = int(row[0]) if row else 0
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"this store has schema version {found}, but this torchloupe reads up to "
                f"{SCHEMA_VERSION}: upgrade torchloupe to read it")
        for version in range(found + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                         (str(version),))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found


def _version(conn: sqlite3.Connection) -> int:
    has_meta = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
    if not has_meta:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row else 0
