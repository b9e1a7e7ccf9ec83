"""Fault: another process holds the store's write lock (a long transaction: a backup, a recovery
import, a stuck tool) while training goes on, so the writer stalls and the backlog reaches the
store as one flush of more than a sealed chunk (65,536 points) between small flushes.

Asserted: ``run.log`` keeps returning while the writer waits; readers still read what was
committed; once the lock is released every point is stored exactly once and in logging order,
before and after compaction, and the chunks tile the series. (A merge of small chunks from both
sides of the sealed ones used to read back out of order.)
"""

from __future__ import annotations

import sqlite3

import numpy as np

import torchloupe as tl
from torchloupe.store import sqlite as sq


def _values(steps):
    return np.cos(steps / 7.0)


def test_backlog_after_a_held_write_lock_reads_back_in_order(store_dir, wait_for, flushed):
    # Short flushes: the writer retries a locked store at its next flush, and every retry takes
    # the whole backlog, so the flush that goes through holds more than a sealed chunk.
    run = tl.init("faults", dir=store_dir, flush_interval=0.02, max_queue=1_000_000)
    step = 0

    def log(n):
        nonlocal step
        for _ in range(n):
            run.log({"x": float(_values(step))}, step=step)
            step += 1

    for _ in range(5):
        log(10)
        flushed(run, step)
    blocker = sqlite3.connect(store_dir / "loupe.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        log(10)
        run._writer.kick()
        wait_for(lambda: not run._writer._queue, "the writer to take the flush and block")
        log(sq.SEAL + 500)  # the backlog piles up behind the lock
        reader = tl.open(store_dir).run(run.id)
        assert reader.scalars("x")["step"].tolist() == list(range(50))
    finally:
        blocker.execute("COMMIT")
        blocker.close()
    flushed(run, step)
    for _ in range(8):
        log(10)
        flushed(run, step)

    def check():
        store = sq.SqliteStore(store_dir, create=False)
        steps, values, _ = store.read(run.id, "x")
        assert np.array_equal(steps, np.arange(step))
        assert np.array_equal(values, _values(np.arange(step)))
        chunks = store.conn.execute("SELECT start, n FROM chunks ORDER BY start").fetchall()
        assert [c[0] for c in chunks[1:]] == [c[0] + c[1] for c in chunks[:-1]], chunks
        store.close()

    check()
    run.finish()  # compaction merges what is left of the tail
    check()
