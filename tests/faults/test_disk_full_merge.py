"""Fault: the disk fills up exactly while the store merges chunks.

Each flush appends one small chunk per series; eight chunks of one level are merged into one of the
next (``store.chunks.merge_tail``: the merge deletes the small chunks, then inserts the merged one,
in the flush's transaction). While the fault is on, writing any merged chunk (level > 0) fails
after the deletes, in one of two ways:

- ``sqlite``: the disk really fills: ``PRAGMA max_page_count`` pins the database at its size and
  a blob larger than the free pages is written first, so SQLite itself fails with SQLITE_FULL and
  rolls the transaction back on its own;
- ``raise``: the chunk insert raises ``sqlite3.OperationalError("database or disk is full")``
  while the transaction is still open.

Asserted: ``run.log`` never raises and the writer thread survives; the warning names the full disk;
each failure episode ends with "writable again"; when space returns every point is stored exactly
once and in logging order (compared value by value with what was logged), ``series.points`` equals
the chunks' total, the chunks tile the series without gap or overlap, ``PRAGMA integrity_check`` is
ok and merging works again. While the disk is full the backlog grows past a sealed chunk
(65,536 points), so the flush that finally goes through seals chunks behind small ones. A disk that is full during ``finish()``'s final compaction still leaves
the run marked finished with every point.
"""

from __future__ import annotations

import sqlite3
import warnings

import numpy as np
import pytest

import torchloupe as tl
from torchloupe.store import sqlite as sq


class DiskFullDuringMerge:
    """Wraps a store's ``_insert_chunk``: while ``full``, merged chunks (level > 0) cannot be
    written."""

    def __init__(self, store: sq.SqliteStore, how: str) -> None:
        self.real = store._insert_chunk
        self.how = how
        self.full = False
        self.failures = 0
        store._insert_chunk = self  # type: ignore[method-assign]

    def __call__(self, c, sid, start, level, steps, walls, values):
        if self.full and level > 0:
            self.failures += 1
            if self.how == "raise":
                raise sqlite3.OperationalError("database or disk is full")
            pages = c.execute("PRAGMA page_count").fetchone()[0]
            free = c.execute("PRAGMA freelist_count").fetchone()[0]
            size = c.execute("PRAGMA page_size").fetchone()[0]
            c.execute(f"PRAGMA max_page_count={pages}")
            try:  # the last free pages go to someone else's file
                c.execute("INSERT INTO meta(key, value) VALUES ('filler', zeroblob(?))",
                          ((free + 4) * size,))
            finally:
                c.execute("PRAGMA max_page_count=1073741823")
            raise AssertionError("the filler should not have fit")
        return self.real(c, sid, start, level, steps, walls, values)


class Training:
    """Logs two series; ``flush`` waits until the writer has written them or failed once more.

    The flush interval is short: after a failed flush the writer waits that long before it
    retries, whatever wakes it.
    """

    def __init__(self, store_dir, wait_for) -> None:
        self.run = tl.init("faults", dir=store_dir, flush_interval=0.02, max_queue=1_000_000)
        self.wait_for = wait_for
        self.step = 0

    def log(self, n: int) -> None:
        for _ in range(n):
            s = self.step
            self.run.log({"loss": 1.0 / (s + 1), "acc": np.sin(s)}, step=s)
            self.step += 1

    def flush(self, fault: DiskFullDuringMerge | None = None) -> None:
        """Wait until the writer wrote every point, or failed once more."""
        writer = self.run._writer
        failures = fault.failures if fault else 0
        writer.kick()
        self.wait_for(lambda: writer.points_written == 2 * self.step
                      or (fault is not None and fault.failures > failures and writer._failing),
                      "a flush")


def _check(store_dir, run_id: str, steps: int) -> sq.SqliteStore:
    """Every point exactly once, in order; metadata and chunks agree; the file is sound."""
    store = sq.SqliteStore(store_dir, create=False)
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    want = np.arange(steps)
    expected = {"loss": 1.0 / (want + 1), "acc": np.sin(want)}
    info = {s.key: s for s in store.series(run_id)}
    for key, values in expected.items():
        got_steps, got_values, _ = store.read(run_id, key)
        assert np.array_equal(got_steps, want), key
        assert np.array_equal(got_values, values), key
        assert info[key].points == steps
        sid = store._sid(run_id, key)
        chunks = store.conn.execute("SELECT start, n FROM chunks WHERE series_id=? ORDER BY start",
                                    (sid,)).fetchall()
        starts = [c[0] for c in chunks]
        ends = [c[0] + c[1] for c in chunks]
        assert starts[0] == 0 and starts[1:] == ends[:-1] and ends[-1] == steps, chunks
    return store


@pytest.mark.parametrize("how", ["sqlite", "raise"])
def test_disk_full_during_merges_loses_and_duplicates_nothing(store_dir, wait_for, how):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = Training(store_dir, wait_for)
        fault = DiskFullDuringMerge(t.run._store, how)
        for _ in range(7):  # seven small chunks: the next flush merges
            t.log(10)
            t.flush()
        fault.full = True
        for i in range(24):
            t.log(sq.SEAL + 100 if i == 12 else 10)  # the backlog outgrows a sealed chunk
            t.flush(fault)
        assert fault.failures >= 2
        assert t.run._writer.alive and t.run._writer.error is None
        fault.full = False
        for _ in range(17):
            t.log(10)
            t.flush()
        t.run.finish()
    messages = [str(w.message) for w in caught]
    full = [m for m in messages if m.startswith("torchloupe: cannot write to the store")]
    assert full and all("database or disk is full" in m for m in full), messages
    assert len(full) == sum("writable again" in m for m in messages), messages
    store = _check(store_dir, t.run.id, t.step)
    assert store.run(t.run.id).status is tl.RunStatus.FINISHED
    assert store.conn.execute("SELECT count(*) FROM meta WHERE key='filler'").fetchone()[0] == 0
    # Merging works again after the fault: the run is not left as hundreds of tiny chunks.
    assert store.conn.execute("SELECT count(*) FROM chunks").fetchone()[0] < 40


@pytest.mark.parametrize("how", ["sqlite", "raise"])
def test_disk_full_during_final_compaction(store_dir, wait_for, how):
    t = Training(store_dir, wait_for)
    fault = DiskFullDuringMerge(t.run._store, how)
    for _ in range(5):
        t.log(10)
        t.flush()
    fault.full = True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t.run.finish()
    assert fault.failures == 1
    store = _check(store_dir, t.run.id, t.step)
    assert store.run(t.run.id).status is tl.RunStatus.FINISHED
    (warning,) = [str(w.message) for w in caught]
    assert "could not compact" in warning and "database or disk is full" in warning, warning
