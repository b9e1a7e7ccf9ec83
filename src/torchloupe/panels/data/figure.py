"""The data panel as a Matplotlib figure: class balance per split, samples per class, mean images
and intensity histograms of one run."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...store import Backend
from .query import overview

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def figure(store: Backend, run: str, split: str | None = None, samples: int = 8) -> Any:
    """A run's logged datasets: class balance per split, samples and mean image per class, value
    histograms.

    Top: share of each class per split. Middle: ``samples`` thumbnails and the mean image of each
    class of ``split`` (default: the first logged). Bottom: the value histogram per channel.

    Example:
        >>> tl.plot.dataset("./loupe", run.id, split="train").savefig("data.png")   # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    view = overview(store, run, images=False)
    splits = view["splits"]
    chosen = next((s for s in splits if s["split"] == split), splits[0])
    a = chosen["arrays"]
    names = chosen["class_names"] or [str(i) for i in range(len(a["sample_counts"]))]
    k = len(names)
    image = chosen["kind"] == "image" and "samples" in a
    cols = samples + 1 if image else 1
    fig = plt.figure(figsize=(max(7.0, 0.75 * cols + 1), 3.0 + (0.8 * k if image else 0) + 2.2),
                     dpi=110, layout="constrained")
    rows = [2.2] + ([0.8 * k] if image else []) + [2.0]
    grid = fig.add_gridspec(len(rows), 1, height_ratios=rows)
    ax = fig.add_subplot(grid[0])
    width = 0.8 / max(1, len(splits))
    for i, s in enumerate(view["balance"]["splits"]):
        shares = [c["shares"][s] for c in view["balance"]["classes"]]
        ax.bar(np.arange(len(shares)) + i * width - 0.4 + width / 2, shares, width,
               label=s, color=PALETTE[i % len(PALETTE)])
    ax.set_xticks(range(len(view["balance"]["classes"])),
                  [c["name"] for c in view["balance"]["classes"]], fontsize="small")
    ax.set_ylabel("share of split")
    ax.set_title(f"class balance{' (sampled)' if any(s['sampled'] for s in splits) else ''}")
    ax.legend(frameon=False, fontsize="small")
    if image:
        sub = grid[1].subgridspec(k, cols, wspace=0.05, hspace=0.05)
        lo, hi = chosen["value_range"]
        for c in range(k):
            pics = [a["samples"][c, j] for j in range(samples) if a["samples_index"][c, j] >= 0]
            mean = np.moveaxis(a["mean"][c], 0, -1)
            for j in range(cols):
                axi = fig.add_subplot(sub[c, j])
                axi.set_axis_off()
                if j == 0:
                    axi.imshow(_gray(mean), cmap="gray", vmin=lo, vmax=hi)
                    axi.set_title(f"{names[c]} mean" if c == 0 else names[c], fontsize=7, loc="left")
                elif j - 1 < len(pics):
                    axi.imshow(_gray(pics[j - 1]), cmap="gray", vmin=0, vmax=255)
    ax = fig.add_subplot(grid[-1])
    edges = np.asarray(a["hist_edges"])
    for c, counts in enumerate(a["hist_counts"]):
        ax.stairs(counts, edges, label=f"channel {c}", color=PALETTE[c % len(PALETTE)], fill=c == 0,
                  alpha=0.6 if c == 0 else 1.0)
    ax.set_yscale("log")
    ax.set_title(f"values of {chosen['split']} ({chosen['n_analysed']:,} of {chosen['n_total']:,} samples)")
    if len(a["hist_counts"]) > 1:
        ax.legend(frameon=False, fontsize="small")
    return fig


def _gray(img: np.ndarray) -> np.ndarray:
    return img[..., 0] if img.ndim == 3 and img.shape[-1] == 1 else img
