"""Diagnostics as a Matplotlib figure: one row per kind of event, a marker at each step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...store import Backend
from .query import diagnostics

COLORS = {"error": "#d62728", "warning": "#ff7f0e", "info": "#1f77b4"}


def figure(store: Backend, runs: Sequence[str] | None = None) -> Any:
    """A timeline of the runs' events by kind and severity.

    Example:
        >>> tl.plot.diagnostics("./loupe").savefig("diagnostics.pdf")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    d = diagnostics(store, runs)
    names = {r.id: r.name for r in store.runs()}
    rows = sorted({(r["run"], e["kind"]) for r in d["runs"] for e in r["events"]})
    fig, ax = plt.subplots(figsize=(8, max(2.2, 0.35 * len(rows) + 1.2)), dpi=110,
                           layout="constrained")
    for y, (run, kind) in enumerate(rows):
        for r in d["runs"]:
            for e in r["events"]:
                if r["run"] == run and e["kind"] == kind:
                    ax.scatter(e["step"] or 0, y, color=COLORS.get(e["severity"], "k"), s=40,
                               marker="D" if e["severity"] == "error" else "o", zorder=3)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{names.get(r, r)} · {k}" for r, k in rows], fontsize=8)
    ax.set_xlabel("step")
    ax.set_title("diagnostics" if rows else "diagnostics: none raised")
    ax.grid(axis="x", alpha=0.3)
    return fig
