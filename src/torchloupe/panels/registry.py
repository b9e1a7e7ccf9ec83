"""Every panel, in display order. Adding a panel: its folder plus one line here."""

from __future__ import annotations

from .base import Panel
from .runs import PANEL as RUNS
from .scalars import PANEL as SCALARS

PANELS: tuple[Panel, ...] = (
    RUNS,
    SCALARS,
)


def panel(name: str) -> Panel:
    """The registered panel called ``name``."""
    for p in PANELS:
        if p.name == name:
            return p
    raise KeyError(f"no panel {name!r}; known: {', '.join(p.name for p in PANELS)}")
