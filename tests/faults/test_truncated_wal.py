"""Fault: the store is copied in the middle of a run (a crash snapshot: ``loupe.db`` and
``loupe.db-wal`` while the writer's connection is open), and the ``-wal`` copy is cut at an
arbitrary byte offset, or garbled in the middle, as a crash or a bad copy leaves it.

Asserted, for each offset: the copy opens with ``tl.open`` and with ``SqliteStore``;
``PRAGMA integrity_check`` is ok; the run finished and checkpointed before is whole; the live run's
series are a prefix of what was logged, cut at a flush boundary and the same for both keys logged
together (every flush is one transaction), with exactly the logged values; ``series.points`` equals
the points readable; the chunks tile each series; the dashboard lists the runs and charts them.
"""

from __future__ import annotations

import shutil
import sqlite3
import time

import numpy as np
import pytest

import torchloupe as tl
from torchloupe.store.sqlite import SqliteStore

FLUSH = 300
FLUSHES = 12


def _loss(steps):
    return np.exp(-steps / 1000.0)


def _acc(steps):
    return steps / (steps + 50.0)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    """(store dir, wal size): a finished, checkpointed run and a live run whose 12 flushes are
    only in the WAL, copied while the live run's connection is open."""
    src = tmp_path_factory.mktemp("live") / "loupe"
    with tl.init("faults", name="before", dir=src) as before:
        for s in range(500):
            before.log({"loss": float(_loss(s))}, step=s)
    conn = sqlite3.connect(src / "loupe.db")
    assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    conn.close()
    run = tl.init("faults", name="live", dir=src, flush_interval=3600)
    for f in range(FLUSHES):
        for s in range(f * FLUSH, (f + 1) * FLUSH):
            run.log({"loss": float(_loss(s)), "acc": float(_acc(s))}, step=s)
        run._writer.kick()
        deadline = time.monotonic() + 30
        while run._writer.points_written < 2 * (f + 1) * FLUSH:
            assert time.monotonic() < deadline, "the writer did not flush"
            time.sleep(0.005)
    dst = tmp_path_factory.mktemp("snapshot") / "loupe"
    dst.mkdir()
    for name in ("loupe.db", "loupe.db-wal"):
        shutil.copyfile(src / name, dst / name)
    run.finish()
    size = (dst / "loupe.db-wal").stat().st_size
    assert size > 100_000  # the live run is in the WAL, not yet in loupe.db
    return dst, size


def _cut(path, fraction):
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.truncate(int(size * fraction))


def _garble(path, fraction):
    data = bytearray(path.read_bytes())
    at = int(len(data) * fraction)
    data[at:at + 200] = bytes(range(200))
    path.write_bytes(bytes(data))


def _check_prefix(copy) -> dict[str, int]:
    """Open a damaged copy and check it; returns the live run's readable points per key."""
    backend = SqliteStore(copy, create=False)
    assert backend.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = tl.open(copy)
    runs = {r.name: r for r in store.runs()}
    assert set(runs) <= {"before", "live"} and "before" in runs
    before = runs["before"].scalars("loss")
    assert before["step"].tolist() == list(range(500))
    assert np.array_equal(before["value"].to_numpy(), _loss(np.arange(500)))
    counts = {"loss": 0, "acc": 0}
    if "live" in runs:
        live = runs["live"]
        info = {s.key: s.points for s in live.series_info()}
        for key, fn in (("loss", _loss), ("acc", _acc)):
            if key not in info:
                continue
            steps, values, _ = live.arrays(key)
            n = len(steps)
            assert info[key] == n
            assert np.array_equal(steps, np.arange(n)) and np.array_equal(values, fn(steps))
            sid = backend._sid(live.id, key)
            chunks = backend.conn.execute(
                "SELECT start, n FROM chunks WHERE series_id=? ORDER BY start", (sid,)).fetchall()
            assert [c[0] for c in chunks[1:]] == [c[0] + c[1] for c in chunks[:-1]], chunks
            counts[key] = n
    # Both keys of a log call are in one transaction: a cut never separates them.
    assert counts["loss"] == counts["acc"] and counts["loss"] % FLUSH == 0, counts
    store.close()
    backend.close()
    return counts


@pytest.mark.parametrize("damage, fraction", [
    ("cut", 0.0), ("cut", 0.013), ("cut", 0.31), ("cut", 0.5), ("cut", 0.77), ("cut", 0.99999),
    ("garble", 0.45),
])
def test_truncated_wal_opens_with_a_consistent_prefix(snapshot, tmp_path, dashboard, damage,
                                                      fraction):
    src, _ = snapshot
    copy = tmp_path / "loupe"
    shutil.copytree(src, copy)
    (_cut if damage == "cut" else _garble)(copy / "loupe.db-wal", fraction)
    counts = _check_prefix(copy)
    if damage == "cut" and fraction > 0.99:  # only the last frame is cut: all but one flush
        assert counts["loss"] >= (FLUSHES - 1) * FLUSH, counts
    if fraction >= 0.3:
        assert counts["loss"] > 0  # the cut kept some of the live run, or this tests little

    client = dashboard(copy)
    listed = client.get("/api/v1/runs")
    assert listed.status_code == 200
    assert len(listed.json()["runs"]) == len(tl.open(copy).runs()) >= 1
    chart = client.get("/api/v1/scalars/series", params={"tag": "loss"})
    assert chart.status_code == 200
    assert sorted(s["n"] for s in chart.json()["series"]) == sorted(
        [500] + ([counts["loss"]] if counts["loss"] else []))


def test_every_frame_boundary(snapshot, tmp_path):
    """Cut the WAL at (and inside) many frames: every cut is a consistent prefix, and the
    readable prefix only grows with the offset."""
    src, size = snapshot
    page = sqlite3.connect(src / "loupe.db").execute("PRAGMA page_size").fetchone()[0]
    frame = 24 + page
    seen = []
    for k in range(0, (size - 32) // frame + 1, 3):
        offset = min(size, 32 + k * frame + (frame // 2 if k % 2 else 0))
        copy = tmp_path / f"cut{k}"
        copy.mkdir()
        shutil.copyfile(src / "loupe.db", copy / "loupe.db")
        with open(src / "loupe.db-wal", "rb") as fh:
            (copy / "loupe.db-wal").write_bytes(fh.read(offset))
        seen.append(_check_prefix(copy)["loss"])
        shutil.rmtree(copy)
    assert seen == sorted(seen) and seen[-1] >= (FLUSHES - 1) * FLUSH, seen
    assert len(set(seen)) > FLUSHES // 2, seen  # the cuts landed all over the run
