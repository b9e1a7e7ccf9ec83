"""Every panel, in display order. Adding a panel: its folder plus one line here."""

from __future__ import annotations

from .activations import PANEL as ACTIVATIONS
from .base import Panel
from .data import PANEL as DATA
from .diagnostics import PANEL as DIAGNOSTICS
from .gradient_flow import PANEL as GRADIENT_FLOW
from .histograms import PANEL as HISTOGRAMS
from .model_graph import PANEL as MODEL_GRAPH
from .model_summary import PANEL as MODEL_SUMMARY
from .predictions import CALIBRATION, CLASS_METRICS, CONFUSION, CURVES, DATA_MAP, EXAMPLES
from .projector import PANEL as PROJECTOR
from .runs import PANEL as RUNS
from .scalars import PANEL as SCALARS

PANELS: tuple[Panel, ...] = (
    RUNS,
    DIAGNOSTICS,
    SCALARS,
    HISTOGRAMS,
    GRADIENT_FLOW,
    ACTIVATIONS,
    MODEL_SUMMARY,
    MODEL_GRAPH,
    CONFUSION,
    CLASS_METRICS,
    CURVES,
    CALIBRATION,
    EXAMPLES,
    DATA_MAP,
    DATA,
    PROJECTOR,
)


def panel(name: str) -> Panel:
    """The registered panel called ``name``."""
    for p in PANELS:
        if p.name == name:
            return p
    raise KeyError(f"no panel {name!r}; known: {', '.join(p.name for p in PANELS)}")
