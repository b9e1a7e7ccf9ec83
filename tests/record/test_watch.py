"""run.watch on models that really have each problem: the right diagnostic fires, and none on a
healthy model. Small models, a few dozen CPU steps each."""

from __future__ import annotations

import json
import math
import time
import warnings

import numpy as np
import pytest
import torch
from torch import nn

import torchloupe as tl
from torchloupe.record.watch import DiagnosticWarning, histogram


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: extra threads only contend with the other tests
    yield
    torch.set_num_threads(threads)


def _data(n=64, d=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    y = (x[:, :2].sum(1) > 0).long()
    return x, y


def _train(store_dir, model, lr, steps=40, every=5, optim=torch.optim.SGD, loss_fn=None, log_val=None,
           **watch_options):
    torch.manual_seed(0)
    x, y = _data(d=model[0].in_features if isinstance(model, nn.Sequential) else 8)
    opt = optim(model.parameters(), lr=lr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with tl.init("t", dir=store_dir, flush_interval=0.05) as run:
            run.watch(model, every=every, **watch_options)
            for step in range(steps):
                loss = (loss_fn or nn.functional.cross_entropy)(model(x), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
                run.log({"train/loss": loss.detach()}, step=step)
                if log_val is not None:
                    log_val(run, step)
            run_id = run.id
    events = tl.open(store_dir).backend.events(run_id)
    kinds = {e.kind for e in events}
    assert set(tl.open(store_dir).run(run_id).events()["kind"]) == kinds
    diag = [w for w in caught if issubclass(w.category, DiagnosticWarning)]
    return kinds, events, diag


def _mlp(depth=2, width=16, d=8):
    layers: list[nn.Module] = [nn.Linear(d, width), nn.ReLU()]
    for _ in range(depth - 1):
        layers += [nn.Linear(width, width), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(width, 2))


def test_healthy_model_fires_nothing(store_dir):
    kinds, _, diag = _train(store_dir, _mlp(), lr=0.1, steps=40)
    run = tl.open(store_dir).runs()[0]
    assert kinds == set()
    assert diag == []
    recs = run.artifacts("watch")
    assert [r.step for r in recs] == [0, 5, 10, 15, 20, 25, 30, 35]
    a = run.load(recs[1])
    n = len(recs[1].meta["params"])
    assert a["w_hist"].shape == (n, 32) and a["g_stats"].shape == (n, 5)
    assert a["a_stats"].shape == (len(recs[1].meta["layers"]), 7)
    assert np.all(np.isfinite(a["update"])) and np.all(a["update"] > 0)
    assert a["w_hist"][0].sum() == 16 * 8  # every weight counted once


def test_huge_learning_rate_explodes(store_dir):
    kinds, _, diag = _train(store_dir, _mlp(), lr=1e6, steps=20, every=2)
    assert {"exploding_gradients"} <= kinds or {"nan_loss", "nonfinite_weights"} & kinds
    assert kinds & {"nan_loss", "nonfinite_weights", "nonfinite_gradients", "exploding_gradients"}
    assert diag, "a console warning when a diagnostic first fires"


def test_negative_bias_relu_is_dead(store_dir):
    model = _mlp()
    with torch.no_grad():
        model[2].bias.fill_(-100.0)
    kinds, run, _ = _train(store_dir, model, lr=0.01, steps=10)
    assert "dead_relu" in kinds
    ev = next(e for e in run if e.kind == "dead_relu")
    assert ev.location == "Sequential.3"


def test_tiny_init_deep_net_vanishes(store_dir):
    model = nn.Sequential(*[m for _ in range(8) for m in (nn.Linear(16, 16), nn.Tanh())][:-1])
    model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), *model, nn.Linear(16, 2))
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.01)
    kinds, run, _ = _train(store_dir, model, lr=0.01, steps=10)
    assert "vanishing_gradients" in kinds
    ev = next(e for e in run if e.kind == "vanishing_gradients")
    assert ev.location.startswith("Sequential.0.") or ev.location.startswith("Sequential.2.")


def test_tiny_learning_rate_barely_updates(store_dir):
    kinds, _, _ = _train(store_dir, _mlp(), lr=1e-9, steps=12)
    assert "update_ratio_low" in kinds
    assert "update_ratio_high" not in kinds


