"""The panel contract: one visualization = one folder with ``query`` (data), ``api`` (routes),
and ``figure`` (Matplotlib), registered by one line in :mod:`.registry`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from fastapi import APIRouter

    from ..store import Backend

StoreGetter = Callable[[], "Backend"]

HasData = Callable[[Any, "list[str] | None"], bool]
"""``has_data(store, run_ids) -> bool``: whether a panel has something to show for those runs
(every run when None); one cheap query."""


class JobState(Protocol):
    """Where a background job stands (``state``: queued, running, done, error or missing)."""

    state: str
    progress: float
    message: str
    error: str | None
    seconds: float


class JobRunner(Protocol):
    """Runs slow computations in the background; ``create_app`` makes one and closes it with the
    app, and routes receive it as a dependency (:data:`.params.JOBS`). The implementation and its
    contract: :mod:`torchloupe.serve.jobs`."""

    def submit(self, key: str, fn: Callable[[Callable[[float, str], None]], Any]) -> JobState: ...

    def result(self, key: str) -> Any: ...

    def close(self) -> None: ...


def logged(kind: str) -> HasData:
    """A ``has_data`` for panels drawn from artifacts of ``kind``: some run logged one.

    Example:
        >>> logged("watch")(store, [run_id])   # doctest: +SKIP
        True
    """

    def has_data(store: Any, run_ids: list[str] | None) -> bool:
        return bool(store.artifact_tags(kind, run_ids))

    has_data.__doc__ = f"Whether one of the runs logged a {kind!r} artifact."
    return has_data


@dataclass(frozen=True)
class Panel:
    """A visualization known to the dashboard and to ``tl.plot``.

    Attributes:
        name: the id shared with the page's panel of the same name (``web/src/panels/<name>``).
        title: what the page shows as its heading.
        router: builds the panel's API routes (mounted under ``/api/v1``) given a store getter.
            Every route declares its response model and the errors it can answer.
        has_data: ``has_data(store, run_ids) -> bool``; the page hides a panel without data.
        figure: ``figure(store, ...) -> matplotlib Figure``, or None for panels that are not
            charts (the runs table). Its docstring is ``help(tl.plot.<plot>)``.
        plot: the figure's name in ``tl.plot`` (default: the panel's name).
        plots: further figures of the panel by their ``tl.plot`` name.
    """

    name: str
    title: str
    router: Callable[[StoreGetter], APIRouter]
    has_data: HasData
    figure: Callable[..., Any] | None = None
    plot: str | None = None
    plots: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    def figures(self) -> dict[str, Callable[..., Any]]:
        """``tl.plot`` name -> figure function, for every figure of the panel.

        Example:
            >>> sorted(panel("curves").figures())   # doctest: +SKIP
            ['pr_curves', 'roc_curves']
        """
        named = {self.plot or self.name: self.figure} if self.figure is not None else {}
        return {**named, **self.plots}
