"""The store contract: what every backend must do, run against every backend.

A new backend adds one entry to ``BACKENDS`` (a function that opens an empty store of that kind
under a folder) and passes this file. The series tests also check that every backend gives the
same block records, so a chart is drawn the same from any of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from torchloupe.analyze.blocks import downsample
from torchloupe.errors import NotFoundError, StoreError
from torchloupe.store import Backend, EventRecord, Points, memory_backend, open_backend
from torchloupe.store.base import DEAD_AFTER, STALE_AFTER
from torchloupe.store.chunks import SEAL
from torchloupe.store.recovery import Spill
from torchloupe.types import RunRecord, RunStatus

BACKENDS = {
    "sqlite": lambda folder: open_backend(folder / "loupe"),
    "memory": lambda folder: memory_backend(folder / "loupe"),
}
"""name -> opens an empty store of that backend under a folder."""

HOST = __import__("socket").gethostname()


@pytest.fixture(params=sorted(BACKENDS))
def store(request, tmp_path) -> Backend:
    backend = BACKENDS[request.param](tmp_path)
    yield backend
    backend.close()


def _run(store: Backend, rid: str = "r1", *, name: str | None = None, project: str = "p",
         started: float | None = None, status: RunStatus = RunStatus.RUNNING,
         heartbeat: float | None = None, host: str = HOST, pid: int | None = None) -> RunRecord:
    now = time.time()
    record = RunRecord(rid, project, name or rid, status, now if started is None else started, None,
                       now if heartbeat is None else heartbeat, {"lr": 0.1}, {}, host,
                       os.getpid() if pid is None else pid)
    store.create_run(record)
    return record


def _points(steps, values, t0: float = 1_700_000_000.0) -> Points:
    steps = np.asarray(steps, np.int64)
    return Points(steps, np.asarray(values, np.float64), t0 + np.arange(len(steps)) * 0.5)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# -- the interface -------------------------------------------------------------------------------
def test_is_a_backend(store):
    assert isinstance(store, Backend)
    assert isinstance(store.dir, Path) and store.durable in (True, False)


# -- runs ------------------------------------------------------------------------------------------
def test_runs_lifecycle(store):
    assert store.runs() == []
    _run(store, "a", name="first", started=100.0, status=RunStatus.FINISHED)
    _run(store, "b", name="second", project="q", started=300.0, status=RunStatus.FINISHED)
    _run(store, "c", name="first", started=200.0, status=RunStatus.FINISHED)
    assert [r.id for r in store.runs()] == ["b", "c", "a"]  # newest first
    assert [r.id for r in store.runs("p")] == ["c", "a"]
    assert store.run("a").name == "first" and store.run("first").id == "c"  # newest of that name
    with pytest.raises(StoreError):
        _run(store, "a")
    store.update_run("a", status=RunStatus.CRASHED, ended=150.0, config={"lr": 1, "p": Path("/x")},
                     summary={"best": float("nan")})
    a = store.run("a")
    assert a.status is RunStatus.CRASHED and a.ended == 150.0
    assert a.config == {"lr": 1, "p": repr(Path("/x"))}  # what JSON cannot hold comes back as repr
    assert np.isnan(a.summary["best"])
    store.update_run("a", status="finished")
    assert store.run("a").status is RunStatus.FINISHED
    with pytest.raises(ValueError, match="unknown run column 'version'"):
        store.update_run("a", version=3)
    again = store.reopen_run("first", "elsewhere", 4242)
    assert (again.id, again.status, again.ended, again.host, again.pid) == (
        "c", RunStatus.RUNNING, None, "elsewhere", 4242)
    assert again.heartbeat is not None and abs(again.heartbeat - time.time()) < 60


def test_unknown_runs_and_series_raise_not_found(store):
    with pytest.raises(NotFoundError):
        store.run("nope")
    with pytest.raises(NotFoundError):
        store.reopen_run("nope", HOST, 1)
    _run(store)
    with pytest.raises(NotFoundError):
        store.read("r1", "nope")
    with pytest.raises(NotFoundError):
        store.read_blocks("r1", "nope", "step", 100)
    with pytest.raises(NotFoundError):
        store.read("nope", "x")
    assert store.series("nope") == [] and store.events("nope") == []
    assert store.artifacts("nope") == []


def test_a_running_run_whose_process_is_gone_is_reported_crashed(store):
    now = time.time()
    _run(store, "alive", heartbeat=now)  # this process: alive
    _run(store, "dead", heartbeat=now - 5, pid=_dead_pid())  # its process is gone
    _run(store, "far", heartbeat=now - STALE_AFTER - 5, host="another-host", pid=1)
    _run(store, "near", heartbeat=now - 5, host="another-host", pid=1)  # may still beat
    _run(store, "silent", heartbeat=now - DEAD_AFTER - 5)  # even this process: silent too long
    _run(store, "future", heartbeat=now + 3600, pid=_dead_pid())  # clock went back, process gone
    _run(store, "done", heartbeat=now - DEAD_AFTER - 5, status=RunStatus.FINISHED)
    status = {r.id: r.status for r in store.runs()}
    assert status == {"alive": RunStatus.RUNNING, "dead": RunStatus.CRASHED,
                      "far": RunStatus.CRASHED, "near": RunStatus.RUNNING,
                      "silent": RunStatus.CRASHED, "future": RunStatus.CRASHED,
                      "done": RunStatus.FINISHED}
    assert store.run("dead").status is RunStatus.CRASHED
    store.update_run("alive", status="from-a-newer-version")
    assert store.run("alive").status is RunStatus.CRASHED  # a status this version cannot read


# -- series ----------------------------------------------------------------------------------------
def test_append_and_read_keep_every_point_in_logging_order(store):
    _run(store)
    store.append("r1", {"x": _points([5, 3, 3, 9], [1.0, float("nan"), float("inf"), -2.0])},
                 {"heartbeat": 123.0})
    store.append("r1", {"x": _points([1], [float("-inf")], t0=1_800_000_000.0),
                        "y": _points([0, 1], [0.5, 0.25]), "empty": _points([], [])})
    p = store.read("r1", "x")
    assert isinstance(p, Points)
    assert p.steps.tolist() == [5, 3, 3, 9, 1] and p.steps.dtype == np.int64
    assert np.array_equal(p.values, [1.0, np.nan, np.inf, -2.0, -np.inf], equal_nan=True)
    assert p.walls.dtype == np.float64 and p.walls[-1] == 1_800_000_000.0
    info = {s.key: s for s in store.series("r1")}
    assert list(info) == ["x", "y"]  # sorted; a series with no points is not created
    x = info["x"]
    assert (x.points, x.last_step, x.last_value, x.last_wall, x.monotonic) == (
        5, 1, None, 1_800_000_000.0, False)
    assert (info["y"].last_value, info["y"].monotonic) == (0.25, True)
    assert store.run("r1").heartbeat == 123.0
    assert store.series_totals() == {"r1": (2, 7)}
    assert store.series_points() == {("r1", "x"): 5, ("r1", "y"): 2}


def test_append_is_all_or_nothing(store):
    _run(store)
    with pytest.raises(ValueError, match="unknown run column"):
        store.append("r1", {"x": _points([1], [1.0])}, {"nope": 1})
    with pytest.raises(ValueError):
        store.append("r1", {"x": _points([1], [1.0]),
                            "y": Points(np.arange(3), np.zeros(2), np.zeros(3))})
    assert store.series("r1") == []
    store.append("r1", {"x": ([1, 2], [0.5, 0.25], [10.0, 11.0])})  # any three sequences
    assert store.read("r1", "x").values.tolist() == [0.5, 0.25]


def test_keys_by_run(store):
    for rid in ("a", "b", "c"):
        _run(store, rid)
    store.append("b", {"loss": _points([0], [1.0]), "acc": _points([0], [0.5])})
    store.append("a", {"loss": _points([0], [1.0])})
    store.append("c", {"zeta": _points([0], [1.0])})
    assert store.keys_by_run() == {"acc": ["b"], "loss": ["b", "a"], "zeta": ["c"]}
    assert store.keys_by_run(["a", "c"]) == {"loss": ["a"], "zeta": ["c"]}
    assert store.keys_by_run([]) == {}


def test_compact_keeps_the_points(store):
    _run(store)
    for lo in range(0, 3000, 10):
        store.append("r1", {"x": _points(np.arange(lo, lo + 10), np.arange(lo, lo + 10))})
    store.compact("r1")
    assert np.array_equal(store.read("r1", "x").steps, np.arange(3000))
    blocks = store.read_blocks("r1", "x", "step", 10)
    assert blocks["n"].sum() == 3000 and len(blocks) < 3000  # the merged chunk's summaries


@st.composite
def _appends(draw):
    """A series logged in batches: sizes, rewinds of the step, clock jumps, spikes, NaN, ±Inf."""
    sizes = draw(st.lists(st.one_of(st.integers(1, 40), st.integers(1, 3000),
                                    st.sampled_from([2048, SEAL + 7])), min_size=1, max_size=14))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rewind = draw(st.booleans())
    clock_back = draw(st.booleans())
    nonfinite = draw(st.sampled_from([0.0, 0.001, 0.2]))
    compact_after = draw(st.integers(0, len(sizes)))
    batches, step, wall = [], 0, 1_700_000_000.0
    for i, n in enumerate(sizes):
        if rewind and i and rng.random() < 0.3:
            step = max(0, step - int(rng.integers(1, 500)))
        if clock_back and i and rng.random() < 0.3:
            wall -= float(rng.uniform(1, 100))
        steps = step + np.arange(n, dtype=np.int64)
        walls = wall + np.cumsum(rng.uniform(0.001, 0.1, n))
        values = rng.normal(size=n) * 10 ** rng.uniform(-3, 3)
        values[rng.random(n) < 0.001] *= 1e6  # spikes
        bad = rng.random(n) < nonfinite
        values[bad] = rng.choice([np.nan, np.inf, -np.inf], int(bad.sum()))
        batches.append(Points(steps, values, walls))
        step, wall = int(steps[-1]) + 1, float(walls[-1])
    return batches, compact_after


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=_appends(), width=st.sampled_from([1, 7, 300, 1000]),
       cut=st.tuples(st.floats(0, 1), st.floats(0, 1)))
def test_every_backend_reads_the_same_blocks_and_keeps_every_extreme(data, width, cut):
    batches, compact_after = data
    with tempfile.TemporaryDirectory() as folder:
        stores = {name: make(Path(folder) / name) for name, make in BACKENDS.items()}
        for s in stores.values():
            _run(s)
            for i, batch in enumerate(batches):
                if i == compact_after:
                    s.compact("r1")
                s.append("r1", {"x": batch})
        steps = np.concatenate([b.steps for b in batches])
        values = np.concatenate([b.values for b in batches])
        walls = np.concatenate([b.walls for b in batches])
        for name, s in stores.items():
            got = s.read("r1", "x")
            assert np.array_equal(got.steps, steps), name
            assert np.array_equal(got.values, values, equal_nan=True), name
            assert np.array_equal(got.walls, walls), name
        infos = {name: s.series("r1") for name, s in stores.items()}
        assert len({repr(i) for i in infos.values()}) == 1, infos
        for axis, x in (("step", steps), ("wall", walls)):
            a, b = sorted(float(x.min() + c * (x.max() - x.min())) for c in cut)
            for lo, hi in ((None, None), (a, b)):
                blocks = {name: s.read_blocks("r1", "x", axis, width, lo, hi)
                          for name, s in stores.items()}
                raw = {name: bl.tobytes() for name, bl in blocks.items()}
                assert len(set(raw.values())) == 1, (axis, lo, hi, width)
                bl = next(iter(blocks.values()))
                inside = np.ones(len(x), bool) if lo is None else (x >= lo) & (x <= hi)
                assert bl["n"].sum() == inside.sum()
                assert np.all(np.diff(bl["s0" if axis == "step" else "w0"]) >= 0)  # x order
                d = downsample(bl, width, axis, lo, hi)
                finite = inside & np.isfinite(values)
                assert d.bucket_count.sum() == finite.sum()
                if finite.any():  # every extreme is drawn, where it happened
                    assert d.y.max() == values[finite].max() and d.y.min() == values[finite].min()
                    assert x[finite][np.argmax(values[finite])] in d.x[d.y == d.y.max()]
        for s in stores.values():
            s.close()


# -- artifacts, blobs, events ----------------------------------------------------------------------
def test_artifacts_round_trip(store):
    _run(store)
    h1 = store.put_artifact("r1", "histogram", "fc.weight", 10, {"counts": np.arange(3)},
                            {"bins": 3, "where": Path("/x")})
    h0 = store.put_artifact("r1", "histogram", "fc.weight", None, {"counts": np.zeros(2)})
    img = store.put_artifact("r1", "image", "sample/0", 3, data=b"\x89PNG", ext="png")
    js = store.put_artifact("r1", "summary", "model", 3, data=b'{"params": 7}', ext="json")
    assert h1.meta == {"bins": 3, "where": repr(Path("/x"))}
    assert img.path.endswith(".png") and not img.path.startswith("/")
    assert [r.id for r in store.artifacts("r1", "histogram")] == [h0.id, h1.id]  # None first
    assert [r.id for r in store.artifacts("r1")] == [h0.id, img.id, js.id, h1.id]
    assert store.artifacts("r1", "histogram", step=10) == [h1]
    assert store.artifacts("r1", "histogram", tag="other") == []
    assert store.load_arrays(h1)["counts"].tolist() == [0, 1, 2]
    assert store.load_bytes(img) == b"\x89PNG" and store.load_json(js) == {"params": 7}
    _run(store, "r2")
    store.put_artifact("r2", "histogram", "b", 1, {"c": np.ones(1)})
    store.put_artifact("r2", "histogram", "fc.weight", 1, {"c": np.ones(1)})
    assert store.artifact_tags("histogram") == {"b": ["r2"], "fc.weight": ["r1", "r2"]}
    assert store.artifact_tags("histogram", ["r2"]) == {"b": ["r2"], "fc.weight": ["r2"]}
    with pytest.raises(ValueError):
        store.put_artifact("r1", "x", "y", 0)
    with pytest.raises(ValueError):
        store.put_artifact("r1", "x", "y", 0, {"a": np.ones(1)}, data=b"x")


def test_damaged_or_missing_artifacts_raise_errors_naming_the_file(store):
    _run(store)
    bad = store.put_artifact("r1", "histogram", "t", 1, data=b"not a zip", ext="npz")
    with pytest.raises(StoreError, match=Path(bad.path).name):
        store.load_arrays(bad)
    text = store.put_artifact("r1", "summary", "t", 1, data=b"{broken", ext="json")
    with pytest.raises(StoreError, match=Path(text.path).name):
        store.load_json(text)
    gone = type(bad)(bad.id + 100, "r1", "histogram", "t", 1, 0.0, "histogram/t/1-0.npz")
    with pytest.raises(NotFoundError):
        store.load_bytes(gone)
    with pytest.raises(NotFoundError):
        store.load_arrays(gone)


def test_blobs_are_read_by_path_and_never_outside_the_run(store):
    _run(store)
    _run(store, "r2")
    rec = store.put_artifact("r1", "image", "a", 1, data=b"pixels", ext="png")
    assert store.open_blob("r1", rec.path) == b"pixels"
    assert store.open_blob("r1", rec.path.replace("/", "/./", 1)) == b"pixels"
    with pytest.raises(NotFoundError):
        store.open_blob("r2", rec.path)  # another run's file
    for path in ("", "nope.png", "image", "../r1/" + rec.path, "/etc/passwd", "a/../../x",
                 "..", "\\etc\\passwd", "a\x00b"):
        with pytest.raises(NotFoundError):
            store.open_blob("r1", path)


def test_events_round_trip(store):
    _run(store)
    store.add_events("r1", [EventRecord("nan_loss", 3, "error", "loss is NaN", "fc2",
                                        {"value": float("nan"), "p": Path("/x")}),
                            EventRecord("note", None, "info", "hello", wall=42.0)])
    store.add_events("r1", [EventRecord("late", 9, "warning", "w")])
    with pytest.raises(ValueError, match="severity"):
        store.add_events("r1", [EventRecord("x", 1, "fatal", "m")])
    events = store.events("r1")
    assert [(e.kind, e.step, e.severity, e.message, e.location, e.run_id) for e in events] == [
        ("nan_loss", 3, "error", "loss is NaN", "fc2", "r1"), ("note", None, "info", "hello", None, "r1"),
        ("late", 9, "warning", "w", None, "r1")]
    assert np.isnan(events[0].data["value"]) and events[0].data["p"] == repr(Path("/x"))
    assert events[1].wall == 42.0 and abs(events[0].wall - time.time()) < 60


# -- recovery ------------------------------------------------------------------------------------------
def test_a_spill_is_loaded_exactly_once(store):
    spill = Spill(run={"id": "lost", "project": "p", "name": "lost-run", "started": 10.0,
                       "host": HOST, "pid": 1, "config": {"lr": 0.5}},
                  points={"x": _points([0, 1, 2], [1.0, float("nan"), 3.0])},
                  events=[{"kind": "nan_loss", "step": 1, "severity": "error", "message": "m",
                           "location": None, "data": {}, "wall": 11.0}],
                  artifacts=[({"kind": "image", "tag": "a", "step": 2, "meta": {"w": 1},
                               "ext": "png"}, b"PNG")],
                  fields={"status": "finished", "ended": 20.0, "summary": {"best": 1.0}})
    assert store.load_spill("spill-1", spill) is True
    assert store.load_spill("spill-1", spill) is False
    run = store.run("lost")
    assert (run.status, run.ended, run.config, run.summary, run.name) == (
        RunStatus.FINISHED, 20.0, {"lr": 0.5}, {"best": 1.0}, "lost-run")
    assert store.read("lost", "x").steps.tolist() == [0, 1, 2]
    assert [e.kind for e in store.events("lost")] == ["nan_loss"]
    (art,) = store.artifacts("lost", "image")
    assert store.load_bytes(art) == b"PNG" and art.meta == {"w": 1} and art.step == 2
    # Another spill of the same run grows it; one without final columns leaves it crashed.
    more = Spill(run={"id": "lost"}, points={"x": _points([3], [4.0])})
    assert store.load_spill("spill-2", more) is True
    assert store.read("lost", "x").steps.tolist() == [0, 1, 2, 3]
    crashed = Spill(run={"id": "other", "started": 5.0}, points={"y": _points([0], [1.0])})
    store.load_spill("spill-3", crashed)
    assert store.run("other").status is RunStatus.CRASHED


# -- change detection and threads ------------------------------------------------------------------
def test_data_version_changes_when_another_thread_writes(store):
    _run(store)
    before = store.data_version()
    writer = threading.Thread(target=lambda: store.append("r1", {"x": _points([0], [1.0])}))
    writer.start()
    writer.join()
    assert store.data_version() != before


def test_lock_timeout_interrupt_and_close_leave_the_store_usable(store):
    _run(store)
    store.set_lock_timeout(0.5)
    store.interrupt()  # nothing running: no effect on later calls
    store.append("r1", {"x": _points([0], [1.0])})
    store.close()
    assert store.read("r1", "x").values.tolist() == [1.0]
    assert json.loads(json.dumps([r.id for r in store.runs()])) == ["r1"]
