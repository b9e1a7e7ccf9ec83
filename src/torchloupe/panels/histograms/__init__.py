"""Weight and gradient histograms over time (ridgelines and percentile bands), from run.watch."""

from ..base import Panel
from .api import router
from .figure import figure

PANEL = Panel(name="histograms", title="Weights and gradients", router=router, figure=figure)
