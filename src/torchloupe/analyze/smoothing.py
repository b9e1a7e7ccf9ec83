"""Smoothing of scalar series, as TensorBoard does it (a debiased exponential moving average)."""

from __future__ import annotations

import numpy as np


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """Debiased exponential moving average; NaN/Inf points are skipped (they keep the last value).

    ``s_i = w * s_{i-1} + (1 - w) * v_i`` started at 0 and divided by ``1 - w**k`` (k = finite points
    so far), so the first smoothed value equals the first value, as in TensorBoard.

    Args:
        values: the series, in x order.
        weight: 0 (no smoothing) to < 1.

    Example:
        >>> ema(np.array([1.0, 3.0]), 0.5).tolist()
        [1.0, 2.3333333333333335]
    """
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
    values = np.asarray(values, dtype=np.float64)
    out = np.empty_like(values)
    acc, k, last = 0.0, 0, np.nan
    for i, v in enumerate(values.tolist()):
        if np.isfinite(v):
            acc = weight * acc + (1.0 - weight) * v
            k += 1
            last = acc / (1.0 - weight**k) if weight > 0 else v
        out[i] = last
    return out


def ema_buckets(mean: np.ndarray, count: np.ndarray, weight: float) -> np.ndarray:
    """The debiased EMA of a series known only by bucket means and counts.

    Over a bucket of ``c`` points with mean ``m`` the average decays by ``w**c`` and moves toward
    ``m``; with one point per bucket this is exactly :func:`ema`. The dashboard smooths the same
    way, so a chart looks the same at every zoom level.

    Example:
        >>> ema_buckets(np.array([1.0, 3.0]), np.array([1, 1]), 0.5).tolist()
        [1.0, 2.3333333333333335]
    """
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
    mean = np.asarray(mean, dtype=np.float64)
    count = np.asarray(count, dtype=np.float64)
    out = np.empty_like(mean)
    acc, norm = 0.0, 0.0
    for i, (m, c) in enumerate(zip(mean.tolist(), count.tolist())):
        decay = weight**c
        acc = decay * acc + (1.0 - decay) * m
        norm = decay * norm + (1.0 - decay)
        out[i] = acc / norm if norm > 0 else m
    return out
