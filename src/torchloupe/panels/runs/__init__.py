"""The runs table: every run with status, timing, config and summary."""

from ..base import Panel
from .api import router
from .query import has_data

PANEL = Panel(name="runs", title="Runs", router=router, has_data=has_data)
