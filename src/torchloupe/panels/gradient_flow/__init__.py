"""Gradient flow: per-layer mean/max |gradient| with vanishing and exploding zones, from run.watch."""

from ..base import Panel, logged
from ..watch_data import KIND
from .api import router
from .figure import figure

PANEL = Panel(name="gradient_flow", title="Gradient flow", router=router,
              has_data=logged(KIND), figure=figure)
