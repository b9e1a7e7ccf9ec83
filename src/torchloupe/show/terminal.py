"""Terminal views of a store with Rich: the runs table and one run's details with sparklines."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..store.reader import RunReader, Store

SPARKS = "▁▂▃▄▅▆▇█"
STATUS_STYLE = {"running": "bold cyan", "finished": "green", "crashed": "bold red"}


def sparkline(values: np.ndarray, width: int = 32) -> str:
    """A one-line chart of ``values`` (bucket means), ``!`` where a bucket holds NaN/Inf only.

    Example:
        >>> sparkline(np.array([0.0, 1.0, 2.0, 3.0]), width=4)
        '▁▃▆█'
    """
    values = np.asarray(values, dtype=np.float64)
    if len(values) == 0:
        return ""
    buckets = np.array_split(values, min(width, len(values)))
    means = []
    for b in buckets:
        finite = b[np.isfinite(b)]
        means.append(finite.mean() if len(finite) else math.nan)
    arr = np.array(means)
    finite = arr[np.isfinite(arr)]
    if len(finite) == 0:
        return "!" * len(arr)
    lo, hi = finite.min(), finite.max()
    span = hi - lo
    if span <= 1e-9 * max(abs(lo), abs(hi), 1e-300):  # flat, up to rounding in the means
        return "".join("!" if not math.isfinite(v) else SPARKS[3] for v in arr)
    return "".join("!" if not math.isfinite(v) else SPARKS[int((v - lo) / span * (len(SPARKS) - 1))]
                   for v in arr)


def _time(ts: float | None, short: bool = False) -> str:
    if ts is None:
        return ""
    return dt.datetime.fromtimestamp(ts).strftime("%m-%d %H:%M" if short else "%Y-%m-%d %H:%M:%S")


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else (f"{m}m{s:02d}s" if m else f"{s}s")


def _number(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def runs_table(store: Store, project: str | None = None) -> Table:
    """Every run as a Rich table (newest first).

    Example:
        >>> Console().print(runs_table(tl.open("./loupe")))   # doctest: +SKIP
    """
    table = Table(title=f"runs in {store.dir}", title_justify="left", box=box.SIMPLE_HEAD,
                  padding=(0, 1), pad_edge=False)
    for col in ("id", "name", "project", "status", "started", "duration", "keys"):
        table.add_column(col, no_wrap=True)
    table.add_column("summary", overflow="fold", ratio=1)
    for r in store.runs(project):
        info = r.series_info()
        summary = ", ".join(f"{k}={_number(v)}" for k, v in list(r.summary.items())[:4])
        table.add_row(Text(r.id), Text(r.name), Text(r.project),
                      Text(r.status.value, style=STATUS_STYLE.get(r.status.value, "")),
                      _time(r.started, short=True), _duration(r.duration), str(len(info)), Text(summary))
    return table


def run_view(run: RunReader, width: int = 32, console_width: int | None = None) -> Group:
    """One run: identity, config, summary, and every series' last value with a sparkline.

    The sparklines shrink to leave the other columns room in a ``console_width`` terminal.
    """
    if console_width is not None:
        key_width = max((len(k) for k in run.keys()), default=4)
        width = max(8, min(width, console_width - key_width - 52))
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("run", Text(f"{run.name} ({run.id})"))
    head.add_row("project", Text(run.project))
    head.add_row("status", Text(run.status.value, style=STATUS_STYLE.get(run.status.value, "")))
    head.add_row("started", _time(run.started))
    head.add_row("duration", _duration(run.duration))
    parts: list[Any] = [Panel(head, title="torchloupe", expand=False)]
    for title, mapping in (("config", run.config), ("summary", run.summary)):
        if mapping:
            t = Table(title=title, title_justify="left", show_header=False)
            t.add_column(style="bold")
            t.add_column()
            for k, v in _flatten(mapping).items():
                t.add_row(Text(k), Text(_number(v)))
            parts.append(t)
    series = Table(title="series", title_justify="left", padding=(0, 1))
    series.add_column("key", no_wrap=True)
    for col in ("points", "last step", "last", "min", "max", "nan/inf"):
        series.add_column(col, no_wrap=True, justify="right")
    series.add_column("trend", no_wrap=True, min_width=width)
    for info in run.series_info():
        steps, values, _ = run.arrays(info.key)
        finite = values[np.isfinite(values)]
        bad = len(values) - len(finite)
        last = _number(float(values[-1])) if len(values) else ""
        series.add_row(Text(info.key), str(info.points), str(info.last_step), last,
                       _number(float(finite.min())) if len(finite) else "",
                       _number(float(finite.max())) if len(finite) else "",
                       Text(str(bad) if bad else "", style="bold red"),
                       Text(sparkline(values, width), style="cyan"))
    parts.append(series)
    parts.extend(_model_tables(run))
    events = run.events()
    if len(events):  # diagnostics from run.watch / run.event, most severe first
        diag = Table(title="diagnostics", title_justify="left", padding=(0, 1))
        for col in ("severity", "step", "kind", "where", "message"):
            diag.add_column(col, no_wrap=col != "message", overflow="fold")
        order = {"error": 0, "warning": 1, "info": 2}
        for e in sorted(events.itertuples(), key=lambda e: (order.get(e.severity, 3), e.step or 0)):
            style = {"error": "bold red", "warning": "yellow"}.get(e.severity, "")
            diag.add_row(Text(e.severity, style=style), str(e.step), Text(e.kind), Text(e.where or ""),
                         Text(e.message))
        parts.append(diag)
    return Group(*parts)


def _model_tables(run: RunReader) -> list[Any]:
    """The summary table of each model the run logged with ``run.log_model`` (two levels deep)."""
    from ..analyze.model_summary import ModelSummary, rich_table
    from ..panels.model_summary.query import summaries

    tables = []
    for entry in summaries(run._store, run.id)["models"]:
        table = rich_table(ModelSummary.from_dict(entry["summary"]), max_depth=2)
        table.title = f"model {entry['name']}"
        table.title_justify = "left"
        tables.append(table)
    return tables


def _flatten(mapping: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in mapping.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out
