"""Scalar series: one chart per key, one line per run, downsampled with every spike kept."""

from ..base import Panel
from .api import router
from .figure import figure

PANEL = Panel(name="scalars", title="Scalars", router=router, figure=figure)
