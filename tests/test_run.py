"""The recorder: tl.init, run.log, config/summary, life cycle, bad input."""

import math
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest
import torch

import torchloupe as tl
from torchloupe.errors import LoupeKeyError, LoupeValueError, RunFinishedError


def test_log_and_read_back(store_dir):
    before = time.time()
    with tl.init("mnist", name="first", config={"lr": 0.1, "layers": [1, 2]}, dir=store_dir) as run:
        for i in range(5):
            run.log({"train/loss": 1.0 / (i + 1), "train/acc": i / 10})
        run.summary["best"] = 0.4
    store = tl.open(store_dir)
    (r,) = store.runs()
    assert (r.name, r.project, r.status) == ("first", "mnist", tl.RunStatus.FINISHED)
    assert r.config == {"lr": 0.1, "layers": [1, 2]} and r.summary == {"best": 0.4}
    assert r.keys() == ["train/acc", "train/loss"]
    df = r.scalars("train/loss")
    assert list(df.columns) == ["step", "value", "wall_time"]
    assert df["step"].tolist() == [0, 1, 2, 3, 4]
    assert np.allclose(df["value"], [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5])
    assert (df["wall_time"] >= before).all() and r.ended >= r.started


def test_auto_step_continues_after_explicit_step(store_dir):
    with tl.init("p", dir=store_dir) as run:
        run.log({"a": 1}, step=10)
        run.log({"a": 2})
        run.log({"a": 3}, step=np.int64(3))
        run.log({"a": 4})
    assert tl.open(store_dir).runs()[0].scalars("a")["step"].tolist() == [10, 11, 3, 4]


def test_value_types(store_dir):
    with tl.init("p", dir=store_dir) as run:
        run.log({"int": 3, "bool": True, "np32": np.float32(0.5), "np_i": np.int16(7),
                 "t0": torch.tensor(2.5), "t1": torch.tensor([1.5]), "half": torch.tensor(0.25).half(),
                 "grad": (torch.ones((), requires_grad=True) * 3), "arr": np.array(9.0)})
    r = tl.open(store_dir).runs()[0]
    got = {k: r.scalars(k)["value"].iloc[0] for k in r.keys()}
    assert got == {"int": 3, "bool": 1, "np32": 0.5, "np_i": 7, "t0": 2.5, "t1": 1.5,
                   "half": 0.25, "grad": 3.0, "arr": 9.0}


def test_non_finite_values_are_kept(store_dir):
    with tl.init("p", dir=store_dir) as run:
        run.log({"x": float("nan")})
        run.log({"x": torch.tensor(float("inf"))})
        run.log({"x": -math.inf})
    values = tl.open(store_dir).runs()[0].scalars("x")["value"].tolist()
    assert math.isnan(values[0]) and values[1:] == [math.inf, -math.inf]


def test_out_of_order_repeated_and_rewound_steps_are_all_kept(store_dir):
    steps = [0, 1, 2, 2, 5, 3, 1, 6]
    with tl.init("p", dir=store_dir) as run:
        for i, s in enumerate(steps):
            run.log({"x": float(i)}, step=s)
    df = tl.open(store_dir).runs()[0].scalars("x")
    assert df["step"].tolist() == steps and df["value"].tolist() == list(range(len(steps)))


@pytest.mark.parametrize("bad, match", [
    ({"": 1.0}, "bad series key"),
    ({"a//b": 1.0}, "bad series key"),
    ({"x" * 300: 1.0}, "bad series key"),
    ({3: 1.0}, "keys must be str"),
])
def test_bad_keys_raise(store_dir, bad, match):
    with tl.init("p", dir=store_dir) as run:
        with pytest.raises(LoupeKeyError, match=match):
            run.log(bad)


@pytest.mark.parametrize("bad, match", [
    ({"a": "0.5"}, "string '0.5'; expected a number"),
    ({"a": None}, "NoneType; expected a number"),
    ({"a": torch.ones(3)}, r"shape \(3,\)"),
    ({"a": [1.0]}, "list; expected a number"),
])
def test_bad_values_raise_and_record_nothing(store_dir, bad, match):
    with tl.init("p", dir=store_dir) as run:
        with pytest.raises(LoupeValueError, match=match):
            run.log({"ok": 1.0, **bad})
    assert tl.open(store_dir).runs()[0].keys() == []


def test_bad_step_and_bad_dict(store_dir):
    with tl.init("p", dir=store_dir) as run:
        with pytest.raises(LoupeValueError, match="step must be an integer"):
            run.log({"a": 1.0}, step="3")
        with pytest.raises(LoupeValueError, match="dict of key -> number"):
            run.log([("a", 1.0)])


def test_log_after_finish_raises(store_dir):
    run = tl.init("p", dir=store_dir)
    run.finish()
    run.finish()  # idempotent
    with pytest.raises(RunFinishedError, match="has finished"):
        run.log({"a": 1.0})


def test_exception_in_with_block_marks_crashed(store_dir):
    with pytest.raises(ZeroDivisionError):
        with tl.init("p", dir=store_dir) as run:
            run.log({"a": 1.0})
            raise ZeroDivisionError("a failing training step")
    (r,) = tl.open(store_dir).runs()
    assert r.status is tl.RunStatus.CRASHED and r.scalars("a")["value"].tolist() == [1.0]


def test_finish_at_interpreter_exit(store_dir):
    code = (f"import torchloupe as tl; run = tl.init('p', dir={str(store_dir)!r});"
            "run.log({'a': 1.0}); run.summary['s'] = 2")
    subprocess.run([sys.executable, "-c", code], check=True)
    (r,) = tl.open(store_dir).runs()
    assert r.status is tl.RunStatus.FINISHED and r.summary == {"s": 2}
    assert r.scalars("a")["value"].tolist() == [1.0]