def test_constant_loss_plateaus(store_dir):
    model = _mlp()
    kinds, _, _ = _train(store_dir, model, lr=0.0, steps=130, every=40,
                         loss_fn=lambda out, y: out.sum() * 0 + 1.0)
    assert "loss_plateau" in kinds


def test_train_validation_divergence(store_dir):
    def log_val(run, step):
        if step % 10 == 9:
            run.log({"val/loss": 1.0 if step < 40 else 1.0 + (step - 30) / 20}, step=step)
    kinds, run, _ = _train(store_dir, _mlp(), lr=0.1, steps=90, every=10, log_val=log_val)
    assert "overfitting" in kinds
    ev = next(e for e in run if e.kind == "overfitting")
    assert ev.data["onset_step"] <= 39


def test_thresholds_are_configurable(store_dir):
    from torchloupe.analyze.diagnostics import Thresholds

    model = _mlp()
    with torch.no_grad():
        model[2].bias.fill_(-100.0)
    kinds, _, _ = _train(store_dir, model, lr=0.01, steps=6,
                         thresholds=Thresholds(dead_fraction=1.01))
    assert "dead_relu" not in kinds


def test_several_models_and_unwatch(store_dir):
    a, b = _mlp(), _mlp()
    x, y = _data()
    with tl.init("t", dir=store_dir) as run:
        run.watch(a, every=2)
        run.watch(b, every=3, name="critic")
        with pytest.raises(tl.LoupeValueError, match="already watched"):
            run.watch(a)
        for step in range(6):
            for m in (a, b):
                nn.functional.cross_entropy(m(x), y).backward()
            run.log({"x": step}, step=step)
        run.unwatch(a)
        assert len(a._forward_pre_hooks) == 0 and len(a._forward_hooks) == 0
        rid = run.id
    r = tl.open(store_dir).run(rid)
    tags = {rec.tag for rec in r.artifacts("watch")}
    assert tags == {"Sequential", "critic"}
    assert len(b._forward_pre_hooks) == 0  # finish() removed them


def test_bad_arguments(store_dir):
    with tl.init("t", dir=store_dir) as run:
        with pytest.raises(tl.LoupeValueError, match="every"):
            run.watch(_mlp(), every=0)
        with pytest.raises(tl.LoupeValueError, match="nn.Module"):
            run.watch("not a model")


def test_histogram_is_sync_free_and_right():
    x = torch.tensor([0.0, 1.0, 2.0, 3.0, float("nan"), float("inf")])
    counts, rng = histogram(x, 3)
    assert counts.tolist() == [1.0, 1.0, 2.0] and rng.tolist() == [0.0, 3.0]
    counts, _ = histogram(torch.arange(10_000.0), 10, max_sample=1000)
    assert counts.sum() == 1000


