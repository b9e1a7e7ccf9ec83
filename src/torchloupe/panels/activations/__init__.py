"""Activation statistics per layer over time (mean, spread, zeros, dead units), from run.watch."""

from ..base import Panel, logged
from ..watch_data import KIND
from .api import router
from .figure import figure

PANEL = Panel(name="activations", title="Activations", router=router, has_data=logged(KIND),
              figure=figure)
