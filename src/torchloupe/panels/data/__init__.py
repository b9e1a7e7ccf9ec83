"""Data exploration: class balance across splits, samples per class, mean/std images, intensity
histograms, sizes, near duplicates and likely-mislabelled samples (``run.log_dataset``)."""

from ..base import Panel
from .api import router
from .figure import figure

PANEL = Panel(name="data", title="Data", router=router, figure=figure)
