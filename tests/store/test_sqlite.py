"""The embedded store: layout, merging, range reads, durability, concurrency, damage."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import torchloupe as tl
from torchloupe.analyze.blocks import downsample, summarize
from torchloupe.errors import NotFoundError, StoreError
from torchloupe.store import sqlite as sq
from torchloupe.store.schema import SCHEMA_VERSION
from torchloupe.types import RunRecord, RunStatus
from waiting import stored, until


def _new(store, rid="r"):
    now = time.time()
    store.create_run(RunRecord(rid, "p", rid, RunStatus.RUNNING, now, None, now))


def _points(lo, hi):
    steps = np.arange(lo, hi, dtype=np.int64)
    return steps, np.sin(steps / 100.0), steps * 0.01


def test_wal_mode_and_schema_version(store_dir):
    store = sq.SqliteStore(store_dir)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    row = store.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    assert int(row[0]) == SCHEMA_VERSION
    assert (store_dir / "blobs").is_dir()


def test_newer_schema_is_refused_clearly(store_dir):
    store = sq.SqliteStore(store_dir)
    store.conn.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    store.close()
    with pytest.raises(StoreError, match="schema version 999.*upgrade torchloupe"):
        sq.SqliteStore(store_dir)


def test_damaged_file_gives_a_clear_error(store_dir):
    store_dir.mkdir()
    (store_dir / "loupe.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open the store"):
        tl.open(store_dir)


def test_open_missing_store(tmp_path):
    with pytest.raises(StoreError, match="no torchloupe store"):
        tl.open(tmp_path / "nothing")


def test_many_small_flushes_are_merged_and_read_back_in_order(store_dir):
    store = sq.SqliteStore(store_dir)
    _new(store)
    for lo in range(0, 20_000, 10):
        store.append("r", {"x": _points(lo, lo + 10)})
    chunks = store.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    assert chunks < 40, chunks  # 2,000 flushes, merged like a base-8 counter
    steps, values, walls = store.read("r", "x")
    assert np.array_equal(steps, np.arange(20_000))
    store.compact("r")
    assert store.conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == 1
    assert np.array_equal(store.read("r", "x")[0], np.arange(20_000))


def test_big_flush_is_split_into_sealed_chunks_with_summaries(store_dir):
    store = sq.SqliteStore(store_dir)
    _new(store)
    store.append("r", {"x": _points(0, 3 * sq.SEAL + 5)})
    rows = store.conn.execute("SELECT n, summary IS NOT NULL FROM chunks ORDER BY start").fetchall()
    assert rows == [(sq.SEAL, 1), (sq.SEAL, 1), (sq.SEAL, 1), (5, 0)]


@pytest.mark.parametrize("axis", ["step", "wall"])
@pytest.mark.parametrize("lo, hi, width", [(None, None, 800), (None, None, 100), (12_345.0, 150_000.0, 300), (100.0, 400.0, 800)])
def test_read_blocks_downsample_matches_the_raw_points(store_dir, axis, lo, hi, width):
    store = sq.SqliteStore(store_dir)
    _new(store)
    steps, values, walls = _points(0, 200_000)
    values[77_777] = 50.0
    store.append("r", {"x": (steps, values, walls)})
    scale = 1.0 if axis == "step" else 0.01
    lo_x = None if lo is None else lo * scale
    hi_x = None if hi is None else hi * scale
    got = downsample(store.read_blocks("r", "x", axis, width, lo_x, hi_x), width, axis, lo_x, hi_x)
    x = steps if axis == "step" else walls
    keep = np.ones(len(x), bool) if lo is None else (x >= lo_x) & (x <= hi_x)
    want = downsample(summarize(steps[keep], walls[keep], values[keep], block=1), width, axis, lo_x, hi_x)
    assert got.y.max() == want.y.max() and got.y.min() == want.y.min()
    assert got.bucket_count.sum() == want.bucket_count.sum() == keep.sum()
    if lo is None:
        assert got.x[got.y.argmax()] == x[77_777]


def test_rewound_series_is_read_sorted_by_step(store_dir):
    store = sq.SqliteStore(store_dir)
    _new(store)
    store.append("r", {"x": _points(0, 100)})
    store.append("r", {"x": _points(50, 60)})
    assert store.series("r")[0].monotonic is False
    blocks = store.read_blocks("r", "x", "step", 800)
    assert np.all(np.diff(blocks["s0"]) >= 0) and blocks["n"].sum() == 110


def test_unknown_run_and_series(store_dir):
    store = sq.SqliteStore(store_dir)
    with pytest.raises(NotFoundError, match="no run with id or name 'zz'"):
        store.run("zz")
    _new(store)
    with pytest.raises(NotFoundError, match="no series 'nope'"):
        store.read("r", "nope")


def test_readable_while_a_run_writes(store_dir):
    run = tl.init("p", dir=store_dir, flush_interval=0.02)
    reader = tl.open(store_dir)
    for i in range(200):
        run.log({"x": float(i)})
        if i % 50 == 49:  # the open reader sees every point once the writer has flushed
            assert until(lambda n=i + 1: stored(reader, run.id, "x") == n), f"never saw {i + 1} points"
    run.finish()


_CHILD = textwrap.dedent("""
    import sys, time, torchloupe as tl
    run = tl.init("p", name="victim", dir=sys.argv[1])
    step = 0
    while True:
        run.log({"x": float(step)}, step=step)
        if step % 100 == 0:
            print(step, time.time(), flush=True)
        step += 1
        time.sleep(0.0002)
