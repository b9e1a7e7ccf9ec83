"""Data exploration: class balance across splits, samples per class, mean/std images, intensity
histograms, sizes, near duplicates and likely-mislabelled samples (``run.log_dataset``)."""

from ..base import Panel, logged
from .api import router
from .figure import figure
from .record import KIND

PANEL = Panel(name="data", title="Data", router=router, has_data=logged(KIND),
              figure=figure, plot="dataset")
