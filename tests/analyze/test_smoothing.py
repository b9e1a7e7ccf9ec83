"""Python's smoothing and the page's (web/src/smoothing.ts) agree: both check the shared cases."""

import json
from pathlib import Path

import numpy as np
import pytest

from torchloupe.analyze.smoothing import ema, ema_buckets

CASES = json.loads((Path(__file__).parents[2] / "web" / "src" / "smoothing.cases.json").read_text())["cases"]


def _nan(values):
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _point_by_point(mean, count, w):
    """The reference: every bucket expanded into ``count`` equal points, smoothed one by one."""
    last = debias = 0.0
    out = []
    for m, c in zip(mean, count):
        if m is None or c <= 0:
            out.append(None)
            continue
        for _ in range(c):
            last = last * w + (1 - w) * m
            debias = debias * w + (1 - w)
        out.append(last / debias)
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_python_smoothing_gives_the_shared_cases(case):
    got = ema_buckets(_nan(case["mean"]), np.array(case["count"]), case["weight"])
    np.testing.assert_allclose(got, _nan(case["expected"]), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_shared_cases_are_the_point_by_point_ema(case):
    want = _point_by_point(case["mean"], case["count"], case["weight"])
    np.testing.assert_allclose(_nan(case["expected"]), _nan(want), rtol=1e-9, atol=1e-12)


def test_ema_is_the_one_point_bucket_case():
    v = np.array([1.0, 2.0, np.nan, 4.0, np.inf, 3.0])
    out = ema(v, 0.6)
    assert out[0] == 1.0
    assert out[1] == pytest.approx((0.4 * 0.6 * 1 + 0.4 * 2) / (1 - 0.36))
    assert np.isnan(out[2]) and np.isnan(out[4])  # skipped, and the average does not move:
    np.testing.assert_allclose(out[[0, 1, 3, 5]], ema(v[[0, 1, 3, 5]], 0.6))


def test_a_weight_out_of_range_is_refused():
    with pytest.raises(ValueError, match="smoothing weight"):
        ema(np.ones(3), 1.0)
