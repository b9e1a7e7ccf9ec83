"""The runs table: every run with status, timing, config and summary."""

from ..base import Panel
from .api import router

PANEL = Panel(name="runs", title="Runs", router=router)
