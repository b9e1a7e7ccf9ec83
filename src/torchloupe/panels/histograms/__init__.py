"""Weight and gradient histograms over time (ridgelines and percentile bands), from run.watch."""

from ..base import Panel, logged
from ..watch_data import KIND
from .api import router
from .figure import figure

PANEL = Panel(name="histograms", title="Weights and gradients", router=router,
              has_data=logged(KIND), figure=figure)
