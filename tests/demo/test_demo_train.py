"""run_demo end to end on a small subset: what lands in the store, the summary, the table."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
import torch
from rich.console import Console

import torchloupe as tl
from torchloupe.demo.train import print_summary, run_demo, warmup_cosine
from torchloupe.errors import LoupeValueError
from torchloupe.types import RunStatus

STEP_KEYS = {"train/loss", "train/acc", "train/lr"}
EPOCH_KEYS = {"train/epoch_loss", "train/epoch_acc", "test/loss", "test/acc", "epoch"}


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, mnist_root: Path
) -> tuple[tl.Run, Path, list[tl.Run]]:
    store = tmp_path_factory.mktemp("loupe")
    started: list[tl.Run] = []
    rng_before = torch.get_rng_state()
    run = run_demo(
        epochs=2,
        dir=store,
        data_root=mnist_root,
        progress=False,
        on_run_started=started.append,
        limit_train=300,  # 3 steps per epoch at batch size 128
        limit_test=100,
    )
    assert torch.equal(torch.get_rng_state(), rng_before)  # the caller's RNG is left alone
    return run, store, started


def test_store_has_every_series_with_points_at_the_right_steps(
    demo: tuple[tl.Run, Path, list[tl.Run]],
) -> None:
    run, store, _ = demo
    reader = tl.open(store).run(run.id)
    assert set(reader.keys()) == STEP_KEYS | EPOCH_KEYS
    loss = reader.scalars("train/loss")
    assert isinstance(loss, pd.DataFrame)
    assert list(loss.columns) == ["step", "value", "wall_time"]
    assert loss["step"].tolist() == list(range(6))
    assert loss["value"].between(0, 10).all()
    assert reader.scalars("train/acc")["value"].between(0, 1).all()
    assert reader.scalars("test/acc")["step"].tolist() == [2, 5]
    assert reader.scalars("epoch")["value"].tolist() == [1.0, 2.0]
    assert reader.scalars("train/lr")["value"].max() == pytest.approx(run.config["max_lr"])


def test_summary_config_and_status(demo: tuple[tl.Run, Path, list[tl.Run]]) -> None:
    run, store, started = demo
    assert started == [run] and run.finished
    assert run.dir == Path(store) or str(run.dir) == str(store)
    reader = tl.open(store).run(run.id)
    assert reader.status == RunStatus.FINISHED and reader.project == "mnist-demo"
    summary = reader.summary
    assert set(summary) >= {"best_test_acc", "final_test_acc", "train_seconds", "params"}
    assert 0 <= summary["final_test_acc"] <= summary["best_test_acc"] <= 1
    assert summary["params"] == reader.config["params"] > 0
    assert reader.config["train_size"] == 300 and reader.config["test_size"] == 100
    assert reader.config["epochs"] == 2
    last_acc = reader.scalars("test/acc")["value"].iloc[-1]
    assert summary["final_test_acc"] == pytest.approx(last_acc)


def test_print_summary_shows_the_run_and_where_it_is(
    demo: tuple[tl.Run, Path, list[tl.Run]],
) -> None:
    run, store, _ = demo
    console = Console(record=True, width=200)
    print_summary(run, console)
    text = console.export_text()
    for expected in (
        run.name,
        run.id,
        "test accuracy",
        "training time",
        f"torchloupe ui {run.dir}",
    ):
        assert expected in text


def test_same_seed_same_numbers(
    tmp_path: Path, mnist_root: Path, demo: tuple[tl.Run, Path, list[tl.Run]]
) -> None:
    first, store, _ = demo
    kwargs = {"epochs": 2, "data_root": mnist_root, "progress": False, "limit_test": 100}
    again = run_demo(dir=tmp_path, limit_train=300, **kwargs)
    other = run_demo(dir=tmp_path, limit_train=300, seed=1, **kwargs)
    series = [
        tl.open(d).run(r.id).scalars("train/loss")["value"].tolist()
        for d, r in ((store, first), (tmp_path, again), (tmp_path, other))
    ]
    assert series[0] == pytest.approx(series[1], rel=1e-4)
    assert series[0] != pytest.approx(series[2], rel=1e-4)


def test_bad_arguments_are_refused(tmp_path: Path, mnist_root: Path) -> None:
    with pytest.raises(LoupeValueError, match="epochs"):
        run_demo(epochs=0, dir=tmp_path, data_root=mnist_root, progress=False)
    with pytest.raises(LoupeValueError, match="limit_train"):
        run_demo(epochs=1, dir=tmp_path, data_root=mnist_root, progress=False, limit_train=0)


def test_warmup_cosine_rises_then_falls() -> None:
    f = warmup_cosine(100, 0.2)
    factors = [f(s) for s in range(100)]
    assert factors[0] == pytest.approx(0.05) and factors[19] == 1.0
    assert all(a <= b for a, b in pairwise(factors[:20]))
    assert all(a >= b for a, b in pairwise(factors[19:]))
    assert factors[-1] == pytest.approx(0.01)
    assert warmup_cosine(1, 0.2)(0) == 1.0
