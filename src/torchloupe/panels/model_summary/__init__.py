"""The model summary table (shapes, parameters, FLOPs, activation memory), from run.log_model."""

from ..base import Panel
from .api import router
from .figure import figure

PANEL = Panel(name="model_summary", title="Model summary", router=router, figure=figure)