def test_uncaught_exception_at_exit_marks_crashed(store_dir):
    code = (f"import torchloupe as tl; run = tl.init('p', dir={str(store_dir)!r});"
            "run.log({'a': 1.0}); raise SystemError('boom')")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode != 0
    assert tl.open(store_dir).runs()[0].status is tl.RunStatus.CRASHED


def test_config_and_summary_are_readable_while_running(store_dir):
    run = tl.init("p", config={"a": 1}, dir=store_dir, flush_interval=0.05)
    run.config["b"] = torch.tensor(2)
    run.summary.update(best=np.float64(0.5))
    deadline = time.time() + 30
    while time.time() < deadline:
        r = tl.open(store_dir).runs()[0]
        if r.summary:
            break
        time.sleep(0.05)
    assert r.status is tl.RunStatus.RUNNING
    assert r.config == {"a": 1, "b": 2} and r.summary == {"best": 0.5}
    run.finish()


def test_resume_continues_a_run(store_dir):
    run = tl.init("p", name="r", config={"lr": 1}, dir=store_dir)
    for s in range(3):
        run.log({"x": float(s)})
    run.finish()
    again = tl.init("p", dir=store_dir, resume="r", config={"epochs": 2})
    assert again.id == run.id and again.config == {"lr": 1, "epochs": 2}
    again.log({"x": 3.0})          # continues at step 3
    again.log({"x": 1.5}, step=1)  # a rewind: kept, not dropped
    assert tl.open(store_dir).run(run.id).status is tl.RunStatus.RUNNING
    again.finish()
    df = tl.open(store_dir).run(run.id).scalars("x")
    assert df["step"].tolist() == [0, 1, 2, 3, 1]
    with pytest.raises(tl.NotFoundError, match="cannot resume"):
        tl.init("p", dir=store_dir, resume="nope")


def test_threads_log_concurrently(store_dir):
    run = tl.init("p", dir=store_dir)

    def work(t):
        for i in range(2000):
            run.log({f"t{t}": float(i), "shared": float(t)}, step=i)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.finish()
    r = tl.open(store_dir).runs()[0]
    for t in range(4):
        assert r.scalars(f"t{t}")["value"].tolist() == [float(i) for i in range(2000)]
    assert len(r.scalars("shared")) == 8000


def test_full_queue_blocks_and_drops_nothing(store_dir, monkeypatch):
    run = tl.init("p", dir=store_dir, max_queue=50, flush_interval=0.01)
    slow_append = run._store.append

    def append(*args, **kwargs):
        time.sleep(0.02)
        return slow_append(*args, **kwargs)

    monkeypatch.setattr(run._store, "append", append)
    with pytest.warns(UserWarning, match="Nothing was dropped"):
        for i in range(3000):
            run.log({"x": float(i)})
    run.finish()
    assert tl.open(store_dir).runs()[0].scalars("x")["value"].tolist() == [float(i) for i in range(3000)]


def test_unwritable_directory_warns_and_the_run_is_kept_in_a_recovery_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.warns(UserWarning) as caught:
        run = tl.init("p", dir=blocker / "loupe")
        for i in range(100):
            run.log({"x": float(i)})
        run.event("nan_loss", "loss is NaN", severity="error", step=3)
        run.finish()
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2 and "Recording in memory only" in messages[0]
    assert "100 points" in messages[1] and "torchloupe recover" in messages[1]
    (spill,) = (tmp_path / "cache" / "torchloupe" / "recovery").glob("*.spill")
    # Once the folder can be written, the run goes where it belonged.
    blocker.unlink()
    from torchloupe.cli import main

    assert main(["recover", str(spill), "--dir", str(blocker / "loupe")]) == 0
    r = tl.open(blocker / "loupe").run(run.id)
    assert r.scalars("x")["value"].tolist() == [float(i) for i in range(100)]
    assert r.status is tl.RunStatus.FINISHED and r.events()["kind"].tolist() == ["nan_loss"]


def test_full_disk_warns_once_keeps_points_and_recovers(store_dir):
    """SQLite's max_page_count makes the writer's connection see a really full database."""
    run = tl.init("p", dir=store_dir, flush_interval=0.02)
    run.log({"x": 0.0})
    _wait_for(lambda: tl.open(store_dir).run(run.id).series_info(), "the first point is stored")
    limit = {"pages": run._store.conn.execute("PRAGMA page_count").fetchone()[0]}
    original = run._store.append

    def append(run_id, points, fields=None):
        run._store.conn.execute(f"PRAGMA max_page_count={limit['pages']}")  # writer's connection
        return original(run_id, points, fields)

    run._store.append = append
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(1, 20000):
            run.log({"x": float(i), "y": float(i)})

        def full():
            return [w for w in caught if "cannot write to the store" in str(w.message)]

        _wait_for(full, "the writer meets the full disk")
        assert len(full()) == 1 and "full" in str(full()[0].message)
        limit["pages"] = 1 << 30
        run.finish()
    assert any("writable again" in str(w.message) for w in caught)
    r = tl.open(store_dir).runs()[0]
    assert r.scalars("x")["value"].tolist() == [float(i) for i in range(20000)]
    assert r.status is tl.RunStatus.FINISHED


def _wait_for(condition, what, timeout=60.0):
    """Poll ``condition`` until it is true (state, not time); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting until {what}")
