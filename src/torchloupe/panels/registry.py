"""Every panel, in display order: one line per panel folder. Adding a panel is its folder (whose
``__init__`` exports ``PANEL``, or ``PANELS`` when the folder holds several) plus one line here."""

from __future__ import annotations

from importlib import import_module

from .base import Panel

FOLDERS: tuple[str, ...] = (
    "runs",
    "diagnostics",
    "scalars",
    "histograms",
    "gradient_flow",
    "activations",
    "model_summary",
    "model_graph",
    "predictions",
    "class_accuracy",
    "data",
    "projector",
)


def _load(folder: str) -> tuple[Panel, ...]:
    """The panels ``panels/<folder>/__init__.py`` exports (``PANELS``, else ``PANEL``)."""
    module = import_module(f"{__package__}.{folder}")
    found = getattr(module, "PANELS", None) or (getattr(module, "PANEL", None),)
    if not all(isinstance(p, Panel) for p in found):
        raise TypeError(f"panels/{folder}/__init__.py must export PANEL (a Panel) or PANELS (a tuple of them)")
    return tuple(found)


PANELS: tuple[Panel, ...] = tuple(p for folder in FOLDERS for p in _load(folder))


def panel(name: str) -> Panel:
    """The registered panel called ``name``.

    Example:
        >>> panel("scalars").title
        'Scalars'
    """
    for p in PANELS:
        if p.name == name:
            return p
    raise KeyError(f"no panel {name!r}; known: {', '.join(p.name for p in PANELS)}")
