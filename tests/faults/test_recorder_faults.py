"""Bad input and racing calls on the recording side: each rejected alone, nothing else lost.

Faults: values that cannot be stored (an int beyond float64, a step beyond int64), a tensor that
cannot be read on the writer thread, ``log`` racing ``finish`` on another thread, a bad status
to ``finish``, ``max_queue=0``, a damaged store and one of a newer schema.
"""

from __future__ import annotations

import sqlite3
import threading
import warnings
from collections import deque

import numpy as np
import pytest
import torch

import torchloupe as tl


def test_a_bad_value_is_refused_on_the_callers_thread_and_costs_nothing_else(store_dir):
    run = tl.init("p", dir=store_dir, flush_interval=10)  # everything is in one flush
    for i in range(219):
        run.log({"loss": float(i)})
    with pytest.raises(tl.LoupeValueError, match=r"'big' at step 219"):
        run.log({"loss": 1.0, "big": 10**400})
    with pytest.raises(tl.LoupeValueError, match="out of range"):
        run.log({"loss": 1.0}, step=1e20)
    with pytest.raises(tl.LoupeValueError, match="out of range"):
        run.log({"loss": 1.0}, step=2**70)
    run.log({"loss": 219.0})  # the rejected calls did not advance the step
    run.finish()
    df = tl.open(store_dir).run(run.id).scalars("loss")
    assert df["step"].tolist() == list(range(220))
    assert df["value"].tolist() == [float(i) for i in range(220)]
    assert "big" not in tl.open(store_dir).run(run.id).keys()


class _Unreadable(torch.Tensor):
    """A one-element tensor whose data cannot be copied to the host (like a lost device)."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") in {"cpu", "stack", "to", "item", "tolist"}:
            raise RuntimeError("device lost")
        return super().__torch_function__(func, types, args, kwargs or {})


def test_a_tensor_that_cannot_be_read_is_dropped_alone_with_a_warning(store_dir):
    run = tl.init("p", dir=store_dir, flush_interval=10)
    bad = torch.tensor(3.0).as_subclass(_Unreadable)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(100):
            run.log({"loss": torch.tensor(float(i)), "acc": float(i)})
        run.log({"loss": torch.tensor(100.0), "odd": bad, "acc": 100.0}, step=100)
        for i in range(101, 120):
            run.log({"loss": torch.tensor(float(i)), "acc": float(i)})
        run.finish()
    dropped = [str(w.message) for w in caught if "dropped" in str(w.message)]
    assert len(dropped) == 1 and "'odd' at step 100" in dropped[0]
    r = tl.open(store_dir).run(run.id)
    assert r.scalars("loss")["value"].tolist() == [float(i) for i in range(120)]
    assert r.scalars("acc")["value"].tolist() == [float(i) for i in range(120)]
    assert "odd" not in r.keys()


class _RacingQueue(deque):
    """Runs ``finish`` on another thread between ``log``'s check and its append: the worst
    interleaving of the two, made certain."""

    run = None

    def append(self, item):
        run, self.run = self.run, None
        if run is not None:
            t = threading.Thread(target=run.finish)
            t.start()
            t.join()
        super().append(item)


def test_log_racing_finish_on_another_thread_keeps_the_point(store_dir):
    run = tl.init("p", dir=store_dir, flush_interval=0.05)
    run.log({"x": 0.0})
    racing = _RacingQueue(run._writer._queue)
    run._writer._queue = racing
    racing.run = run
    run.log({"x": 1.0})  # accepted: it began before finish
    with pytest.raises(tl.RunFinishedError):
        run.log({"x": 2.0})
    r = tl.open(store_dir).run(run.id)
    assert r.scalars("x")["value"].tolist() == [0.0, 1.0]
    assert r.status is tl.RunStatus.FINISHED


def test_a_bad_status_raises_before_anything_closes(store_dir):
    run = tl.init("p", dir=store_dir)
    run.log({"x": 1.0})
    with pytest.raises(tl.LoupeValueError, match="'done'"):
        run.finish("done")
    assert not run.finished
    run.log({"x": 2.0})
    run.finish("crashed")
    r = tl.open(store_dir).run(run.id)
    assert r.status is tl.RunStatus.CRASHED and len(r.scalars("x")) == 2


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_max_queue_must_be_positive(store_dir, bad):
    with pytest.raises(tl.LoupeValueError, match="max_queue"):
        tl.init("p", dir=store_dir, max_queue=bad)


def test_max_queue_one_still_records_everything(store_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with tl.init("p", dir=store_dir, max_queue=1, flush_interval=0.01) as run:
            for i in range(300):
                run.log({"x": float(i)})
    assert len(tl.open(store_dir).run(run.id).scalars("x")) == 300


def test_a_damaged_store_raises_instead_of_recording_in_memory(store_dir):
    store_dir.mkdir()
    (store_dir / "loupe.db").write_bytes(b"this is not a database" * 200)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no silent fallback
        with pytest.raises(tl.StoreError, match="damaged"):
            tl.init("p", dir=store_dir)


def test_a_newer_store_raises_instead_of_recording_in_memory(store_dir):
    tl.init("p", dir=store_dir).finish()
    conn = sqlite3.connect(store_dir / "loupe.db")
    conn.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(tl.StoreError, match="schema version 999"):
            tl.init("p", dir=store_dir)


def test_config_and_summary_survive_a_failed_flush(store_dir):
    run = tl.init("p", dir=store_dir, flush_interval=0.02)
    original = run._store.append
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= 3:
            raise sqlite3.OperationalError("disk I/O error")
        return original(*args, **kwargs)

    run._store.append = flaky
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run.summary["best"] = 0.5
        run.log({"x": 1.0})
        run.finish()
    r = tl.open(store_dir).run(run.id)
    assert r.summary["best"] == 0.5 and np.array_equal(r.scalars("x")["value"], [1.0])
