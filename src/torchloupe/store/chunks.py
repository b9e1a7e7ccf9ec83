"""How a series is cut into chunks and read back for a chart, shared by every backend.

A series is stored as chunks of consecutive points. Small appends become small chunks, merged
like a counter in base :data:`FANOUT` until a chunk reaches :data:`SEAL` points; chunks of at
least :data:`SUMMARY_MIN` points carry block summaries at two levels. A chart reads, chunk by
chunk, the summaries or the points (:func:`plan_reads`). Backends keep the chunks their own way
(SQLite rows, NumPy arrays in memory) behind :class:`ChunkSink`; since the layout and the read
plan are computed here, every backend gives the same block records for the same appends, and a
chart is drawn the same from any of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from ..analyze.blocks import BLOCK, Axis, combine, summarize

FANOUT = 8
"""Chunks of one level that are merged into one chunk of the next level."""
SEAL = 65_536
"""A chunk of at least this many points is never merged again."""
SUMMARY_MIN = 2_048
"""Chunks of at least this many points carry block summaries."""
COARSE = 16
"""Records of the first summary level merged into one of the second (``summary2``)."""

Tail = list[tuple[int, int, int]]
"""The unsealed chunks of one series written by this process: (chunk id, points, level)."""
How = Literal["points", "summary", "summary2"]


class ChunkSink(Protocol):
    """Where one series' chunks are kept: what :func:`append_chunks` needs of a backend."""

    def insert(self, start: int, level: int, steps: np.ndarray, walls: np.ndarray,
               values: np.ndarray) -> int:
        """Store a chunk whose first point is point ``start`` of the series; return its id."""

    def take(self, ids: list[int]) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        """Remove the given neighbouring chunks; return the first one's start and their points
        (steps, walls, values) in series order."""


