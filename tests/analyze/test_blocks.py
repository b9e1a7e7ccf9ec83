import numpy as np
import pytest

from torchloupe.analyze.blocks import downsample, summarize


def _series(n, seed=0):
    rng = np.random.default_rng(seed)
    return np.arange(n, dtype=np.int64), np.linspace(1000.0, 2000.0, n), rng.normal(size=n)


@pytest.mark.parametrize("block", [1, 7, 256])
def test_summary_totals_match_the_points(block):
    steps, walls, values = _series(10_001)
    values[[5, 600, 9000]] = [np.nan, np.inf, -np.inf]
    b = summarize(steps, walls, values, block=block)
    assert b["n"].sum() == 10_001
    assert b["nf"].sum() == 10_001 - 3
    assert (b["nan"].sum(), b["pinf"].sum(), b["ninf"].sum()) == (1, 1, 1)
    finite = np.isfinite(values)
    assert np.isclose(b["sum"].sum(), values[finite].sum())
    assert np.nanmax(b["maxv"]) == values[finite].max()
    assert np.nanmin(b["minv"]) == values[finite].min()
    top = np.nanargmax(b["maxv"])
    assert values[b["maxs"][top]] == b["maxv"][top]


def test_block_of_only_nan_has_no_finite_points():
    b = summarize(np.arange(4), np.zeros(4), np.full(4, np.nan), block=2)
    assert b["nf"].tolist() == [0, 0]
    assert np.isnan(b["maxv"]).all()


@pytest.mark.parametrize("block", [1, 2])
def test_a_series_of_only_nonfinite_values_draws_no_points_and_reports_them(block):
    values = np.array([np.nan, np.inf, -np.inf, np.nan])
    d = downsample(summarize(np.arange(4), np.arange(4.0), values, block=block), width=10)
    assert len(d.x) == len(d.y) == len(d.bucket_count) == 0 and d.points == 4
    assert sum(n + p + m for _, n, p, m in d.nonfinite) == 4


@pytest.mark.parametrize("block", [1, 256])
def test_spike_survives_downsampling(block):
    steps, walls, values = _series(1_000_000)
    values[654_321] = 1e6
    d = downsample(summarize(steps, walls, values, block=block), width=800)
    assert d.y.max() == 1e6 and d.x[d.y.argmax()] == 654_321
    assert len(d.x) <= 4 * 800
    assert d.bucket_count.sum() == 1_000_000


def test_m4_keeps_first_last_min_max_of_every_bucket():
    steps, walls, values = _series(10_000, seed=3)
    d = downsample(summarize(steps, walls, values, block=1), width=10)
    for k in range(10):
        chunk = values[k * 1000:(k + 1) * 1000]
        xs = set(d.x[(d.x >= k * 1000) & (d.x < (k + 1) * 1000)].astype(int))
        want = {k * 1000, (k + 1) * 1000 - 1, k * 1000 + int(chunk.argmin()), k * 1000 + int(chunk.argmax())}
        assert want <= xs
    assert np.allclose(d.bucket_mean, values.reshape(10, 1000).mean(axis=1))


def test_short_series_is_exact():
    steps, walls, values = _series(50)
    d = downsample(summarize(steps, walls, values, block=1), width=800)
    assert d.exact and np.array_equal(d.y, values)


def test_nonfinite_buckets_are_reported_by_wall_time():
    steps, walls, values = _series(1000)
    values[10] = np.nan
    values[11] = np.inf
    d = downsample(summarize(steps, walls, values, block=1), width=100, axis="wall")
    assert len(d.nonfinite) == 1
    x, nan, pinf, ninf = d.nonfinite[0]
    assert (nan, pinf, ninf) == (1, 1, 0) and x == walls[10]


def test_range_restricts_buckets():
    steps, walls, values = _series(1000)
    b = summarize(steps, walls, values, block=1)
    keep = (steps >= 100) & (steps <= 200)
    d = downsample(b[keep], width=50, lo=100, hi=200)
    assert d.x.min() >= 100 and d.x.max() <= 200


def test_width_must_be_positive():
    with pytest.raises(ValueError, match="width"):
        downsample(summarize(*_series(3)), width=0)
