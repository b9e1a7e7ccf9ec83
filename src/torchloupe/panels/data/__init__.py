"""Data exploration: class balance across splits, samples per class, mean/std images, intensity
histograms, sizes, near duplicates and likely-mislabelled samples (``run.log_dataset``)."""

from typing import Any

from ..base import Panel, StoreGetter, logged
from .figure import figure
from .record import KIND


def router(store: StoreGetter) -> Any:
    # Imported here: `run.log_*` loads record.py through this package, and recording must not
    # pull in FastAPI.
    from .api import router as build

    return build(store)


PANEL = Panel(name="data", title="Data", router=router, has_data=logged(KIND),
              figure=figure, plot="dataset")
