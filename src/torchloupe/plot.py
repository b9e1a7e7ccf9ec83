"""``tl.plot``: every panel as a Matplotlib figure (save it as PNG, SVG or PDF).

Each function draws from the same query as the dashboard's panel, so the page and the figure
agree. Matplotlib is imported only when a figure is drawn.

Example:
    >>> fig = tl.plot.scalars(tl.open("./loupe"), "train/loss")   # doctest: +SKIP
    >>> fig.savefig("loss.pdf")                                     # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any


def _backend(store: Any) -> Any:
    """Accept a reader (``tl.open``), a store, or a directory."""
    from .store import open_backend
    from .store.reader import Store

    if isinstance(store, Store):
        return store.backend
    return open_backend(store, create=False)


def scalars(store: Any, tag: str, runs: list[str] | None = None, **options: Any) -> Any:
    """One scalar tag of several runs: raw series faint, smoothed bold (see the scalars panel).

    Args:
        store: ``tl.open(dir)``, a store, or a store directory.
        tag: the series key, e.g. ``"train/loss"``.
        runs: run ids (default: every run that has the tag).
        **options: ``x`` ("step"/"wall"), ``smoothing`` (0–0.999), ``log_y``, ``width``, ``ax``.

    Example:
        >>> tl.plot.scalars("./loupe", "train/loss", smoothing=0.9).savefig("loss.svg")  # doctest: +SKIP
    """
    from .panels.scalars.figure import figure

    return figure(_backend(store), tag, runs, **options)


def dataset(store: Any, run: str, split: str | None = None, **options: Any) -> Any:
    """A run's logged datasets: class balance per split, samples and mean image per class, value
    histograms (see the data panel).

    Example:
        >>> tl.plot.dataset("./loupe", run.id, split="train").savefig("data.png")  # doctest: +SKIP
    """
    from .panels.data.figure import figure

    return figure(_backend(store), run, split, **options)


def embedding(store: Any, run: str, tag: str, step: int | None = None, method: str = "pca",
              **options: Any) -> Any:
    """A logged embedding projected to 2-D (``method`` pca, tsne or umap), coloured by
    ``color`` (label, predicted, correct or a metadata column); see the projector panel.

    Example:
        >>> tl.plot.embedding("./loupe", run.id, "penultimate", color="correct")  # doctest: +SKIP
    """
    from .panels.projector.figure import figure

    return figure(_backend(store), run, tag, step, method, **options)


def confusion_matrix(store: Any, run: str, split: str = "test", step: int | None = None, **options: Any) -> Any:
    """Confusion matrix of logged predictions: counts, coloured by the row-normalized rate.

    Example:
        >>> tl.plot.confusion_matrix("./loupe", run.id, "test").savefig("cm.pdf")  # doctest: +SKIP
    """
    from .panels.predictions.figure import confusion_matrix as draw

    return draw(_backend(store), _run_id(store, run), split, step, **options)


def class_metrics(store: Any, run: str, split: str = "test", step: int | None = None, **options: Any) -> Any:
    """Precision, recall and F1 per class, with macro averages."""
    from .panels.predictions.figure import class_metrics as draw

    return draw(_backend(store), _run_id(store, run), split, step, **options)


def roc_curves(store: Any, run: str, split: str = "test", step: int | None = None, **options: Any) -> Any:
    """One-vs-rest ROC per class with AUC."""
    from .panels.predictions.figure import roc_curves as draw

    return draw(_backend(store), _run_id(store, run), split, step, **options)


def pr_curves(store: Any, run: str, split: str = "test", step: int | None = None, **options: Any) -> Any:
    """Precision-recall per class (TensorBoard's thresholds) with average precision."""
    from .panels.predictions.figure import pr_curves as draw

    return draw(_backend(store), _run_id(store, run), split, step, **options)


def reliability_diagram(store: Any, run: str, split: str = "test", step: int | None = None, **options: Any) -> Any:
    """Calibration: accuracy against confidence per bin, with the ECE."""
    from .panels.predictions.figure import reliability_diagram as draw

    return draw(_backend(store), _run_id(store, run), split, step, **options)


def top_losses(store: Any, run: str, split: str = "test", step: int | None = None, **options: Any) -> Any:
    """The examples with the highest loss (``target=``/``predicted=`` for one confusion cell)."""
    from .panels.predictions.figure import top_losses as draw

    return draw(_backend(store), _run_id(store, run), split, step, **options)


def data_map(store: Any, run: str, split: str = "test", **options: Any) -> Any:
    """Training dynamics: confidence against variability per example, likely mislabelled ringed."""
    from .panels.predictions.figure import data_map as draw

    return draw(_backend(store), _run_id(store, run), split, **options)


def attributions(image: Any, maps: Any, title: str | None = None) -> Any:
    """An example with its ``tl.explain`` maps (``{method: [H, W]}``) overlaid.

    Example:
        >>> maps = {m: tl.explain(model, x, method=m)[0] for m in ("saliency", "gradcam")}  # doctest: +SKIP
        >>> tl.plot.attributions(x[0], maps).savefig("why.png")  # doctest: +SKIP
    """
    from .panels.predictions.figure import attributions as draw

    return draw(image, maps, title)


def feature_maps(maps: Any, max_channels: int = 8) -> Any:
    """``tl.explain(..., method="feature_maps")`` as a grid: channels per layer, first filters."""
    from .panels.predictions.figure import feature_maps as draw

    return draw(maps, max_channels)


def _run_id(store: Any, run: Any) -> str:
    """A run id from an id, a name or a reader."""
    if hasattr(run, "record"):
        return str(run.record.id)
    return str(_backend(store).run(run).id)


def model_summary(store: Any, run: str, model: str | None = None, **options: Any) -> Any:
    """Parameters and FLOPs of a logged model's modules (``depth``: 1 = top level).

    Example:
        >>> tl.plot.model_summary("./loupe", run_id).savefig("summary.png")  # doctest: +SKIP
    """
    from .panels.model_summary.figure import figure

    return figure(_backend(store), run, model, **options)


def model_graph(store: Any, run: str, model: str | None = None, **options: Any) -> Any:
    """A logged model's graph, containers deeper than ``depth`` folded.

    Example:
        >>> tl.plot.model_graph("./loupe", run_id, depth=2).savefig("graph.svg")  # doctest: +SKIP
    """
    from .panels.model_graph.figure import figure

    return figure(_backend(store), run, model, **options)


def histograms(store: Any, run: str, layer: str | None = None, **options: Any) -> Any:
    """One layer's weight or gradient distribution over time: ridgelines and percentile bands
    (``which="weights"|"gradients"``, ``model``).

    Example:
        >>> tl.plot.histograms("./loupe", run_id, "fc.weight", which="gradients")  # doctest: +SKIP
    """
    from .panels.histograms.figure import figure

    return figure(_backend(store), run, layer, **options)


def gradient_flow(store: Any, run: str, model: str | None = None, **options: Any) -> Any:
    """Mean/max |gradient| per layer at a watched ``step`` (default the last), zones marked.

    Example:
        >>> tl.plot.gradient_flow("./loupe", run_id).savefig("gradflow.pdf")  # doctest: +SKIP
    """
    from .panels.gradient_flow.figure import figure

    return figure(_backend(store), run, model, **options)


def activations(store: Any, run: str, stat: str = "mean", **options: Any) -> Any:
    """One activation statistic (mean, std, min, max, zeros, dead, nonfinite) per layer and step.

    Example:
        >>> tl.plot.activations("./loupe", run_id, "dead").savefig("dead.png")  # doctest: +SKIP
    """
    from .panels.activations.figure import figure

    return figure(_backend(store), run, stat, **options)


def diagnostics(store: Any, runs: list[str] | None = None) -> Any:
    """A timeline of the runs' diagnostic events.

    Example:
        >>> tl.plot.diagnostics("./loupe").savefig("diagnostics.svg")  # doctest: +SKIP
    """
    from .panels.diagnostics.figure import figure

    return figure(_backend(store), runs)
