"""Export a run's series to CSV or Parquet, in long form (one row per point) for BI tools."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..errors import LoupeValueError
from ..store.reader import RunReader

FORMATS = ("csv", "parquet")


def run_frame(run: RunReader) -> pd.DataFrame:
    """Every point of every series of ``run``: columns run_id, run_name, key, step, value, wall_time.

    Example:
        >>> run_frame(tl.open("./loupe").run("brisk-otter-1")).head()   # doctest: +SKIP
    """
    frames = []
    for key in run.keys():
        df = run.scalars(key)
        df.insert(0, "key", key)
        frames.append(df)
    cols = ["key", "step", "value", "wall_time"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    out.insert(0, "run_name", run.name)
    out.insert(0, "run_id", run.id)
    return out


def export_run(run: RunReader, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write ``run_frame(run)`` to ``path`` as CSV or Parquet (from ``fmt`` or the suffix).

    Example:
        >>> export_run(tl.open("./loupe").run("brisk-otter-1"), "run.parquet")   # doctest: +SKIP
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise LoupeValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    df = run_frame(run)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        df.to_csv(path, index=False)
    else:
        df.to_parquet(path, index=False)
    return path
