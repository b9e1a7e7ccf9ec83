"""Block summaries of a scalar series and spike-preserving downsampling over them.

A series is cut into blocks of consecutive points. Each block is summarized by one record of
``BLOCK_DTYPE``: its first and last point, its smallest and largest finite point (with the step
and wall time where they occur), the sum and count of its finite values and its NaN/±Inf counts.
The store keeps these records beside every large chunk, so a chart of a 10M-point series is drawn
from ~40k records instead of 10M points; a single raw point is simply a block of one.

Downsampling is M4 (first, last, min and max per pixel column, Jugel et al. 2014): every spike in
the data is still in the result, unlike reservoir sampling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Axis = Literal["step", "wall"]

BLOCK = 64
"""Points per block in stored summaries."""

BLOCK_DTYPE = np.dtype(
    [
        ("n", "<i4"), ("nf", "<i4"), ("nan", "<i4"), ("pinf", "<i4"), ("ninf", "<i4"),
        ("s0", "<i8"), ("s1", "<i8"), ("w0", "<f8"), ("w1", "<f8"),
        ("fs", "<i8"), ("fw", "<f8"), ("fv", "<f8"),
        ("ls", "<i8"), ("lw", "<f8"), ("lv", "<f8"),
        ("mins", "<i8"), ("minw", "<f8"), ("minv", "<f8"),
        ("maxs", "<i8"), ("maxw", "<f8"), ("maxv", "<f8"),
        ("sum", "<f8"),
        ("nfs", "<i8"), ("nfw", "<f8"),
    ]
)


def summarize(steps: np.ndarray, walls: np.ndarray, values: np.ndarray, block: int = BLOCK) -> np.ndarray:
    """Summarize consecutive points into blocks of ``block`` points (the last may be shorter).

    Args:
        steps: int64 steps, in the order the points were logged.
        walls: float64 wall times (Unix seconds), same length.
        values: float64 values, same length; NaN and ±Inf are counted, not summed.
        block: points per block; 1 turns every point into its own record.

    Returns:
        A structured array of ``BLOCK_DTYPE``, one record per block.

    Example:
        >>> b = summarize(np.arange(4), np.zeros(4), np.array([1.0, 5.0, np.nan, 2.0]), block=4)
        >>> int(b["nf"][0]), float(b["maxv"][0]), int(b["maxs"][0]), int(b["nan"][0])
        (3, 5.0, 1, 1)
    """
    n = len(values)
    nb = (n + block - 1) // block
    out = np.zeros(nb, dtype=BLOCK_DTYPE)
    if n == 0:
        return out
    steps = np.asarray(steps, dtype=np.int64)
    walls = np.asarray(walls, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if block == 1:
        return _points_as_blocks(out, steps, walls, values)
    starts = np.arange(0, n, block)
    ends = np.minimum(starts + block, n) - 1
    out["n"] = ends - starts + 1
    out["s0"], out["s1"] = steps[starts], steps[ends]
    out["w0"], out["w1"] = walls[starts], walls[ends]
    pad = nb * block - n
    # Rows of `block` points; the padding is NaN in `v` but left out of every count via `real`.
    v = (np.concatenate([values, np.full(pad, np.nan)]) if pad else values).reshape(nb, block)
    real = np.ones((nb, block), dtype=bool)
    if pad:
        real[-1, block - pad:] = False
    finite = np.isfinite(v)
    bad = ~finite & real
    out["nan"] = (np.isnan(v) & real).sum(axis=1)
    out["pinf"] = (v == np.inf).sum(axis=1)
    out["ninf"] = (v == -np.inf).sum(axis=1)
    out["nf"] = finite.sum(axis=1)
    out["sum"] = np.where(finite, v, 0.0).sum(axis=1)
    has = out["nf"] > 0
    base = np.arange(nb) * block
    picks = {
        "f": np.argmax(finite, axis=1),
        "l": block - 1 - np.argmax(finite[:, ::-1], axis=1),
        "min": np.argmin(np.where(finite, v, np.inf), axis=1),
        "max": np.argmax(np.where(finite, v, -np.inf), axis=1),
    }
    for prefix, col in picks.items():
        idx = np.minimum(base + col, n - 1)
        out[prefix + "s"] = steps[idx]
        out[prefix + "w"] = walls[idx]
        out[prefix + "v"] = np.where(has, values[idx], np.nan)
    first_bad = np.minimum(base + np.argmax(bad, axis=1), n - 1)
    out["nfs"] = steps[first_bad]
    out["nfw"] = walls[first_bad]
    return out


def _points_as_blocks(out: np.ndarray, steps: np.ndarray, walls: np.ndarray,
                      values: np.ndarray) -> np.ndarray:
    """Blocks of one point each: a plain copy of the columns."""
    finite = np.isfinite(values)
    out["n"] = 1
    out["nf"] = finite
    out["nan"] = np.isnan(values)
    out["pinf"] = values == np.inf
    out["ninf"] = values == -np.inf
    clean = np.where(finite, values, np.nan)
    for prefix in ("s0", "s1", "fs", "ls", "mins", "maxs", "nfs"):
        out[prefix] = steps
    for prefix in ("w0", "w1", "fw", "lw", "minw", "maxw", "nfw"):
        out[prefix] = walls
    for prefix in ("fv", "lv", "minv", "maxv"):
        out[prefix] = clean
    out["sum"] = np.where(finite, values, 0.0)
    return out


@dataclass(frozen=True)
class Downsampled:
    """A series reduced for a chart ``width`` pixels wide.

    ``x``/``y`` are the M4 points to draw, in x order; ``bucket_x``/``bucket_mean``/``bucket_count``
    describe each non-empty bucket (first x, mean and number of finite values); ``nonfinite`` lists
    ``(x, nan, posinf, neginf)`` for buckets holding non-finite values; ``exact`` is true when no
    point was left out.
    """

    x: np.ndarray
    y: np.ndarray
    bucket_x: np.ndarray
    bucket_mean: np.ndarray
    bucket_count: np.ndarray
    nonfinite: list[tuple[float, int, int, int]]
    exact: bool
    points: int


def downsample(blocks: np.ndarray, width: int, axis: Axis = "step",
               lo: float | None = None, hi: float | None = None) -> Downsampled:
    """Reduce x-ordered block records to at most ~4 points per pixel column, keeping every extreme.

    Args:
        blocks: ``BLOCK_DTYPE`` records in x order (see :func:`summarize`); blocks of one point
            give an exact M4 reduction, larger blocks one that is exact up to block boundaries.
        width: number of buckets (the chart's width in pixels).
        axis: ``"step"`` or ``"wall"``: which coordinate is x.
        lo, hi: the x range of the buckets; default: the data's range.

    Returns:
        A :class:`Downsampled`.

    Example:
        >>> y = np.zeros(10_000); y[4321] = 99.0
        >>> d = downsample(summarize(np.arange(10_000), np.zeros(10_000), y, block=1), width=100)
        >>> float(d.y.max()), int(d.x[d.y.argmax()]), len(d.x) <= 400
        (99.0, 4321, True)
    """
    if width < 1:
        raise ValueError(f"width must be a positive number of pixels, got {width}")
    xs = "s" if axis == "step" else "w"
    points = int(blocks["n"].sum())
    if len(blocks) == 0:
        empty = np.zeros(0)
        return Downsampled(empty, empty, empty, empty, np.zeros(0, np.int64), [], True, 0)
    x0 = blocks[xs + "0"].astype(np.float64)
    lo = float(x0[0]) if lo is None else float(lo)
    hi = float(blocks[xs + "1"][-1]) if hi is None else float(hi)
    span = hi - lo if hi > lo else 1.0
    bucket = np.clip(((x0 - lo) / span * width).astype(np.int64), 0, width - 1)
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    bid = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(blocks)]))
    nf = blocks["nf"]
    count = np.add.reduceat(nf, starts)
    total = np.add.reduceat(blocks["sum"], starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    has = nf > 0
    cand = [_per_bucket(blocks, bid, has, "f", xs, first=True),
            _per_bucket(blocks, bid, has, "l", xs, first=False),
            _extreme(blocks, bid, has, "min", xs, np.fmin),
            _extreme(blocks, bid, has, "max", xs, np.fmax)]
    px = np.concatenate([c[0] for c in cand])
    py = np.concatenate([c[1] for c in cand])
    order = np.lexsort((py, px))
    px, py = px[order], py[order]
    keep = np.ones(len(px), dtype=bool)  # none at all when every value is NaN or ±Inf
    keep[1:] = (px[1:] != px[:-1]) | (py[1:] != py[:-1])
    px, py = px[keep], py[keep]
    nonfinite = _nonfinite(blocks, bid, xs)
    ok = count > 0
    bx = blocks[xs + "0"][starts].astype(np.float64)
    exact = bool(np.all(blocks["n"] == 1)) and len(px) == int(nf.sum())
    return Downsampled(px, py, bx[ok], mean[ok], count[ok].astype(np.int64), nonfinite, exact, points)


def _firsts(b: np.ndarray) -> np.ndarray:
    """Positions of the first element of each run of equal values in a sorted array."""
    return np.flatnonzero(np.r_[True, b[1:] != b[:-1]])


def _lasts(b: np.ndarray) -> np.ndarray:
    """Positions of the last element of each run of equal values in a sorted array."""
    return np.flatnonzero(np.r_[b[1:] != b[:-1], True])


def _per_bucket(blocks, bid, has, prefix, xs, first: bool):
    idx = np.flatnonzero(has)
    if len(idx) == 0:
        return np.zeros(0), np.zeros(0)
    b = bid[idx]
    sel = idx[_firsts(b) if first else _lasts(b)]
    return blocks[prefix + xs][sel].astype(np.float64), blocks[prefix + "v"][sel]


def _extreme(blocks, bid, has, name, xs, reduce):
    idx = np.flatnonzero(has)
    if len(idx) == 0:
        return np.zeros(0), np.zeros(0)
    v = blocks[name + "v"][idx]
    b = bid[idx]
    starts = _firsts(b)
    ext = reduce.reduceat(v, starts)
    per = np.repeat(ext, np.diff(np.r_[starts, len(b)]))
    hit = np.flatnonzero(v == per)
    sel = idx[hit[_firsts(b[hit])]]
    return blocks[name + xs][sel].astype(np.float64), blocks[name + "v"][sel]


def _nonfinite(blocks, bid, xs) -> list[tuple[float, int, int, int]]:
    bad = np.flatnonzero(blocks["nan"] + blocks["pinf"] + blocks["ninf"] > 0)
    if len(bad) == 0:
        return []
    b = bid[bad]
    starts = _firsts(b)
    nan = np.add.reduceat(blocks["nan"][bad], starts)
    pinf = np.add.reduceat(blocks["pinf"][bad], starts)
    ninf = np.add.reduceat(blocks["ninf"][bad], starts)
    first_x = blocks["nf" + xs][bad[starts]].astype(np.float64)
    return [(float(x), int(a), int(p), int(m)) for x, a, p, m in zip(first_x, nan, pinf, ninf)]


def combine(blocks: np.ndarray, factor: int) -> np.ndarray:
    """Merge every ``factor`` consecutive block records into one (the last group may be shorter).

    The result summarizes the same points as ``summarize`` with ``block * factor`` would, without
    reading them again: the store keeps a second, coarser level this way for very long series.

    Example:
        >>> v = np.arange(8.0); b = summarize(np.arange(8), np.zeros(8), v, block=2)
        >>> c = combine(b, 2)
        >>> c["n"].tolist(), c["maxv"].tolist(), c["sum"].tolist()
        ([4, 4], [3.0, 7.0], [6.0, 22.0])
    """
    n = len(blocks)
    groups = (n + factor - 1) // factor
    out = np.zeros(groups, dtype=BLOCK_DTYPE)
    if n == 0:
        return out
    pad = groups * factor - n
    padded = np.concatenate([blocks, np.zeros(pad, dtype=BLOCK_DTYPE)]) if pad else blocks
    real = np.ones(groups * factor, dtype=bool)
    if pad:
        real[n:] = False
    g = padded.reshape(groups, factor)
    real = real.reshape(groups, factor)
    for name in ("n", "nf", "nan", "pinf", "ninf", "sum"):
        out[name] = g[name].sum(axis=1)
    rows = np.arange(groups)
    last_real = real.shape[1] - 1 - np.argmax(real[:, ::-1], axis=1)
    out["s0"], out["w0"] = g["s0"][:, 0], g["w0"][:, 0]
    out["s1"], out["w1"] = g["s1"][rows, last_real], g["w1"][rows, last_real]
    has = g["nf"] > 0
    first = np.argmax(has, axis=1)
    last = has.shape[1] - 1 - np.argmax(has[:, ::-1], axis=1)
    for prefix, col in (("f", first), ("l", last)):
        for f in ("s", "w", "v"):
            out[prefix + f] = g[prefix + f][rows, col]
    with np.errstate(invalid="ignore"):
        mins = np.argmin(np.where(has, g["minv"], np.inf), axis=1)
        maxs = np.argmax(np.where(has, g["maxv"], -np.inf), axis=1)
    for name, col in (("min", mins), ("max", maxs)):
        for f in ("s", "w", "v"):
            out[name + f] = g[name + f][rows, col]
    anyfinite = out["nf"] > 0
    for name in ("fv", "lv", "minv", "maxv"):
        out[name] = np.where(anyfinite, out[name], np.nan)
    bad = (g["nan"] + g["pinf"] + g["ninf"]) > 0
    col = np.argmax(bad, axis=1)
    out["nfs"], out["nfw"] = g["nfs"][rows, col], g["nfw"][rows, col]
    return out
