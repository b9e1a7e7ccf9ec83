"""Per-class accuracy over time: one line per true class across the steps a run logged
predictions for (``run.log_predictions``); a class opens its row of the confusion matrix."""

from ..base import Panel, logged
from .api import router
from .figure import figure
from .query import KIND

PANEL = Panel(name="class_accuracy", title="Per-class accuracy over time", router=router,
              has_data=logged(KIND), figure=figure)