""")


def test_sigkill_loses_at_most_a_second_and_the_store_reopens(store_dir):
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(store_dir)], stdout=subprocess.PIPE, text=True)
    progress = []
    t0 = None
    for line in proc.stdout:
        step, wall = line.split()
        progress.append((int(step), float(wall)))
        t0 = t0 or time.time()
        if time.time() - t0 > 2.0:
            break
    os.kill(proc.pid, signal.SIGKILL)
    killed_at = time.time()
    proc.wait()
    # Every step the child had logged one second before the kill must be in the store.
    must_have = max(step for step, wall in progress if wall <= killed_at - 1.0)
    conn = sqlite3.connect(store_dir / "loupe.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    store = tl.open(store_dir)
    run = store.run("victim")
    steps = run.scalars("x")["step"].to_numpy()
    assert steps.max() >= must_have and np.array_equal(steps, np.arange(len(steps)))
    deadline = time.time() + 10
    while run.status is not tl.RunStatus.CRASHED and time.time() < deadline:
        time.sleep(0.25)
        run = store.run("victim")
    assert run.status is tl.RunStatus.CRASHED


_WRITER = textwrap.dedent("""
    import sys, torchloupe as tl
    rank = int(sys.argv[2])
    with tl.init("ddp", name=f"rank{rank}", dir=sys.argv[1], flush_interval=0.01) as run:
        for step in range(3000):
            run.log({"loss": step + rank / 10, "acc": float(rank)}, step=step)
""")


def test_eight_processes_write_one_store_and_lose_nothing(store_dir):
    tl.init("warm", dir=store_dir).finish()  # not required, but exercises an existing store too
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(store_dir), str(r)],
                              stderr=subprocess.PIPE) for r in range(8)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    store = tl.open(store_dir)
    runs = store.runs(project="ddp")
    assert sorted(r.name for r in runs) == [f"rank{r}" for r in range(8)]
    for r in runs:
        rank = int(r.name[4:])
        df = r.scalars("loss")
        assert df["step"].tolist() == list(range(3000))
        assert np.allclose(df["value"], np.arange(3000) + rank / 10)
        assert r.status is tl.RunStatus.FINISHED


def test_version_one_store_is_migrated(store_dir):
    """A store written before artifacts and events existed gains their tables on open."""
    from torchloupe.store.schema import MIGRATIONS

    store_dir.mkdir()
    conn = sqlite3.connect(store_dir / "loupe.db")
    conn.executescript(MIGRATIONS[1])
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute("INSERT INTO runs(id, project, name, status, started) VALUES ('old', 'p', 'old', 'finished', 1.0)")
    conn.commit()
    conn.close()
    store = tl.open(store_dir)
    assert store.run("old").events().empty
    version = store.backend.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    assert int(version) == SCHEMA_VERSION


def test_artifacts_and_events_round_trip(store_dir):
    import torch

    with tl.init("p", dir=store_dir) as run:
        run.log({"x": 1.0}, step=7)
        run.record("histogram", "fc.weight", {"counts": torch.arange(5.0), "edges": np.linspace(0, 1, 6)},
                   meta={"bins": 5})
        run.record("image", "sample", {"pixels": np.zeros((2, 2), np.uint8)}, step=3,
                   encode=lambda a: (b"PNG" + a["pixels"].tobytes(), "png"))
        run.event("nan_loss", "loss is NaN", severity="error", location="fc2", data={"value": float("nan")})
        with pytest.raises(tl.LoupeValueError, match="severity"):
            run.event("x", "y", severity="fatal")
    r = tl.open(store_dir).runs()[0]
    (hist,) = r.artifacts("histogram")
    assert (hist.tag, hist.step, hist.meta) == ("fc.weight", 7, {"bins": 5})
    arrays = r.load(hist)
    assert arrays["counts"].tolist() == [0, 1, 2, 3, 4] and len(arrays["edges"]) == 6
    (img,) = r.artifacts("image")
    assert img.path.endswith(".png") and tl.open(store_dir).backend.load_bytes(img).startswith(b"PNG")
    ev = r.events()
    assert ev[["kind", "step", "severity", "message", "where"]].values.tolist() == [
        ["nan_loss", 7, "error", "loss is NaN", "fc2"]]


def test_a_flush_larger_than_a_sealed_chunk_after_small_ones_keeps_the_order(store_dir):
    """Small flushes, then one of more than SEAL points (the writer fell behind), then small
    ones again: no merge may span the sealed chunk, so the points read back in logging order."""
    from torchloupe.store.sqlite import SEAL

    store = sq.SqliteStore(store_dir)
    _new(store)
    sizes = [50] * 5 + [SEAL + 1000] + [50] * 20
    at = 0
    for size in sizes:
        steps = np.arange(at, at + size)
        store.append("r", {"x": (steps, steps.astype(float), steps.astype(float))})
        at += size
    store.compact("r")
    steps, values, _ = store.read("r", "x")
    assert np.array_equal(steps, np.arange(at)) and np.array_equal(values, np.arange(at))
