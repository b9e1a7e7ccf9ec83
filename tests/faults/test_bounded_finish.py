"""``finish()`` returns in bounded time whatever the store does, and loses nothing.

Faults: the database held locked by another connection for longer than the finish timeout (a
real SQLite lock: the writer waits in SQLite's busy handler until it is interrupted); a store that
keeps failing every write (disk full); the interpreter exiting while the store is locked.
Asserted: ``finish()`` (and ``with``, and the exit hook) return within the documented bound; what
could not be written is in a recovery file named by the warning; ``tl.open``, ``tl.init`` and
``torchloupe recover`` load it back exactly once: every point, event, artifact and the final
status, once.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

import torchloupe as tl
from torchloupe.cli import main as cli
from torchloupe.store.recovery import pending

GRACE = 2.5  # the documented bound is timeout + flush interval + about two seconds


def _lock(store_dir):
    blocker = sqlite3.connect(store_dir / "loupe.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    return blocker


def _wait_written(store_dir, run_id, key, n):
    """Wait until the store holds n points of key (state, not time)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if len(tl.open(store_dir).run(run_id).scalars(key)) >= n:
                return
        except tl.NotFoundError:
            pass
        time.sleep(0.02)
    raise AssertionError(f"{n} points of {key} never reached the store")


def test_finish_on_a_locked_store_is_bounded_and_recovers_everything_once(store_dir):
    run = tl.init("p", dir=store_dir, flush_interval=0.05, finish_timeout=1.0)
    for i in range(500):
        run.log({"x": float(i)})
    _wait_written(store_dir, run.id, "x", 500)
    blocker = _lock(store_dir)
    try:
        for i in range(500, 1500):
            run.log({"x": float(i), "y": -float(i)})
        run.event("nan_loss", "loss is NaN", severity="error", step=7)
        run.record("histogram", "w", {"counts": np.arange(4.0)}, step=3)
        run.summary["best"] = 0.25
        began = time.monotonic()
        with pytest.warns(UserWarning, match="recovery file") as caught:
            run.finish()
        elapsed = time.monotonic() - began
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert elapsed < 1.0 + 0.05 + GRACE, elapsed
    (spill,) = pending(store_dir)
    assert any(str(spill) in str(w.message) for w in caught)

    store = tl.open(store_dir)  # loads the recovery file
    r = store.run(run.id)
    assert r.scalars("x")["value"].tolist() == [float(i) for i in range(1500)]
    assert r.scalars("y")["value"].tolist() == [-float(i) for i in range(500, 1500)]
    assert r.status is tl.RunStatus.FINISHED and r.summary["best"] == 0.25
    assert r.events()["kind"].tolist() == ["nan_loss"]
    assert [a.tag for a in r.artifacts("histogram")] == ["w"]
    assert pending(store_dir) == []
    # Opening again loads nothing twice.
    assert len(tl.open(store_dir).run(run.id).scalars("x")) == 1500


def test_a_spill_is_loaded_exactly_once_even_if_its_file_comes_back(store_dir, tmp_path):
    run = tl.init("p", dir=store_dir, flush_interval=0.05, finish_timeout=0.2)
    blocker = _lock(store_dir)
    try:
        for i in range(100):
            run.log({"x": float(i)})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run.finish()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    (spill,) = pending(store_dir)
    copy = shutil.copy(spill, tmp_path / spill.name)
    assert cli(["recover", "--dir", str(store_dir)]) == 0
    shutil.copy(copy, spill)  # as if deleting it had failed after the commit
    assert cli(["recover", "--dir", str(store_dir), str(spill)]) == 0
    assert not spill.exists()
    assert len(tl.open(store_dir).run(run.id).scalars("x")) == 100


def test_a_store_that_keeps_failing_loses_no_point_at_finish(store_dir):
    """Every append fails (disk full) until after finish: all 1,000 points reach the store."""
    run = tl.init("p", dir=store_dir, flush_interval=0.02, finish_timeout=0.5)

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    run._store.append = full
    run._store.update_run = full
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(1000):
            run.log({"x": float(i)})
        run.finish(tl.RunStatus.FINISHED)
    messages = [str(w.message) for w in caught]
    assert any("cannot write to the store" in m for m in messages)
    assert any("1000 points" in m and "recovery file" in m for m in messages), messages
    r = tl.open(store_dir).run(run.id)
    assert r.scalars("x")["value"].tolist() == [float(i) for i in range(1000)]
    assert r.status is tl.RunStatus.FINISHED


_EXITING = textwrap.dedent("""
    import sys, torchloupe as tl
    run = tl.init("p", name="exiting", dir=sys.argv[1], flush_interval=0.05, finish_timeout=0.5)
    run.log({"x": 0.0})
    import time
    deadline = time.time() + 30
    while len(tl.open(sys.argv[1]).run(run.id).scalars("x")) < 1 and time.time() < deadline:
        time.sleep(0.02)
    print("ready", flush=True)
    sys.stdin.readline()  # the parent locks the store, then lets us go on
    for i in range(1, 300):
        run.log({"x": float(i)})
    # no finish(): the exit hook must finish within its bound
""")


def test_the_exit_hook_is_bounded_on_a_locked_store(store_dir):
    proc = subprocess.Popen([sys.executable, "-c", _EXITING, str(store_dir)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    blocker = _lock(store_dir)
    try:
        began = time.monotonic()
        proc.stdin.write("go\n")
        proc.stdin.flush()
        _, err = proc.communicate(timeout=30)
        elapsed = time.monotonic() - began
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert proc.returncode == 0, err
    assert elapsed < 0.5 + 0.05 + GRACE + 1.0, elapsed  # + the interpreter's own exit
    assert "recovery file" in err
    r = tl.open(store_dir).run("exiting")
    assert r.scalars("x")["value"].tolist() == [float(i) for i in range(300)]
    assert r.status is tl.RunStatus.FINISHED


def test_a_writer_stuck_outside_sqlite_does_not_hold_finish_and_loses_nothing(store_dir):
    """The writer thread hangs inside a write (a hung network disk): finish() returns in its
    bound, saving what the thread had not taken; what it had taken is written when it returns."""
    import threading

    run = tl.init("p", dir=store_dir, flush_interval=0.02, finish_timeout=0.2)
    original = run._store.append
    inside, gate = threading.Event(), threading.Event()

    def hung(*args, **kwargs):
        inside.set()
        gate.wait()
        return original(*args, **kwargs)

    run._store.append = hung
    for i in range(100):
        run.log({"x": float(i)})
    assert inside.wait(30)  # the writer holds the first 100 points and hangs
    for i in range(100, 200):
        run.log({"x": float(i)})
    began = time.monotonic()
    with pytest.warns(UserWarning, match="stuck"):
        run.finish()
    assert time.monotonic() - began < 0.2 + 0.02 + GRACE
    gate.set()
    run._writer._thread.join(30)
    assert not run._writer.alive
    r = tl.open(store_dir).run(run.id)
    assert r.scalars("x")["value"].tolist() == [float(i) for i in range(200)]
    assert r.status is tl.RunStatus.FINISHED
