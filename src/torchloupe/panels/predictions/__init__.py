"""Evaluation panels drawn from logged predictions: confusion matrix, per-class metrics, ROC and
PR curves, reliability, examples (top losses, one confusion cell) with attribution maps, and the
data map of training dynamics. They share the recorded format (``record.py``), the queries and the
routes (``api.py``, mounted once with the confusion matrix); each is one panel on the page."""

from typing import Any

from ..base import Panel, StoreGetter, logged
from . import figure


def router(store: StoreGetter) -> Any:
    # Imported here: `run.log_predictions` loads record.py through this package, and recording
    # must not pull in FastAPI.
    from .api import router as build

    return build(store)


def no_routes(store: StoreGetter) -> Any:
    from fastapi import APIRouter

    return APIRouter()


HAS_DATA = logged("predictions")

CONFUSION = Panel(name="confusion", title="Confusion matrix", router=router, has_data=HAS_DATA,
                  figure=figure.confusion_matrix, plot="confusion_matrix")
CLASS_METRICS = Panel(name="class-metrics", title="Per-class metrics", router=no_routes, has_data=HAS_DATA,
                      figure=figure.class_metrics, plot="class_metrics")
CURVES = Panel(name="curves", title="ROC and precision-recall", router=no_routes, has_data=HAS_DATA,
               figure=figure.roc_curves, plot="roc_curves", plots={"pr_curves": figure.pr_curves})
CALIBRATION = Panel(name="calibration", title="Calibration", router=no_routes, has_data=HAS_DATA,
                    figure=figure.reliability_diagram, plot="reliability_diagram")
EXAMPLES = Panel(name="examples", title="Examples", router=no_routes, has_data=HAS_DATA,
                 figure=figure.top_losses, plot="top_losses",
                 plots={"attributions": figure.attributions, "feature_maps": figure.feature_maps})
DATA_MAP = Panel(name="data-map", title="Data map", router=no_routes, has_data=HAS_DATA,
                 figure=figure.data_map, plot="data_map")

PANELS = (CONFUSION, CLASS_METRICS, CURVES, CALIBRATION, EXAMPLES, DATA_MAP)
