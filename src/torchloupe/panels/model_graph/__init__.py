"""The model graph (torch.fx, or the module hierarchy when tracing fails), from run.log_model."""

from ..base import Panel, logged
from .api import router
from .figure import figure

PANEL = Panel(name="model_graph", title="Model graph", router=router,
              has_data=logged("model_graph"), figure=figure)
