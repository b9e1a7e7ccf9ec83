"""Fault: the wall clock jumps back by an hour in the middle of a run (an NTP correction, a virtual
machine restored from a snapshot). ``time.time`` (the writer's heartbeat, the store's crash
detection, artifact times) and the recorder's ``_now`` (point wall times) are moved together, as a
system clock change moves every process on the machine.

Asserted: every point logged before and after the jump is kept, in logging order; the live run is
reported ``running`` throughout and ``finished`` at the end; an idle writer's next heartbeat comes
within seconds on the new clock (not an hour later, when the clock has caught up); the wall-time axis the dashboard reads
(``read_blocks(..., axis="wall")``, then ``downsample``, and the scalars API with ``x=wall``)
returns every point, in wall order, also for a wall range holding only the points after the jump;
the step axis is unaffected. A run whose process is gone while its last heartbeat lies in the
future (written before the jump) is reported ``crashed``, and a live one ``running``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import numpy as np
import pytest

import torchloupe as tl
import torchloupe.run
from torchloupe.analyze.blocks import downsample
from torchloupe.store.sqlite import SqliteStore
from torchloupe.types import RunRecord, RunStatus

HOUR = 3600.0
HALF = 5000


class Clock:
    """``time.time`` minus an offset that the test moves."""

    def __init__(self) -> None:
        self.real = time.time
        self.offset = 0.0

    def __call__(self) -> float:
        return self.real() - self.offset


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(time, "time", c)
    monkeypatch.setattr(torchloupe.run, "_now", c)
    return c


def _values(steps):
    return np.log1p(steps) * np.sin(steps / 50.0)


def test_backward_jump_keeps_points_status_and_the_wall_axis(store_dir, clock, flushed,
                                                             wait_for, dashboard):
    run = tl.init("faults", dir=store_dir, flush_interval=3600)
    store = tl.open(store_dir)
    for s in range(HALF):
        run.log({"loss": float(_values(s))}, step=s)
    run.record("histogram", "fc", {"counts": np.ones(3)}, step=HALF - 1)
    flushed(run, HALF)
    before_jump = clock()
    clock.offset = HOUR
    assert store.run(run.id).status is RunStatus.RUNNING

    def beat_caught_up():  # an idle writer still beats, on the new clock, within a second or so
        run._writer.kick()
        return store.run(run.id).heartbeat <= clock()

    wait_for(beat_caught_up, "a heartbeat on the new clock", timeout=10)
    assert store.run(run.id).status is RunStatus.RUNNING
    for s in range(HALF, 2 * HALF):
        run.log({"loss": float(_values(s))}, step=s)
    run.record("histogram", "fc", {"counts": np.full(3, 2.0)}, step=2 * HALF - 1)
    flushed(run, 2 * HALF)
    assert store.run(run.id).status is RunStatus.RUNNING

    r = store.run(run.id)
    steps, values, walls = r.arrays("loss")
    assert np.array_equal(steps, np.arange(2 * HALF))
    assert np.array_equal(values, _values(steps))
    assert walls[HALF:].max() < before_jump - HOUR / 2 < walls[:HALF].min()  # the clock went back
    backend = store.backend
    after = (float(walls[HALF:].min()), float(walls[HALF:].max()))
    for axis, lo, hi, n in (("step", None, None, 2 * HALF), ("wall", None, None, 2 * HALF),
                            ("wall", *after, HALF), ("step", HALF, 2 * HALF - 1, HALF)):
        for width in (100, 800):
            blocks = backend.read_blocks(run.id, "loss", axis, width, lo, hi)
            assert int(blocks["n"].sum()) == n, (axis, lo, width)
            x = blocks["s0"] if axis == "step" else blocks["w0"]
            assert np.all(np.diff(x) >= 0), (axis, lo, width)
            d = downsample(blocks, width, axis, lo, hi)
            assert d.points == n and int(d.bucket_count.sum()) == n
    chart = dashboard(store_dir).get("/api/v1/scalars/series",
                                                  params={"tag": "loss", "x": "wall"})
    assert chart.status_code == 200 and chart.json()["series"][0]["n"] == 2 * HALF
    assert [h.step for h in r.artifacts("histogram")] == [HALF - 1, 2 * HALF - 1]

    run.finish()
    done = store.run(run.id)
    assert done.status is RunStatus.FINISHED and len(done.scalars("loss")) == 2 * HALF


def test_crash_detection_with_a_heartbeat_from_before_the_jump(store_dir, clock):
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    try:
        store = SqliteStore(store_dir)
        now = time.time()
        store.create_run(RunRecord("r1", "p", "elsewhere", RunStatus.RUNNING, now - 60, None, now,
                                   host=socket.gethostname(), pid=child.pid))
        clock.offset = HOUR
        assert store.run("r1").status is RunStatus.RUNNING  # alive: its heartbeat is "ahead"
    finally:
        child.stdin.close()
        child.wait(timeout=30)
    assert store.run("r1").status is RunStatus.CRASHED  # gone, not "running" for another hour
