"""The evaluation panels as Matplotlib figures, drawn from the same ``query`` results as the page."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import query

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]


def _axes(ax: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, dpi=120, layout="constrained")
    return fig, ax


def _title(s: dict[str, Any], what: str) -> str:
    return f"{what} — {s['split']}, step {s['step']} (n={s['n']})"


def confusion_matrix(store: Any, run: str, split: str = "test", step: int | None = None,
                     normalize: str | None = "true", ax: Any = None) -> Any:
    """Confusion matrix heatmap: rows true, columns predicted; counts in the cells, colour by the
    row-normalized rate (``normalize=None`` colours by count).

    Example:
        >>> tl.plot.confusion_matrix("./loupe", run_id, "test").savefig("cm.png")   # doctest: +SKIP
    """
    s = query.summary(store, run, split, step)
    cm = np.asarray(s["confusion"], dtype=float)
    names = s["class_names"]
    rate = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize == "true" else cm
    n = len(names)
    fig, ax = _axes(ax, (0.45 * n + 2.5, 0.45 * n + 1.8))
    im = ax.imshow(rate, cmap="Blues", vmin=0, vmax=1 if normalize == "true" else None)
    for i in range(n):
        for j in range(n):
            if cm[i, j]:
                dark = rate[i, j] > (0.55 if normalize == "true" else rate.max() * 0.55)
                ax.text(j, i, f"{int(cm[i, j])}", ha="center", va="center", fontsize=8,
                        color="white" if dark else "#222")
    ax.set_xticks(range(n), names, rotation=45 if max(map(len, names)) > 2 else 0, ha="right" if max(map(len, names)) > 2 else "center")
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(_title(s, f"Confusion matrix, accuracy {s['accuracy']:.1%}"), fontsize=10)
    fig.colorbar(im, ax=ax, shrink=0.8, label="share of the true class" if normalize == "true" else "count")
    return fig


def class_metrics(store: Any, run: str, split: str = "test", step: int | None = None, ax: Any = None) -> Any:
    """Precision, recall and F1 per class as grouped bars, with the macro averages as lines.

    Example:
        >>> tl.plot.class_metrics("./loupe", run_id, "test").savefig("metrics.png")   # doctest: +SKIP
    """
    s = query.summary(store, run, split, step)
    rows = s["metrics"]["classes"]
    x = np.arange(len(rows))
    fig, ax = _axes(ax, (max(5, 0.55 * len(rows) + 2), 3.6))
    for k, (key, color) in enumerate((("precision", PALETTE[0]), ("recall", PALETTE[1]), ("f1", PALETTE[2]))):
        ax.bar(x + (k - 1) * 0.27, [r[key] for r in rows], 0.27, color=color,
               label=f"{key} (macro {s['metrics']['macro'][key]:.3f})")
    ax.set_xticks(x, [r["name"] for r in rows])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title(_title(s, "Per-class metrics"), fontsize=10)
    ax.legend(frameon=False, fontsize="small", ncol=3, loc="lower center")
    ax.grid(axis="y", alpha=0.3)
    return fig


def roc_curves(store: Any, run: str, split: str = "test", step: int | None = None, ax: Any = None) -> Any:
    """One-vs-rest ROC per class, AUC in the legend.

    Example:
        >>> tl.plot.roc_curves("./loupe", run_id, "test").savefig("roc.svg")   # doctest: +SKIP
    """
    s = query.summary(store, run, split, step)
    fig, ax = _axes(ax, (5.2, 4.4))
    _per_class_curves(ax, s["roc"], "fpr", "tpr", "auc", "AUC")
    ax.plot([0, 1], [0, 1], color="#999", ls=":", lw=1)
    ax.set(xlabel="false positive rate", ylabel="true positive rate", xlim=(0, 1), ylim=(0, 1.01))
    ax.set_title(_title(s, "ROC (one vs rest)"), fontsize=10)
    ax.legend(frameon=False, fontsize="x-small", loc="lower right")
    return fig


def pr_curves(store: Any, run: str, split: str = "test", step: int | None = None, ax: Any = None) -> Any:
    """Precision-recall per class (TensorBoard's thresholds), average precision in the legend.

    Example:
        >>> tl.plot.pr_curves("./loupe", run_id, "test").savefig("pr.svg")   # doctest: +SKIP
    """
    s = query.summary(store, run, split, step)
    fig, ax = _axes(ax, (5.2, 4.4))
    _per_class_curves(ax, s["pr"], "recall", "precision", "ap", "AP")
    ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1.01), ylim=(0, 1.01))
    ax.set_title(_title(s, "Precision-recall"), fontsize=10)
    ax.legend(frameon=False, fontsize="x-small", loc="lower left")
    return fig


def _per_class_curves(ax: Any, curves: list[dict[str, Any]], x: str, y: str, score: str,
                      label: str) -> None:
    """One line per class, its score (AUC or AP) in the legend."""
    for i, c in enumerate(curves):
        value = "n/a" if c[score] is None else f"{c[score]:.3f}"
        ax.plot(c[x], c[y], color=PALETTE[i % 10], lw=1.4, label=f"{c['name']} ({label} {value})")
    ax.grid(alpha=0.3)


def reliability_diagram(store: Any, run: str, split: str = "test", step: int | None = None, ax: Any = None) -> Any:
    """Calibration: accuracy against confidence per bin, the gap to the diagonal shaded; ECE in
    the title.

    Example:
        >>> tl.plot.reliability_diagram("./loupe", run_id, "test").savefig("calibration.pdf")   # doctest: +SKIP
    """
    s = query.summary(store, run, split, step)
    r = s["reliability"]
    edges = np.asarray(r["edges"])
    mids = (edges[:-1] + edges[1:]) / 2
    width = edges[1] - edges[0]
    acc = np.array([np.nan if v is None else v for v in r["accuracy"]])
    conf = np.array([np.nan if v is None else v for v in r["confidence"]])
    fig, ax = _axes(ax, (4.8, 4.4))
    ax.bar(mids, np.nan_to_num(acc), width * 0.92, color=PALETTE[0], label="accuracy")
    ax.bar(mids, np.nan_to_num(conf - acc), width * 0.92, bottom=np.nan_to_num(acc), color=PALETTE[3],
           alpha=0.35, label="gap to confidence")
    ax.plot([0, 1], [0, 1], color="#555", ls="--", lw=1)
    ax.set(xlabel="confidence", ylabel="accuracy", xlim=(0, 1), ylim=(0, 1))
    ax.set_title(_title(s, f"Reliability, ECE {r['ece']:.3f}"), fontsize=10)
    ax.legend(frameon=False, fontsize="small", loc="upper left")
    return fig


def top_losses(store: Any, run: str, split: str = "test", step: int | None = None, k: int = 16,
               target: int | None = None, predicted: int | None = None) -> Any:
    """The ``k`` examples with the highest loss (or of one confusion cell): image, true and
    predicted label, probability of the prediction, loss.

    Example:
        >>> tl.plot.top_losses("./loupe", run_id, "test", target=3, predicted=5)   # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    data = query.examples(store, run, split, step, target, predicted, "loss", k)
    rows = data["examples"]
    names = data["class_names"]
    cols = min(8, max(1, len(rows)))
    nrows = max(1, -(-len(rows) // cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(1.5 * cols, 1.85 * nrows), dpi=120,
                             layout="constrained", squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, e in zip(axes.flat, rows):
        try:
            thumb, _ = query.find_input(store, run, split, e["id"])
            ax.imshow(thumb, cmap="gray" if thumb.ndim == 2 else None)
        except Exception:
            ax.text(0.5, 0.5, "no image", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(f"{names[e['target']]} → {names[e['predicted']]}\np {e['confidence']:.2f} · loss {e['loss']:.2f}",
                     fontsize=7, color="#b4232a" if e["target"] != e["predicted"] else "#222")
    fig.suptitle(f"Top losses — {split}, step {data['step']} ({data['total']} examples)", fontsize=10)
    return fig


def data_map(store: Any, run: str, split: str = "test", ax: Any = None) -> Any:
    """Dataset Cartography: confidence in the label against its variability over steps, coloured
    by how often the prediction was right; the likely mislabelled ringed.

    Example:
        >>> tl.plot.data_map("./loupe", run_id, "train").savefig("data-map.png")   # doctest: +SKIP
    """
    d = query.dynamics(store, run, split)
    fig, ax = _axes(ax, (5.4, 4.6))
    sc = ax.scatter(d["variability"], d["confidence"], c=d["correct"], cmap="RdYlBu", vmin=0, vmax=1,
                    s=10, alpha=0.8, linewidths=0)
    sus = [s["index"] for s in d["suspects"][:20]]
    if sus:
        ax.scatter(np.asarray(d["variability"])[sus], np.asarray(d["confidence"])[sus], s=40,
                   facecolors="none", edgecolors="#111", linewidths=0.8, label="likely mislabelled")
        ax.legend(frameon=False, fontsize="small", loc="lower right")
    ax.set(xlabel="variability (std of p(label) over steps)", ylabel="confidence (mean p(label))",
           ylim=(-0.02, 1.02))
    ax.set_title(f"Data map — {split}, {len(d['steps'])} steps", fontsize=10)
    fig.colorbar(sc, ax=ax, label="correctness")
    return fig


def attributions(image: Any, maps: dict[str, Any], title: str | None = None) -> Any:
    """An example and its attribution maps (``{method: [H, W] map}``) overlaid on it.

    Example:
        >>> maps = {m: tl.explain(model, x[:1], method=m)[0] for m in ("saliency", "gradcam")}  # doctest: +SKIP
        >>> tl.plot.attributions(x[0], maps)   # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    img = _image(image)
    fig, axes = plt.subplots(1, len(maps) + 1, figsize=(2.2 * (len(maps) + 1), 2.5), dpi=120,
                             layout="constrained", squeeze=False)
    axes[0, 0].imshow(img, cmap="gray" if img.ndim == 2 else None)
    axes[0, 0].set_title("input", fontsize=9)
    for ax, (name, m) in zip(axes[0, 1:], maps.items()):
        m = np.asarray(m.detach().cpu() if hasattr(m, "detach") else m, dtype=float)
        signed = bool((m < 0).any())
        lim = float(np.abs(m).max()) or 1.0
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None, alpha=0.6)
        ax.imshow(m, cmap="RdBu_r" if signed else "inferno", vmin=-lim if signed else 0, vmax=lim, alpha=0.65)
        ax.set_title(name.replace("_", " "), fontsize=9)
    for ax in axes.flat:
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def feature_maps(maps: Any, max_channels: int = 8) -> Any:
    """Activations of each conv layer for one input (rows), and the first layer's filters.

    ``maps`` is what ``tl.explain(..., method="feature_maps")`` returns.

    Example:
        >>> tl.plot.feature_maps(tl.explain(model, x[:1], method="feature_maps"))   # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    layers = list(maps.layers.items())
    rows = len(layers) + (maps.filters is not None)
    fig, axes = plt.subplots(rows, max_channels, figsize=(1.2 * max_channels, 1.3 * rows), dpi=120,
                             layout="constrained", squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for r, (name, act) in enumerate(layers):
        for c in range(min(max_channels, act.shape[0])):
            axes[r, c].imshow(act[c].numpy(), cmap="viridis")
        axes[r, 0].set_title(name, fontsize=7, loc="left")
    if maps.filters is not None:
        f = maps.filters
        for c in range(min(max_channels, f.shape[0])):
            axes[-1, c].imshow(f[c].mean(0).numpy(), cmap="RdBu_r")
        axes[-1, 0].set_title("first-layer filters", fontsize=7, loc="left")
    return fig


def _image(x: Any) -> np.ndarray:
    a = np.asarray(x.detach().cpu() if hasattr(x, "detach") else x, dtype=float)
    if a.ndim == 3 and a.shape[0] in (1, 3):
        a = a[0] if a.shape[0] == 1 else a.transpose(1, 2, 0)
    lo, hi = a.min(), a.max()
    return (a - lo) / (hi - lo or 1.0)  # type: ignore[no-any-return]
