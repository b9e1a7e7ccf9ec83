"""The scalars panel: query and Matplotlib figure from the same data."""

import numpy as np
import pytest

import torchloupe as tl
from torchloupe.analyze.smoothing import ema, ema_buckets
from torchloupe.panels.registry import PANELS, panel
from torchloupe.panels.scalars.figure import figure
from torchloupe.store.sqlite import SqliteStore


def test_registry_order_and_lookup():
    names = [p.name for p in PANELS]
    assert names[0] == "runs" and "scalars" in names
    assert panel("scalars").figure is figure
    with pytest.raises(KeyError, match="no panel 'nope'"):
        panel("nope")


def test_ema_is_debiased_like_tensorboard():
    v = np.array([1.0, 2.0, np.nan, 4.0])
    out = ema(v, 0.6)
    assert out[0] == 1.0
    assert out[1] == pytest.approx((0.4 * 0.6 * 1 + 0.4 * 2) / (1 - 0.36))
    assert np.isnan(out[2])  # NaN is skipped (a gap, as on the page)
    assert ema(v, 0.0)[3] == 4.0


def test_bucket_ema_equals_point_ema_for_single_point_buckets():
    v = np.random.default_rng(0).normal(size=50)
    assert np.allclose(ema_buckets(v, np.ones(50), 0.9), ema(v, 0.9))


def test_figure_draws_every_run_with_raw_and_smoothed_lines(store_dir, tmp_path):
    for name in ("a", "b"):
        with tl.init("p", name=name, dir=store_dir) as run:
            for i in range(2000):
                run.log({"train/loss": np.exp(-i / 500) + 0.05 * np.sin(i)}, step=i)
            run.log({"train/loss": float("nan")}, step=2000)
    fig = figure(SqliteStore(store_dir), "train/loss", smoothing=0.9)
    ax = fig.axes[0]
    assert ax.get_title() == "train/loss" and ax.get_xlabel() == "step"
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["a", "b"]
    assert len([line for line in ax.lines if line.get_alpha() == 0.25]) == 2  # the raw series, faint
    for ext in ("png", "svg", "pdf"):
        fig.savefig(tmp_path / f"loss.{ext}")
        assert (tmp_path / f"loss.{ext}").stat().st_size > 1000
    from matplotlib.image import imread

    img = imread(tmp_path / "loss.png")
    assert img.std() > 0.05  # something was drawn, not a blank canvas
