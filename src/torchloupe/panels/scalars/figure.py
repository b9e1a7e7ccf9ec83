"""The scalars panel as a Matplotlib figure: one tag, one line per run, smoothed over the raw."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from ...analyze.smoothing import ema_buckets
from ...store import Backend
from .query import series

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]


def figure(store: Backend, tag: str, runs: Sequence[str] | None = None,
           x: Literal["step", "wall"] = "step", smoothing: float = 0.6, width: int = 1600,
           log_y: bool = False, ax: Any = None) -> Any:
    """One scalar ``tag`` of several runs (default: every run that has it): the M4-downsampled
    raw series faint, its smoothed mean bold.

    Args:
        tag: the series key, e.g. ``"train/loss"``.
        runs: run ids.
        x: ``"step"`` or ``"wall"`` (wall-clock time).
        smoothing: the exponential moving average's weight, 0 to 0.999.
        width: points per series after downsampling.
        log_y: a log-scaled y axis.
        ax: draw into this Matplotlib axes instead of a new figure.

    Returns:
        The matplotlib Figure.

    Example:
        >>> fig = tl.plot.scalars("./loupe", "train/loss", smoothing=0.9)   # doctest: +SKIP
        >>> fig.savefig("loss.svg")                                         # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    data = series(store, tag, runs, x=x, width=width)
    names = {r.id: r.name for r in store.runs()}
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4), dpi=120, layout="constrained")
    else:
        fig = ax.figure
    for i, s in enumerate(d for d in data["series"] if "x" in d):
        color = PALETTE[i % len(PALETTE)]
        xs, ys = np.asarray(s["x"], float), np.asarray(s["y"], float)
        bx = np.asarray(s["buckets"]["x"], float)
        mean = np.asarray(s["buckets"]["mean"], float)
        ax.plot(xs, ys, color=color, alpha=0.25 if smoothing > 0 else 1.0, lw=0.8)
        if smoothing > 0:
            ax.plot(bx, ema_buckets(mean, np.asarray(s["buckets"]["count"]), smoothing), color=color, lw=1.6, label=names.get(s["run"], s["run"]))
        else:
            ax.lines[-1].set_label(names.get(s["run"], s["run"]))
        for nf in s["nonfinite"]:
            ax.axvline(nf["x"], color="#d62728", ls=":", lw=0.8)
    ax.set_title(tag)
    ax.set_xlabel("step" if x == "step" else "wall time (s)")
    if log_y:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False, fontsize="small")
    return fig