def _compiled_step(store_dir, backend):
    model = _mlp()
    compiled = torch.compile(model, backend=backend)
    x, y = _data()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with tl.init("t", dir=store_dir) as run:
        run.watch(compiled, every=2)
        for step in range(5):
            loss = nn.functional.cross_entropy(compiled(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            run.log({"train/loss": loss.detach()}, step=step)
        rid = run.id
    r = tl.open(store_dir).run(rid)
    recs = r.artifacts("watch")
    assert [rec.step for rec in recs] == [0, 2, 4]
    a = r.load(recs[1])
    assert np.all(np.isfinite(a["g_stats"])) and np.all(a["update"] > 0)
    assert recs[0].meta["params"][0] == "0.weight"


def test_compiled_model(store_dir):
    torch._dynamo.reset()
    _compiled_step(store_dir, "aot_eager")


@pytest.mark.slow
def test_compiled_model_inductor(store_dir):
    torch._dynamo.reset()
    _compiled_step(store_dir, "inductor")


def _loss_rules_run(store_dir, batching, read_guard=None):
    """A deterministic training whose logged losses trip every loss rule (and a dead ReLU), its
    points written all at the end, every few milliseconds or call by call; its events."""
    torch.manual_seed(0)
    model = _mlp()
    with torch.no_grad():
        model[2].bias.fill_(-100.0)
    x, y = _data()
    # "at the end": nothing asks the writer to write before the run finishes; "call by call":
    # each call is written before the next one is logged (the timer finds nothing left)
    flush_interval = {"at the end": 1e3, "often": 1e-3, "call by call": 0.05}[batching]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with tl.init("t", dir=store_dir, flush_interval=flush_interval) as run:
            run.watch(model, every=7)
            writer, logged = run._writer, 0
            for step in range(400):
                nn.functional.cross_entropy(model(x), y).backward()
                train = 2.0 * math.exp(-step / 30) + 0.5 + 0.002 * math.sin(step)
                run.log({"lr": 0.1, "train/loss": math.nan if step == 380 else train}, step=step)
                logged += 2
                if step % 10 == 9:  # bottoms out at step 99, over 10 % above it from step 119 on
                    run.log({"val/loss": torch.tensor(1.0 + abs(step - 99) / 150)}, step=step)
                    logged += 1
                if batching == "call by call":
                    writer.kick()
                    while writer.points_written < logged:
                        time.sleep(0.0005)
            rid = run.id
    failed = [w for w in caught if "failed" in str(w.message)]
    assert failed == [], failed[0].message
    events = tl.open(store_dir).backend.events(rid)
    return [(e.kind, e.step, e.location, json.dumps(e.data, sort_keys=True))
            for e in sorted(events, key=lambda e: (e.step, e.kind))]


def test_loss_rules_give_the_same_events_however_the_points_are_written(tmp_path):
    runs = {b: _loss_rules_run(tmp_path / b.replace(" ", "_"), b)
            for b in ("at the end", "often", "call by call")}
    events = runs["at the end"]
    assert runs["often"] == events and runs["call by call"] == events
    by_kind = {kind: (step, json.loads(data)) for kind, step, _, data in events}
    assert {"nan_loss", "loss_plateau", "overfitting", "dead_relu"} <= set(by_kind)
    assert by_kind["nan_loss"][0] == 380
    assert by_kind["overfitting"][0] == 139 and by_kind["overfitting"][1]["onset_step"] == 99
    step, data = by_kind["loss_plateau"]
    assert step == data["step"] and data["from_step"] == step - 99 and step < 380
    assert all(loc == "Sequential" for kind, _, loc, _ in events if kind != "dead_relu")


def test_loss_rules_never_read_the_store(store_dir, monkeypatch):
    from torchloupe.store.sqlite import SqliteStore

    reads = []

    def forbidden(self, *args, **kwargs):
        reads.append(args)
        raise AssertionError("the diagnostics read the store")

    monkeypatch.setattr(SqliteStore, "read", forbidden)
    monkeypatch.setattr(SqliteStore, "keys_by_run", forbidden)
    kinds, _, _ = _train(store_dir, _mlp(), lr=0.0, steps=130, every=5,
                         loss_fn=lambda out, y: out.sum() * 0 + 1.0)
    assert reads == []
    assert "loss_plateau" in kinds


@pytest.mark.filterwarnings("ignore::torchloupe.record.watch.DiagnosticWarning")
def test_loss_key_is_the_first_logged_match_and_unwatch_stops_the_rules(store_dir):
    model = _mlp()
    x, y = _data()
    with tl.init("t", dir=store_dir, flush_interval=1e3) as run:
        run.log({"loss": math.nan}, step=0)  # before run.watch: not seen
        watcher = run.watch(model, every=1000)
        for step in range(1, 6):
            nn.functional.cross_entropy(model(x), y).backward()
            # "loss" comes first in the call, then train/loss holds a NaN: ignored
            run.log({"loss": 1.0 / step, "train/loss": math.nan, "train/acc": 0.5}, step=step)
        run.log({"loss": math.inf}, step=6)
        run.unwatch(model)
        run.log({"loss": math.nan}, step=7)  # after run.unwatch: not seen
        assert watcher._observer in run._writer.observers  # still waits for steps 1..6
        rid, writer = run.id, run._writer
    loss_rules = {"nan_loss", "loss_plateau", "overfitting"}
    kinds = [(e.kind, e.step) for e in tl.open(store_dir).backend.events(rid) if e.kind in loss_rules]
    assert kinds == [("nan_loss", 6)]
    assert watcher._roles == {"loss": "train", "train/loss": "", "train/acc": ""}
    assert watcher._observer not in writer.observers  # gone after the point at step 7
