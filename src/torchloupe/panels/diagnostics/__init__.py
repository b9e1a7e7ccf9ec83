"""Diagnostics: the training problems run.watch found (a banner and a list on the page)."""

from ..base import Panel
from .api import router
from .figure import figure
from .query import has_data

PANEL = Panel(name="diagnostics", title="Diagnostics", router=router, has_data=has_data,
              figure=figure)
