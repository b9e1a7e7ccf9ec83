"""Gradient flow as a Matplotlib figure: mean and max |gradient| per layer on a log axis."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...store import Backend
from .query import gradient_flow


def figure(store: Backend, run: str, model: str | None = None, step: int | None = None) -> Any:
    """Bars of max |g| (light) and mean |g| (dark) per layer at a watched ``step`` (default: the
    last), vanishing/exploding zones shaded.

    Example:
        >>> tl.plot.gradient_flow("./loupe", run_id).savefig("gradflow.svg")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    d = gradient_flow(store, run, model, step)
    n = len(d["layers"])
    fig, ax = plt.subplots(figsize=(max(6, 0.28 * n + 2), 4.2), dpi=110, layout="constrained")
    x = np.arange(n)
    mx = np.array([v if v is not None else np.nan for v in d["max_abs"]], float)
    mean = np.array([v if v is not None else np.nan for v in d["mean_abs"]], float)
    ax.bar(x, mx, color="#9ecae1", label="max |g|", width=0.8)
    ax.bar(x, mean, color="#2171b5", label="mean |g|", width=0.5)
    ax.set_yscale("log")
    lo, hi = d["zones"]["vanishing"], d["zones"]["exploding"]
    ymin = min(np.nanmin(mean[mean > 0]) / 10 if np.any(mean > 0) else lo / 10, lo / 10)
    ymax = max(np.nanmax(mx) * 10 if np.any(np.isfinite(mx)) else hi * 10, hi * 10)
    ax.axhspan(ymin, lo, color="#fdae6b", alpha=0.25, label="vanishing")
    ax.axhspan(hi, ymax, color="#de2d26", alpha=0.15, label="exploding")
    ax.set_ylim(ymin, ymax)
    ax.set_xticks(x)
    ax.set_xticklabels(d["layers"], rotation=70, ha="right", fontsize=7)
    ax.set_ylabel("|gradient|")
    ax.set_title(f"{d['model']} · gradient flow at step {d['step']}")
    ax.legend(frameon=False, fontsize="small", ncol=4, loc="upper right")
    ax.grid(axis="y", alpha=0.3)
    return fig
