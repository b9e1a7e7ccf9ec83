"""Scalar series: one chart per key, one line per run, downsampled with every spike kept."""

from ..base import Panel
from .api import router
from .figure import figure
from .query import has_data

PANEL = Panel(name="scalars", title="Scalars", router=router, has_data=has_data, figure=figure)
