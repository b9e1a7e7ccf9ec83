"""The model summary table (shapes, parameters, FLOPs, activation memory), from run.log_model."""

from ..base import Panel, logged
from .api import router
from .figure import figure

PANEL = Panel(name="model_summary", title="Model summary", router=router,
              has_data=logged("model_summary"), figure=figure)
