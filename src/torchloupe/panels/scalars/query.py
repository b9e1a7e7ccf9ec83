"""Scalar series for charts: the tags of runs, and one tag's series downsampled per run.

The page and :func:`.figure.figure` both draw from :func:`series`, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from ...analyze.blocks import downsample
from ...errors import LoupeValueError, NotFoundError
from ...store import Backend

MAX_WIDTH = 8192


def tags(store: Backend, runs: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Scalar keys with the runs that have them, sorted by key.

    Example:
        >>> tags(store)   # doctest: +SKIP
        [{'tag': 'train/loss', 'runs': ['k3j9x2ab']}]
    """
    return [{"tag": k, "runs": v} for k, v in store.keys_by_run(runs).items()]


def series(store: Backend, tag: str, runs: Sequence[str] | None = None,
           x: Literal["step", "wall"] = "step", lo: float | None = None, hi: float | None = None,
           width: int = 800) -> dict[str, Any]:
    """One tag of several runs, downsampled to ``width`` buckets over ``[lo, hi]`` (M4).

    A run without the tag is left out; a run whose data cannot be read is listed with ``error``.

    Example:
        >>> series(store, "train/loss", width=400)["series"][0]["n"]   # doctest: +SKIP
        100000
    """
    if x not in ("step", "wall"):
        raise LoupeValueError(f"x must be 'step' or 'wall', got {x!r}")
    if not 1 <= width <= MAX_WIDTH:
        raise LoupeValueError(f"width must be between 1 and {MAX_WIDTH} pixels, got {width}")
    if lo is not None and hi is not None and hi < lo:
        raise LoupeValueError(f"empty range: lo={lo} > hi={hi}")
    if runs is None:
        runs = store.keys_by_run().get(tag, [])
    out = []
    for run_id in runs:
        try:
            blocks = store.read_blocks(run_id, tag, x, width, lo, hi)
        except NotFoundError:
            continue
        except Exception as exc:  # a damaged run must not hide the others
            out.append({"run": run_id, "error": f"cannot read {tag!r}: {exc}"})
            continue
        d = downsample(blocks, width, x, lo, hi)
        out.append({
            "run": run_id, "n": d.points, "exact": d.exact,
            "x": _numbers(d.x, x == "step"), "y": _numbers(d.y),
            "buckets": {"x": _numbers(d.bucket_x, x == "step"), "mean": _numbers(d.bucket_mean),
                        "count": d.bucket_count},
            "nonfinite": [{"x": int(p[0]) if x == "step" else p[0], "nan": p[1], "posinf": p[2],
                           "neginf": p[3]} for p in d.nonfinite],
        })
    return {"tag": tag, "x": x, "width": width, "series": out}


def _numbers(a: np.ndarray, integer: bool = False) -> np.ndarray:
    """Chart coordinates: int64 steps; values as float32 (7 digits are plenty for a chart and
    halve the JSON) unless they would overflow it."""
    if integer:
        return a.astype(np.int64)
    if a.dtype == np.float64 and len(a) and np.abs(a).max() < 3e38 and not _is_time(a):
        return a.astype(np.float32)
    return a


def _is_time(a: np.ndarray) -> bool:
    """Wall-clock x values need float64: float32 would round them to minutes."""
    return bool(np.abs(a).max() > 1e8)


def has_data(store: Any, run_ids: list[str] | None = None) -> bool:
    """Whether one of the runs logged a scalar series."""
    return bool(store.keys_by_run(run_ids))
