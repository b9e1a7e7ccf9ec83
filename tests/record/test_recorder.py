"""The Recorder protocol: Run satisfies it, and the recording code uses nothing else of a run."""

import ast
from pathlib import Path

import numpy as np
import torch
from torch import nn

import torchloupe as tl
from torchloupe.panels.model_summary.record import log_model
from torchloupe.record.recorder import Recorder
from torchloupe.record.watch import unwatch, watch

SRC = Path(tl.__file__).parent


def test_run_is_a_recorder(store_dir):
    with tl.init("p", dir=store_dir) as run:
        assert isinstance(run, Recorder)
        assert run.next_step == 0
        run.log({"x": 1.0}, step=7)
        assert (run.step, run.next_step) == (7, 8)


def test_observers_see_every_point_until_unobserved(store_dir):
    seen = []

    def observer(key, steps, values):
        seen.append((key, steps.tolist(), values.tolist()))

    with tl.init("p", dir=store_dir, flush_interval=0.01) as run:
        run.observe(observer)
        run.log({"x": 1.0})
        run.log({"x": 2.0})
        run.finish()
        run.unobserve(observer)
        run.unobserve(observer)  # not observing any more: nothing happens
    assert seen == [("x", [0, 1], [1.0, 2.0])]


def _private_reads(tree: ast.AST) -> list[str]:
    """``run._x``, ``self.run._x``, ``self._run._x`` and ``run.__dict__`` in one module."""
    bad = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
            continue
        owner = node.value
        name = owner.id if isinstance(owner, ast.Name) else \
            owner.attr if isinstance(owner, ast.Attribute) else None
        if name in ("run", "_run"):
            bad.append(f"line {node.lineno}: {name}.{node.attr}")
    return bad


def test_no_module_reads_a_private_of_run():
    """Only run.py itself touches Run's private state; the rest talks to the protocol."""
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "run.py":
            continue
        tree = ast.parse(path.read_text())
        bad += [f"{path.relative_to(SRC)}: {b}" for b in _private_reads(tree)]
    # show/terminal.py's ``run`` is a RunReader, not a Run: what it reads is the reader's store.
    bad = [b for b in bad if not b.startswith("show/terminal.py") or "run._store" not in b]
    assert not bad, "\n".join(bad)


def test_the_private_read_check_sees_one():
    assert _private_reads(ast.parse("run._writer.observers.append(f)")) == ["line 1: run._writer"]
    assert _private_reads(ast.parse("x = self.run._next_step")) == ["line 1: run._next_step"]
    assert _private_reads(ast.parse("run.__dict__.get('w')")) == ["line 1: run.__dict__"]


class FakeRecorder:
    """The smallest Recorder: keeps what it is given in lists."""

    def __init__(self):
        self.id, self.watchers = "fake", {}
        self.step = self.next_step = 0
        self.records, self.events, self.observers = [], [], []

    def record(self, kind, tag, arrays, step=None, meta=None, encode=None):
        self.records.append((kind, tag, dict(arrays), step, dict(meta or {}), encode))

    def event(self, kind, message, severity="warning", step=None, location=None, data=None):
        self.events.append((kind, message, severity, step))

    def observe(self, observer):
        self.observers.append(observer)

    def unobserve(self, observer):
        if observer in self.observers:
            self.observers.remove(observer)


def test_recording_code_runs_against_any_recorder():
    fake = FakeRecorder()
    assert isinstance(fake, Recorder)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    log_model(fake, model, torch.zeros(2, 4), name="mlp")
    assert [(k, t) for k, t, *_ in fake.records] == [("model_summary", "mlp"), ("model_graph", "mlp")]
    fake.records.clear()
    watcher = watch(fake, model, every=1, activations=False)
    assert fake.watchers == {"Sequential": watcher} and len(fake.observers) == 1
    model(torch.ones(2, 4)).sum().backward()
    model(torch.ones(2, 4))  # the next forward pass queues the sample of the one before
    assert [r[0] for r in fake.records] == ["watch"]
    fake.observers[0]("train/loss", np.array([0]), np.array([1.0]))  # fed like the writer would
    unwatch(fake)
    assert fake.watchers == {}
