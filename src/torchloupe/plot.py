"""``tl.plot``: every panel as a Matplotlib figure (save it as PNG, SVG or PDF).

The functions come from the panel registry: ``tl.plot.<name>`` is the figure a panel declares
(:class:`torchloupe.panels.base.Panel`), drawn from the same query as the dashboard's panel, so
the page and the figure agree. Their first argument, ``store``, is ``tl.open(dir)``, a store, or
a store directory; a ``run`` may be a run id, a run name or a run from ``tl.open``. The panels
and Matplotlib are imported only when a function is used.

Example:
    >>> fig = tl.plot.scalars(tl.open("./loupe"), "train/loss")   # doctest: +SKIP
    >>> fig.savefig("loss.pdf")                                     # doctest: +SKIP
    >>> sorted(dir(tl.plot))[:3]                                    # doctest: +SKIP
    ['activations', 'attributions', 'class_metrics']
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any


def _backend(store: Any) -> Any:
    """Accept a reader (``tl.open``), a store, or a directory."""
    from .store import open_backend
    from .store.reader import Store

    if isinstance(store, Store):
        return store.backend
    return open_backend(store, create=False)


def _run_id(backend: Any, run: Any) -> str:
    """A run id from an id, a name or a reader's run."""
    if hasattr(run, "record"):
        return str(run.record.id)
    return str(backend.run(run).id)


def _figures() -> dict[str, Callable[..., Any]]:
    """``tl.plot`` name -> figure function, over every registered panel."""
    from .panels.registry import PANELS

    out: dict[str, Callable[..., Any]] = {}
    for p in PANELS:
        out.update(p.figures())
    return out


def _plot_function(name: str, figure: Callable[..., Any]) -> Callable[..., Any]:
    """``figure`` as ``tl.plot.<name>``: same signature and docstring, with ``store`` and ``run``
    accepted in every form the module docstring lists."""
    signature = inspect.signature(figure)
    takes_store = next(iter(signature.parameters), None) == "store"

    @functools.wraps(figure)
    def plot(*args: Any, **kwargs: Any) -> Any:
        if not takes_store:
            return figure(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        backend = bound.arguments["store"] = _backend(bound.arguments["store"])
        if bound.arguments.get("run") is not None:
            bound.arguments["run"] = _run_id(backend, bound.arguments["run"])
        return figure(*bound.args, **bound.kwargs)

    plot.__name__ = plot.__qualname__ = name
    plot.__module__ = __name__
    return plot


@functools.cache
def _plots() -> dict[str, Callable[..., Any]]:
    return {name: _plot_function(name, f) for name, f in _figures().items()}


def __getattr__(name: str) -> Callable[..., Any]:
    if name.startswith("__"):
        raise AttributeError(name)
    plots = _plots()
    if name not in plots:
        raise AttributeError(f"tl.plot has no figure {name!r}; known: {', '.join(sorted(plots))}")
    return plots[name]


def __dir__() -> list[str]:
    return sorted(_plots())
