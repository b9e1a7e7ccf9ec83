"""Activation statistics per layer over time (mean, spread, zeros, dead units), from run.watch."""

from ..base import Panel
from .api import router
from .figure import figure

PANEL = Panel(name="activations", title="Activations", router=router, figure=figure)
