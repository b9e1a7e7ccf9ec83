"""Smoothing of scalar series, as TensorBoard does it (a debiased exponential moving average).

The one implementation in Python: :func:`ema_buckets`; :func:`ema` is its one-point-per-bucket
case. The page smooths with ``web/src/smoothing.ts``, the same algorithm; both test suites check
their function against the cases of ``web/src/smoothing.cases.json``, so the two cannot drift.
"""

from __future__ import annotations

import numpy as np


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """Debiased exponential moving average, point by point; NaN/±Inf points are skipped (they
    stay NaN in the result and do not move the average).

    ``s_i = w * s_{i-1} + (1 - w) * v_i`` started at 0 and divided by ``1 - w**k`` (k = finite points
    so far), so the first smoothed value equals the first value, as in TensorBoard.

    Args:
        values: the series, in x order.
        weight: 0 (no smoothing) to < 1.

    Example:
        >>> ema(np.array([1.0, 3.0]), 0.5).tolist()
        [1.0, 2.3333333333333335]
    """
    values = np.asarray(values, dtype=np.float64)
    return ema_buckets(values, np.isfinite(values).astype(np.int64), weight)


def ema_buckets(mean: np.ndarray, count: np.ndarray, weight: float) -> np.ndarray:
    """The debiased EMA of a series known only by bucket means and counts.

    Over a bucket of ``c`` points with mean ``m`` the average decays by ``w**c`` and moves toward
    ``m``; with one point per bucket this is exactly :func:`ema`. A bucket without finite values
    (a count of 0, or a mean that is not finite) is skipped: NaN in the result, the average left
    as it was. The dashboard smooths the same way, so a chart looks the same at every zoom level.

    Example:
        >>> ema_buckets(np.array([1.0, 3.0]), np.array([1, 1]), 0.5).tolist()
        [1.0, 2.3333333333333335]
    """
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
    mean = np.asarray(mean, dtype=np.float64)
    count = np.asarray(count, dtype=np.float64)
    out = np.full_like(mean, np.nan)
    acc, norm = 0.0, 0.0
    for i, (m, c) in enumerate(zip(mean.tolist(), count.tolist())):
        if not (c > 0 and np.isfinite(m)):
            continue
        decay = weight**c
        acc = decay * acc + (1.0 - decay) * m
        norm = decay * norm + (1.0 - decay)
        out[i] = acc / norm
    return out
