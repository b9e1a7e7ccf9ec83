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
    from .store.reader import Store
    from .store.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        return store
    if isinstance(store, Store):
        return store.backend
    return SqliteStore(store, create=False)


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
