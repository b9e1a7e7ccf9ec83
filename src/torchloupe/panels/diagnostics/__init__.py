"""Diagnostics: the training problems run.watch found (a banner and a list on the page)."""

from ..base import Panel
from .api import router
from .figure import figure

PANEL = Panel(name="diagnostics", title="Diagnostics", router=router, figure=figure)
