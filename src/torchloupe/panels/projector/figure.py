"""The projector as a Matplotlib figure: one embedding projected to 2-D, coloured by a column."""

from __future__ import annotations

from typing import Any

from ...analyze import embeddings as emb
from ...store import Backend
from . import query


def figure(store: Backend, run: str, tag: str, step: int | None = None, method: str = "pca",
           color: str | None = "label", ax: Any = None, **params: Any) -> Any:
    """A logged embedding ``tag`` at ``step`` (default: latest) projected to 2-D with ``method``
    (pca, tsne or umap).

    ``color`` is a column name (``label``, ``predicted``, ``correct`` or a metadata column) or
    None. t-SNE and UMAP are computed here, in the foreground.

    Example:
        >>> tl.plot.embedding("./loupe", run.id, "penultimate", color="correct").savefig("emb.png")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    rec = query.record(store, run, tag, step)
    if method == "pca":
        xy = query.pca(store, rec, 2)
    else:
        xy = emb.project(query.features(store, rec), method, 2, **params).coords
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 5.4), dpi=120, layout="constrained")
    else:
        fig = ax.figure
    size = max(0.5, min(12.0, 4000 / max(len(xy), 1)))
    available = {c["name"] for c in query.info(store, run, tag, rec.step)["columns"]}
    if color is not None and color in available:
        desc, values = query.column(store, rec, color)
        if desc["kind"] == "category":
            cmap = plt.get_cmap("tab10" if len(desc["categories"]) <= 10 else "tab20")
            for c, name in enumerate(desc["categories"]):
                m = values == c
                ax.scatter(xy[m, 0], xy[m, 1], s=size, color=cmap(c % cmap.N), label=name,
                           linewidths=0, alpha=0.8)
            if (values < 0).any():
                m = values < 0
                ax.scatter(xy[m, 0], xy[m, 1], s=size, color="#bbbbbb", linewidths=0, label="none")
            ax.legend(frameon=False, fontsize="x-small", markerscale=max(1.0, 12 / size),
                      loc="center left", bbox_to_anchor=(1.0, 0.5), title=color)
        else:
            sc = ax.scatter(xy[:, 0], xy[:, 1], s=size, c=values, cmap="viridis", linewidths=0)
            fig.colorbar(sc, ax=ax, label=color)
    else:
        ax.scatter(xy[:, 0], xy[:, 1], s=size, color="#1f77b4", linewidths=0, alpha=0.8)
    ax.set_title(f"{tag} · {method.upper()} · step {rec.step} · {len(xy):,} points")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal", adjustable="datalim")
    return fig
