"""The streaming loss rules: what each fires on, and that the findings depend only on the points
fed, never on how they were cut into chunks or how the two series' chunks interleave."""

from __future__ import annotations

import numpy as np
import pytest

from torchloupe.analyze.diagnostics import MAX_WAITING, LossMonitor, Thresholds, check_loss


def _fired(findings):
    """kind -> (message, data); each kind fires at most once."""
    out = {}
    for f in findings:
        assert f.kind not in out, f"{f.kind} fired twice"
        out[f.kind] = (f.message, f.data)
    return out


def _calls(train, val_every=None, val=None, implicit=False):
    """A logging order: ("train", step, value) at every step and ("val", step, value) after the
    training point of every ``val_every``-th step (at the next step with implicit steps)."""
    calls, step = [], 0
    for i, x in enumerate(train):
        calls.append(("train", step, x))
        step += 1
        if val_every and i % val_every == val_every - 1:
            calls.append(("val", step if implicit else step - 1, val[i // val_every]))
            if implicit:
                step += 1
    return calls


def _one_by_one(calls, t):
    m, out = LossMonitor(t), []
    for series, step, value in calls:
        feed = m.feed_train if series == "train" else m.feed_val
        out += feed([step], [value])
    return out


def _chunked(calls, t, rng, max_chunk):
    """As the writer hands them over: the calls cut into writes of random size, each write's
    points grouped per series, the two series of a write in a random order."""
    m, out, i = LossMonitor(t), [], 0
    while i < len(calls):
        n = int(rng.integers(1, max_chunk + 1))
        write, i = calls[i:i + n], i + n
        parts = []
        for series in ("train", "val"):
            pts = [(s, v) for name, s, v in write if name == series]
            if pts:
                parts.append((series, np.array([s for s, _ in pts]), np.array([v for _, v in pts])))
        if rng.random() < 0.5:
            parts.reverse()
        for series, steps, values in parts:
            out += (m.feed_train if series == "train" else m.feed_val)(steps, values)
    return out


def _scenario(rng, n=600):
    """Noisy falling training loss that flattens, validation that bottoms out and rises; a NaN
    now and then."""
    steps = np.arange(n)
    train = 2.0 * np.exp(-steps / rng.uniform(40, 200)) + 0.3 + rng.normal(0, rng.uniform(0, 0.05), n)
    val_n = n // 10
    bottom = int(rng.integers(5, val_n))
    val = 1.0 + 0.02 * np.abs(np.arange(val_n) - bottom) * rng.uniform(0.5, 3) + rng.normal(0, 0.01, val_n)
    if rng.random() < 0.3:
        train[int(rng.integers(100, n))] = np.nan
    if rng.random() < 0.2:
        val[int(rng.integers(0, val_n))] = np.nan
    return train, val


THRESHOLDS = [Thresholds(), Thresholds(plateau_window=40, plateau_tolerance=0.01, divergence_window=7),
              Thresholds(plateau_window=7, divergence_patience=1, divergence_window=1)]


@pytest.mark.parametrize("implicit", [False, True])
@pytest.mark.parametrize("t", THRESHOLDS)
def test_findings_do_not_depend_on_chunking(t, implicit):
    fired_kinds = set()
    for seed in range(12):
        rng = np.random.default_rng(seed)
        train, val = _scenario(rng)
        calls = _calls(train, 10, val, implicit=implicit)
        reference = _fired(_one_by_one(calls, t))
        fired_kinds |= set(reference)
        for max_chunk in (1, 3, 50, 400, len(calls)):
            got = _fired(_chunked(calls, t, rng, max_chunk))
            assert got == reference, (seed, max_chunk)  # same steps, same numbers, bit for bit
    assert fired_kinds == {"nan_loss", "loss_plateau", "overfitting"}  # the test covers them all


def test_findings_do_not_depend_on_chunking_hypothesis():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=60, deadline=None)
    @hypothesis.given(seed=st.integers(0, 2**32 - 1), max_chunk=st.integers(1, 300),
                      t=st.sampled_from(THRESHOLDS), val_every=st.integers(1, 30))
    def check(seed, max_chunk, t, val_every):
        rng = np.random.default_rng(seed)
        train, _ = _scenario(rng, n=300)
        val = rng.normal(1, 0.3, len(train) // val_every + 1).cumsum() / 10 + 2
        calls = _calls(train, val_every, val)
        assert _fired(_chunked(calls, t, rng, max_chunk)) == _fired(_one_by_one(calls, t))

    check()


def test_nan_loss_is_the_first_nonfinite_point_and_stops_the_other_rules():
    m = LossMonitor(Thresholds(plateau_window=10))
    assert m.feed_train(np.arange(5), [1.0, 0.9, 0.8, 0.7, 0.6]) == []
    (f,) = m.feed_train([5, 6, 7], [np.inf, np.nan, 1.0])
    assert (f.kind, f.severity, f.data["step"]) == ("nan_loss", "error", 5)
    assert "inf" in f.message
    assert m.feed_train(np.arange(8, 300), np.ones(292)) == []  # every later window holds the Inf
    assert m.feed_train([300], [np.nan]) == []  # once


def test_plateau_fires_at_the_first_flat_window_with_the_windows_numbers():
    t = Thresholds(plateau_window=10, plateau_tolerance=0.01)
    loss = np.r_[np.linspace(2, 1, 30), np.full(30, 1.0)]
    (f,) = LossMonitor(t).feed_train(np.arange(100, 160), loss)
    # the first window whose second half is not 1 % below its first, by brute force
    means = [(loss[i - 10:i - 5].mean(), loss[i - 5:i].mean()) for i in range(10, 61)]
    first = next(i for i, (a, b) in zip(range(10, 61), means) if a - b < 0.01 * abs(a))
    assert f.data["step"] == 100 + first - 1 and f.data["from_step"] == 100 + first - 10
    assert f.data["before"] == pytest.approx(means[first - 10][0])
    assert f.data["after"] == pytest.approx(means[first - 10][1])
    assert LossMonitor(t).feed_train(np.arange(9), np.ones(9)) == []  # needs a whole window


def test_plateau_matches_the_window_rule_at_every_point():
    rng = np.random.default_rng(3)
    t = Thresholds(plateau_window=20, plateau_tolerance=1e-3)
    for _ in range(20):
        loss = np.exp(-np.arange(300) / rng.uniform(20, 400)) + rng.normal(0, 0.01, 300)
        got = [f.data["step"] for f in LossMonitor(t).feed_train(np.arange(300), loss)]
        flat = [i - 1 for i in range(20, 301)
                if loss[i - 20:i - 10].mean() - loss[i - 10:i].mean()
                < 1e-3 * max(abs(loss[i - 20:i - 10].mean()), 1e-12)]
        assert got == flat[:1]


def test_falling_loss_never_plateaus():
    assert check_loss(np.arange(1000), 1 / np.arange(1.0, 1001.0)) == []


def _val_run(val, train=None):
    """Training loss at steps 0..N-1; validation point i at step 10 i + 9."""
    n = 10 * len(val) + 1
    train = np.linspace(2, 1, n) if train is None else train
    return check_loss(np.arange(n), train, np.arange(len(val)) * 10 + 9, np.asarray(val, float),
                      Thresholds(divergence_window=5))


def test_overfitting_fires_at_the_patience_th_rising_point():
    (f,) = _val_run([1.0, 0.9, 0.8, 1.0, 1.1, 1.2, 1.3])
    assert f.kind == "overfitting"
    assert f.data["onset_step"] == 29 and f.data["best_val"] == 0.8
    assert f.data["step"] == 59 and f.data["val"] == 1.2  # 1.0 is not 10 % above 0.8: 3 rises end at 59
    assert f.data["train_now"] < f.data["train_at_onset"]


def test_overfitting_needs_consecutive_rises_and_a_falling_training_loss():
    assert _val_run([1.0, 0.8, 1.2, 1.2, 0.85, 1.2, 1.2]) == []  # 0.85 breaks the streak
    assert _val_run([1.0, 0.8, 1.2, 1.2]) == []  # only two rises
    rising = np.linspace(1, 2, 71)
    assert _val_run([1.0, 0.8, 1.2, 1.2, 1.2, 1.2, 1.2], train=rising) == []
    assert _val_run([1.0, 0.8, np.nan, 1.2, np.inf, 1.2, 1.2])[0].data["step"] == 69  # skipped


def test_a_validation_point_waits_for_a_later_training_point():
    m = LossMonitor(Thresholds(divergence_window=2, divergence_patience=1))
    assert m.feed_val([0, 10], [1.0, 2.0]) == []  # no training loss yet
    assert m.feed_train(np.arange(10), np.linspace(2, 1, 10)) == []  # 0 judged, 10 waits
    (f,) = m.feed_train([10, 11], [0.5, 0.5])
    assert (f.data["onset_step"], f.data["step"]) == (0, 10)
    assert f.data["train_now"] == pytest.approx((1 + 0.5) / 2)  # the points at steps <= 10


def test_waiting_validation_points_are_bounded():
    m = LossMonitor()
    m.feed_val(np.arange(MAX_WAITING + 50), np.ones(MAX_WAITING + 50))
    assert len(m._waiting) == MAX_WAITING


def test_memory_stays_bounded_whatever_the_run_length():
    t = Thresholds(plateau_window=100, plateau_tolerance=0.0)  # never flat: keeps evaluating
    m = LossMonitor(t)
    big = 50_000
    m.feed_train(np.arange(big), -np.arange(float(big)))  # one huge write
    sizes = []
    for i in range(big, big + 5_000):  # then one point at a time
        m.feed_train([i], [-float(i)])
        m.feed_val([i], [1.0])
        sizes.append(len(m._sums))
    assert max(sizes[1000:]) <= 4 * (t.plateau_window + 1) + 256
    assert len(m._waiting) <= 1
    assert m.count == big + 5_000


def test_check_loss_is_a_fresh_monitor():
    rng = np.random.default_rng(0)
    train, val = _scenario(rng)
    steps = np.arange(len(train))
    m = LossMonitor()
    expected = m.feed_train(steps, train) + m.feed_val(np.arange(len(val)) * 10 + 9, val)
    assert check_loss(steps, train, np.arange(len(val)) * 10 + 9, val) == expected
    with pytest.raises(ValueError, match="length"):
        check_loss(np.arange(3), np.ones(4))
