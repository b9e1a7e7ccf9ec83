"""The model summary as a Matplotlib figure: parameters and FLOPs of the top-level modules."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...store import Backend
from .query import summaries


def figure(store: Backend, run: str, model: str | None = None, depth: int = 1) -> Any:
    """Horizontal bars of the parameters and FLOPs of a logged model's modules at ``depth``
    (1 = top level).

    Example:
        >>> tl.plot.model_summary("./loupe", run_id).savefig("summary.png")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    from ...analyze.model_summary import ModelSummary, human  # imports torch: only when drawn

    models = summaries(store, run)["models"]
    if model is not None:
        models = [m for m in models if m["name"] == model]
    if not models:
        raise ValueError(f"run {run} logged no model{'' if model is None else ' ' + repr(model)}")
    s = ModelSummary.from_dict(models[-1]["summary"])
    rows = [r for r in s.rows if r.depth == depth] or [r for r in s.rows if r.leaf]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, max(2.5, 0.3 * len(rows) + 1.4)), dpi=110,
                                 sharey=True, layout="constrained")
    y = np.arange(len(rows))[::-1]
    a1.barh(y, [r.params for r in rows], color="#4c78a8")
    a2.barh(y, [r.flops for r in rows], color="#f58518")
    a1.set_yticks(y)
    a1.set_yticklabels([f"{r.name} ({r.type})" for r in rows], fontsize=8)
    a1.set_title(f"parameters · total {human(s.total_params)}", fontsize="medium")
    a2.set_title(f"FLOPs · total {human(s.total_flops)}", fontsize="medium")
    fig.suptitle(f"{models[-1]['name']}: {s.total_params:,} parameters, "
                 f"{human(s.total_flops, 'FLOPs')} per forward")
    for ax in (a1, a2):
        ax.grid(axis="x", alpha=0.3)
    return fig
