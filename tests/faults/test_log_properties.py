"""Property-based tests (Hypothesis) of ``run.log``, ``run.record`` and ``run.event``.

Random mixes of good and bad keys, values and steps: every accepted call reads back exactly
(steps, values, NaN and ±Inf included; the automatic step counts accepted calls only), every
rejected call raises a clear error (a ``LoupeError`` that names the problem) and records nothing.
"""

from __future__ import annotations

import math
import tempfile
import warnings

import numpy as np
import pytest
import torch

import torchloupe as tl
from torchloupe.errors import LoupeError

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

GOOD_KEYS = ["loss", "train/loss", "val/acc", "lr", "a b", "x[0]"]
BAD_KEYS = ["", "/loss", "loss/", "a//b", "é", "x" * 300, 5, None]

good_value = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.booleans(),
    st.floats(width=32).map(np.float32),
    st.integers(-1000, 1000).map(np.int64),
    st.floats(-1e6, 1e6).map(lambda v: torch.tensor(v)),
    st.floats(-1e6, 1e6).map(lambda v: torch.tensor([v], dtype=torch.float64)),
)
bad_value = st.one_of(
    st.integers(min_value=2**1024, max_value=2**1100),
    st.text(max_size=5),
    st.none(),
    st.lists(st.floats(), min_size=0, max_size=3),
    st.just(torch.zeros(2)),
    st.just(torch.tensor(1 + 2j)),
    st.just(np.zeros(3)),
)
good_step = st.one_of(st.none(), st.integers(-(2**40), 2**40),
                      st.integers(-1000, 1000).map(float))
bad_step = st.one_of(st.integers(min_value=2**63, max_value=2**80), st.just(1e20), st.just(0.5),
                     st.just(float("nan")), st.text(max_size=3), st.just(True))

log_call = st.tuples(
    st.dictionaries(st.one_of(st.sampled_from(GOOD_KEYS), st.sampled_from(BAD_KEYS)),
                    st.one_of(good_value, good_value, bad_value), min_size=1, max_size=4),
    st.one_of(good_step, good_step, good_step, bad_step),
)
event_call = st.tuples(st.sampled_from(["nan_loss", "plateau"]),
                       st.sampled_from(["info", "warning", "error", "fatal", "loud"]),
                       st.one_of(good_step, bad_step))


def _as_float(value):
    if isinstance(value, torch.Tensor):
        return float(value.reshape(()).item())
    return float(value)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=st.lists(st.one_of(log_call, event_call), min_size=1, max_size=25))
def test_accepted_calls_read_back_exactly_and_rejected_ones_record_nothing(calls):
    expected: dict[str, list[tuple[int, float]]] = {}
    events: list[tuple[str, int]] = []
    next_step = 0
    with tempfile.TemporaryDirectory() as d, warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may fail quietly on the writer thread
        run = tl.init("prop", dir=d, flush_interval=0.01)
        for call in calls:
            if isinstance(call[0], dict):
                values, step = call
                try:
                    run.log(values, step=step)
                except LoupeError as exc:
                    assert str(exc)  # a message naming the problem
                    continue
                at = next_step if step is None else int(step)
                for key, value in values.items():
                    expected.setdefault(key, []).append((at, _as_float(value)))
                next_step = at + 1
            else:
                kind, severity, step = call
                try:
                    run.event(kind, "m", severity=severity, step=step)
                except LoupeError as exc:
                    assert str(exc)
                    continue
                events.append((kind, run.step if step is None else int(step)))
        run.finish()
        r = tl.open(d).run(run.id)
        assert sorted(r.keys()) == sorted(expected)
        for key, points in expected.items():
            steps, values, _ = r.arrays(key)
            assert steps.tolist() == [s for s, _ in points]
            assert all(_same(a, b) for a, (_, b) in zip(values.tolist(), points)), (key, values.tolist(), points)
        ev = r.events()
        assert list(zip(ev["kind"], ev["step"])) == events


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(st.tuples(
    st.one_of(st.sampled_from(["w", "layer.0/w"]), st.sampled_from(["", "/bad", 3])),
    st.one_of(st.integers(0, 100), st.none(), bad_step)), min_size=1, max_size=8))
def test_records_are_kept_or_refused_whole(records):
    kept = []
    with tempfile.TemporaryDirectory() as d, warnings.catch_warnings():
        warnings.simplefilter("error")
        run = tl.init("prop", dir=d, flush_interval=0.01)
        for i, (tag, step) in enumerate(records):
            try:
                run.record("histogram", tag, {"counts": np.full(3, float(i))}, step=step)
            except LoupeError:
                continue
            kept.append((tag, 0 if step is None else int(step), float(i)))
        run.finish()
        r = tl.open(d).run(run.id)
        got = [(a.tag, a.step, float(r.load(a)["counts"][0])) for a in r.artifacts("histogram")]
        assert sorted(got) == sorted(kept)
