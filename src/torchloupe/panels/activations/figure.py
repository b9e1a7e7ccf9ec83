"""Activation statistics as a Matplotlib figure: one statistic as a layer × step heatmap."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...store import Backend
from .query import activations


def figure(store: Backend, run: str, stat: str = "mean", model: str | None = None) -> Any:
    """Heatmap of ``stat`` (mean, std, min, max, zeros, dead, nonfinite) per layer and step.

    Example:
        >>> tl.plot.activations("./loupe", run_id, "dead").savefig("dead.png")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    d = activations(store, run, model)
    if stat not in d["stats"]:
        raise ValueError(f"stat must be one of {d['columns']}, got {stat!r}")
    z = np.array([[np.nan if v is None else v for v in row] for row in d["stats"][stat]], float)
    fig, ax = plt.subplots(figsize=(8, max(3, 0.22 * len(d["layers"]) + 1.5)), dpi=110,
                           layout="constrained")
    if z.size:
        im = ax.imshow(z, aspect="auto", cmap="magma" if stat in ("zeros", "dead") else "viridis",
                       interpolation="nearest")
        fig.colorbar(im, ax=ax, shrink=0.8, label=stat)
        ticks = np.unique(np.linspace(0, len(d["steps"]) - 1, min(8, len(d["steps"]))).astype(int))
        ax.set_xticks(ticks)
        ax.set_xticklabels([str(d["steps"][i]) for i in ticks])
    ax.set_yticks(range(len(d["layers"])))
    ax.set_yticklabels([f"{n} ({t})" for n, t in zip(d["layers"], d["types"], strict=False)], fontsize=7)
    ax.set_xlabel("step")
    ax.set_title(f"{d['model']} · activation {stat}")
    return fig
