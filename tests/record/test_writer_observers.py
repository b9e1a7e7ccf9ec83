"""Writer observers: every point once, in logging order per key, keys in the order they were first
logged, whatever the writes; a failing observer is warned about and changes nothing else."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
import torch

from torchloupe.record.writer import LoggingWarning, Writer
from torchloupe.store.sqlite import SqliteStore
from torchloupe.types import RunRecord, RunStatus

CALLS = [  # (step, values): tensors, plain numbers, keys that come and go
    (0, {"grad": torch.tensor(3.0), "train/loss": 2.0}),  # a tensor: written after plain calls'
    (0, {"lr": 0.1}),                                      # groups, yet logged first
    (1, {"lr": 0.1, "train/loss": torch.tensor(1.5)}),
    (1, {"val/loss": 1.7}),
    (2, {"train/loss": 1.2, "lr": 0.05}),
    (3, {"grad": torch.tensor(2.0), "train/loss": 1.1}),
    (3, {"val/loss": torch.tensor(1.6)}),
    (4, {"lr": 0.05, "train/loss": 1.0}),
]


def _writer(tmp_path, flush_interval):
    store = SqliteStore(tmp_path / "loupe")
    store.create_run(RunRecord("r", "p", "n", RunStatus.RUNNING, time.time(), None, None))
    return store, Writer(store, "r", flush_interval=flush_interval)


def _log(writer, calls, every_call):
    for step, values in calls:
        writer.put(step, time.time(), dict(values), any(isinstance(v, torch.Tensor) for v in values.values()))
        if every_call:
            written = writer.points_written + len(values)
            writer.kick()
            while writer.points_written < written:  # wait for this call's write
                time.sleep(0.0005)
    writer.close()


@pytest.mark.parametrize("every_call", [False, True])
def test_observers_see_every_point_once_in_order(tmp_path, every_call):
    store, writer = _writer(tmp_path, flush_interval=1e3)  # else: everything in one write
    seen: list[tuple[str, list[int], list[float]]] = []
    writer.observers.append(lambda key, steps, values: seen.append((key, steps.tolist(), values.tolist())))
    _log(writer, CALLS, every_call)
    first: list[str] = []
    for key, _, _ in seen:
        if key not in first:
            first.append(key)
    assert first == ["grad", "train/loss", "lr", "val/loss"]  # order of first logging
    for key in first:
        steps = [s for k, ss, _ in seen if k == key for s in ss]
        values = [v for k, _, vs in seen if k == key for v in vs]
        logged = [(s, float(v[key])) for s, v in CALLS if key in v]
        assert list(zip(steps, values, strict=True)) == logged
        assert store.read("r", key).values.tolist() == [v for _, v in logged]
    if not every_call:
        assert len(seen) == 4  # one write: one call per key


def test_a_failing_observer_is_warned_and_harmless(tmp_path):
    store, writer = _writer(tmp_path, flush_interval=1e3)
    got: list[str] = []

    def broken(key, steps, values):
        raise RuntimeError("boom")

    writer.observers += [broken, lambda key, steps, values: got.append(key)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _log(writer, CALLS[:3], every_call=False)
    messages = [str(w.message) for w in caught if issubclass(w.category, LoggingWarning)]
    assert any("'train/loss'" in m and "boom" in m for m in messages)
    assert got == ["grad", "train/loss", "lr"]
    assert writer.error is None
    assert np.array_equal(store.read("r", "train/loss").values, [2.0, 1.5])
    assert store.read("r", "lr").values.tolist() == [0.1, 0.1]
