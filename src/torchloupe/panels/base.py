"""The panel contract: one visualization = one folder with ``query`` (data), ``api`` (routes),
and ``figure`` (Matplotlib), registered by one line in :mod:`.registry`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import APIRouter

    from ..store import Backend

StoreGetter = Callable[[], "Backend"]


@dataclass(frozen=True)
class Panel:
    """A visualization known to the dashboard and to ``tl.plot``.

    Attributes:
        name: the id shared with the page's panel of the same name (``web/src/panels/<name>``).
        title: what the page shows as its heading.
        router: builds the panel's API routes (mounted under ``/api/v1``) given a store getter.
        figure: ``figure(store, **options) -> matplotlib Figure``, or None for panels that are
            not charts (the runs table).
    """

    name: str
    title: str
    router: Callable[[StoreGetter], APIRouter]
    figure: Callable[..., Any] | None = None
