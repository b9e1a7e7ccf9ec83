"""The model summary table (shapes, parameters, FLOPs, activation memory), from run.log_model."""

from typing import Any

from ..base import Panel, StoreGetter, logged
from .figure import figure


def router(store: StoreGetter) -> Any:
    # Imported here: `run.log_*` loads record.py through this package, and recording must not
    # pull in FastAPI.
    from .api import router as build

    return build(store)


PANEL = Panel(name="model_summary", title="Model summary", router=router,
              has_data=logged("model_summary"), figure=figure)
