"""Histograms over time as a Matplotlib figure: ridgelines (left) and percentile bands (right)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ...store import Backend
from .query import histograms


def figure(store: Backend, run: str, layer: str | None = None, model: str | None = None,
           which: Literal["weights", "gradients"] = "weights", max_ridges: int = 24) -> Any:
    """One layer's weight or gradient distribution over the watched steps: ridgelines and
    percentile bands (``layer`` default: the first; ``which``: weights or gradients).

    Example:
        >>> tl.plot.histograms("./loupe", run_id, "fc.weight", which="gradients").savefig("g.png")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    d = histograms(store, run, model, which, layer)
    fig, (ax_r, ax_b) = plt.subplots(1, 2, figsize=(10, 4.2), dpi=110, layout="constrained")
    fig.suptitle(f"{d['model']} · {d['layer']} · {which}")
    if not d["steps"]:
        for ax in (ax_r, ax_b):
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        return fig
    steps = np.asarray(d["steps"], float)
    dens = np.asarray(d["density"], dtype=float)
    centers = np.linspace(d["lo"], d["hi"], dens.shape[1] + 1)
    centers = (centers[:-1] + centers[1:]) / 2
    pick = np.unique(np.linspace(0, len(steps) - 1, min(max_ridges, len(steps))).round().astype(int))
    scale = 2.2 / max(np.nanmax(dens[pick]), 1e-12)
    cmap = plt.get_cmap("viridis")
    for k, i in enumerate(pick[::-1]):
        base = len(pick) - 1 - k
        y = base + np.nan_to_num(dens[i]) * scale
        color = cmap(i / max(len(steps) - 1, 1))
        ax_r.fill_between(centers, base, y, color=color, alpha=0.6, lw=0, zorder=k)
        ax_r.plot(centers, y, color="k", lw=0.5, zorder=k)
    ax_r.set_yticks(range(len(pick))[:: max(1, len(pick) // 6)])
    ax_r.set_yticklabels([str(int(steps[i])) for i in pick][:: max(1, len(pick) // 6)])
    ax_r.set_ylabel("step")
    ax_r.set_xlabel(which[:-1] + " value")
    ax_r.set_title("ridgelines", fontsize="medium")
    bands = np.asarray(d["bands"], dtype=float)
    for lo, hi, alpha in ((0, 8, 0.15), (1, 7, 0.25), (2, 6, 0.35), (3, 5, 0.45)):
        ax_b.fill_between(steps, bands[:, lo], bands[:, hi], color="#1f77b4", alpha=alpha, lw=0)
    ax_b.plot(steps, bands[:, 4], color="#1f77b4", lw=1.4, label="median")
    ax_b.set_xlabel("step")
    ax_b.set_title("percentiles (0–100, 7–93, 16–84, 31–69)", fontsize="medium")
    ax_b.grid(alpha=0.3)
    return fig
