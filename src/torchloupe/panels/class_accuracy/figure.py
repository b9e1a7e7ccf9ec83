"""Per-class accuracy over time as a Matplotlib figure: one line per class, overall dashed."""

from __future__ import annotations

from typing import Any

import numpy as np

from .query import class_accuracy


def figure(store: Any, run: str, split: str = "test", classes: list[str] | None = None) -> Any:
    """Accuracy of each true class (one line per class) over the steps ``run`` logged
    predictions for ``split``, with the overall accuracy dashed; ``classes`` limits the lines to
    those class names.

    Example:
        >>> tl.plot.class_accuracy("./loupe", run.id, "test").savefig("per-class.png")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    d = class_accuracy(store, run, split)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110, layout="constrained")
    steps = np.asarray(d["steps"], float)
    cmap = plt.get_cmap("tab10" if len(d["class_names"]) <= 10 else "tab20")
    for c, name in enumerate(d["class_names"]):
        if classes is not None and name not in classes:
            continue
        y = np.array([np.nan if v is None else v for v in d["accuracy"][c]], float)
        ax.plot(steps, y, marker="o" if len(steps) < 30 else None, ms=3, lw=1.4,
                color=cmap(c % cmap.N), label=name)
    overall = np.array([np.nan if v is None else v for v in d["overall"]], float)
    ax.plot(steps, overall, "k--", lw=1.2, label="overall")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("step")
    ax.set_ylabel("accuracy of the true class")
    ax.set_title(f"Per-class accuracy · run {run} · {split}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2 if len(d["class_names"]) > 8 else 1, loc="lower right")
    return fig
