"""The model graph as a Matplotlib figure: nodes in layers (longest path from the input), the
module hierarchy collapsed to ``depth``."""

from __future__ import annotations

from typing import Any

from ...store import Backend
from .collapse import collapse, layers
from .query import graph

COLORS = {"input": "#9ecae1", "output": "#9ecae1", "module": "#fdd0a2", "group": "#c7e9c0"}


def figure(store: Backend, run: str, model: str | None = None, depth: int = 1) -> Any:
    """A logged model's graph (``model`` default: the first logged), containers deeper than
    ``depth`` folded into one box each.

    Example:
        >>> tl.plot.model_graph("./loupe", run_id, depth=2).savefig("graph.svg")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    d = graph(store, run, model)
    nodes, edges = collapse(d["graph"], depth)
    rank = layers(nodes, edges)
    by_rank: dict[int, list[str]] = {}
    for n in nodes:
        by_rank.setdefault(rank[n["id"]], []).append(n["id"])
    pos = {nid: (i - (len(ids) - 1) / 2, -r) for r, ids in by_rank.items() for i, nid in enumerate(ids)}
    width = max(len(v) for v in by_rank.values()) if by_rank else 1
    fig, ax = plt.subplots(figsize=(max(4, 2.2 * width), max(3, 0.55 * len(by_rank) + 1)), dpi=110,
                           layout="constrained")
    for e in edges:
        (x0, y0), (x1, y1) = pos[e["source"]], pos[e["target"]]
        ax.annotate("", (x1, y1 + 0.18), (x0, y0 - 0.18),
                    arrowprops={"arrowstyle": "->", "color": "#888", "lw": 0.8})
    for n in nodes:
        x, y = pos[n["id"]]
        text = n["label"] if n["op"] in ("input", "output") else f"{n['label']}\n{n['type']}"
        ax.text(x, y, text, ha="center", va="center", fontsize=7,
                bbox={"boxstyle": "round,pad=0.3", "fc": COLORS.get(n["op"], "#eeeeee"), "ec": "#666",
                      "lw": 0.6})
    ax.set_xlim(-width / 2 - 0.6, width / 2 + 0.6)
    ax.set_ylim(-max(by_rank, default=0) - 0.6, 0.6)
    ax.axis("off")
    ax.set_title(f"{d['model']} ({d['graph']['method']})")
    return fig