def summaries(steps: np.ndarray, walls: np.ndarray,
              values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The two summary levels a chunk carries (None for a chunk too small to need them).

    Example:
        >>> x = np.arange(4096)
        >>> fine, coarse = summaries(x, x * 1.0, x * 1.0)
        >>> len(fine), len(coarse)
        (64, 4)
    """
    if len(values) < SUMMARY_MIN:
        return None
    blocks = summarize(steps, walls, values)
    return blocks, combine(blocks, COARSE)


def append_chunks(sink: ChunkSink, tail: Tail, start: int, steps: np.ndarray, walls: np.ndarray,
                  values: np.ndarray) -> None:
    """Store points appended to a series (``start``: how many it had) and merge its small chunks.

    Example:
        >>> class Sink:
        ...     def __init__(self): self.chunks = {}
        ...     def insert(self, start, level, s, w, v):
        ...         self.chunks[len(self.chunks) + 1] = (start, level, len(v)); return len(self.chunks)
        ...     def take(self, ids): raise AssertionError("no merge expected")
        >>> sink, tail = Sink(), []
        >>> append_chunks(sink, tail, 0, np.arange(3), np.zeros(3), np.zeros(3))
        >>> sink.chunks, tail
        ({1: (0, 0, 3)}, [(1, 3, 0)])
    """
    n = len(values)
    if n >= SEAL and tail:
        # A sealed chunk is about to follow the tail: merge the tail now and never again, so
        # that no later merge spans the sealed chunk (chunks must stay contiguous in order).
        merge_tail(sink, tail, everything=True)
        tail.clear()
    for lo in range(0, n, SEAL):
        hi = min(lo + SEAL, n)
        cid = sink.insert(start + lo, 0, steps[lo:hi], walls[lo:hi], values[lo:hi])
        if hi - lo < SEAL:
            tail.append((cid, hi - lo, 0))
    merge_tail(sink, tail)


def merge_tail(sink: ChunkSink, tail: Tail, everything: bool = False) -> None:
    """Merge small chunks like a counter in base :data:`FANOUT`, so a series has few chunks
    (``everything``: merge the whole tail into one chunk, as a run's ``finish`` does).

    Each point is rewritten O(log_FANOUT(SEAL / append size)) times in all.

    Example:
        >>> merge_tail(None, [(1, 10, 0)])  # one chunk: nothing to merge
    """
    while len(tail) >= 2:
        level = tail[-1][2]
        group = tail[-FANOUT:]
        if not everything and (len(group) < FANOUT or any(t[2] != level for t in group)):
            return
        if everything:
            group = list(tail)
        start, steps, walls, values = sink.take([t[0] for t in group])
        cid = sink.insert(start, level + 1, steps, walls, values)
        del tail[-len(group):]
        if len(values) < SEAL and not everything:
            tail.append((cid, len(values), level + 1))
        if everything:
            return


@dataclass(frozen=True)
class ChunkMeta:
    """What :func:`plan_reads` needs to know of a stored chunk: its x range (``lo``, ``hi``) and
    which summary levels it carries (a store written before the second level lacks it)."""

    id: int
    n: int
    lo: float
    hi: float
    summary: bool
    summary2: bool


def plan_reads(chunks: Sequence[ChunkMeta], width: int, lo: float | None,
               hi: float | None) -> list[tuple[How, list[int]]]:
    """How to read the chunks that overlap ``[lo, hi]`` for a chart ``width`` pixels wide: runs
    of consecutive chunks (ids) read the same way, in series order.

    A chunk lying wholly inside the range is read as its coarse summaries at ≥ 1,024 points per
    pixel, its fine ones at ≥ 64, otherwise as its points (as are chunks without summaries).

    Example:
        >>> plan_reads([ChunkMeta(1, 65536, 0, 65535, True, True),
        ...             ChunkMeta(2, 5, 65536, 65540, False, False)], width=10, lo=None, hi=None)
        [('summary2', [1]), ('points', [2])]
    """
    total = sum(c.n for c in chunks)
    per_pixel = total / max(width, 1)
    coarse, coarser = per_pixel >= BLOCK, per_pixel >= BLOCK * COARSE
    plan: list[tuple[How, list[int]]] = []
    for c in chunks:
        inside = (lo is None or c.lo >= lo) and (hi is None or c.hi <= hi)
        how: How = "points"
        if coarse and inside and c.summary:
            how = "summary2" if coarser and c.summary2 else "summary"
        if plan and plan[-1][0] == how:
            plan[-1][1].append(c.id)
        else:
            plan.append((how, [c.id]))
    return plan


def overlaps(lo_x: float, hi_x: float, lo: float | None, hi: float | None) -> bool:
    """Whether a chunk spanning ``[lo_x, hi_x]`` has points in ``[lo, hi]``.

    Example:
        >>> overlaps(0, 10, 5, None), overlaps(0, 10, 11, 20)
        (True, False)
    """
    return (lo is None or hi_x >= lo) and (hi is None or lo_x <= hi)


def point_blocks(steps: np.ndarray, walls: np.ndarray, values: np.ndarray, axis: Axis,
                 lo: float | None, hi: float | None, *, sort: bool = False) -> np.ndarray:
    """Points in ``[lo, hi]`` as blocks of one (``sort``: in x order first, for a series whose
    x went back).

    Example:
        >>> b = point_blocks(np.array([2, 1]), np.zeros(2), np.array([5.0, 6.0]), "step", None,
        ...                  None, sort=True)
        >>> b["s0"].tolist(), b["fv"].tolist()
        ([1, 2], [6.0, 5.0])
    """
    x = steps if axis == "step" else walls
    if sort:
        order = np.argsort(x, kind="stable")
        steps, walls, values, x = steps[order], walls[order], values[order], x[order]
    keep = np.ones(len(x), dtype=bool)
    if lo is not None:
        keep &= x >= lo
    if hi is not None:
        keep &= x <= hi
    return summarize(steps[keep], walls[keep], values[keep], block=1)
