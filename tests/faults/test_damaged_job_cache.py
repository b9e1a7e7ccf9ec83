"""Fault: a cached result of a background job (a t-SNE or UMAP projection, kept as
``<store>/cache/projections/<sha1>.npy`` across restarts) is cut short or garbled.

Asserted: after a restart the runner still reports the job as cached, but reading the damaged
result answers None instead of raising (the projector's route then answers 202, not a 500); the
damaged file is dropped, and the next ``submit`` computes the result again, which reads back
whole. Other cached results are untouched.
"""

from __future__ import annotations

import numpy as np
import pytest

from torchloupe.serve.jobs import JobRunner

COORDS = np.arange(600, dtype=np.float32).reshape(300, 2)


def _cut(path):
    path.write_bytes(path.read_bytes()[:90])


def _garble(path):
    data = bytearray(path.read_bytes())
    data[:16] = b"\xff" * 16
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_cut, _garble], ids=["cut", "garbled"])
def test_a_damaged_cached_result_is_computed_again(tmp_path, wait_for, damage):
    cache = tmp_path / "cache"
    calls = []

    def compute(progress):
        calls.append(1)
        return COORDS.copy()

    first = JobRunner(cache)
    for key in ("damaged", "intact"):
        first.submit(key, compute)
        wait_for(lambda k=key: first.status(k).state == "done", f"job {key}")
    first.close()
    damage(first._path("damaged"))

    runner = JobRunner(cache)  # a restarted dashboard
    try:
        assert runner.submit("damaged", compute).state == "done"  # the file is there
        assert runner.result("damaged") is None
        assert not first._path("damaged").exists()
        assert runner.submit("damaged", compute).state in {"queued", "running", "done"}
        wait_for(lambda: runner.status("damaged").state == "done", "the recomputed job")
        assert np.array_equal(runner.result("damaged"), COORDS)
        assert np.array_equal(runner.result("intact"), COORDS)
        assert len(calls) == 3  # two first runs, one recomputation
    finally:
        runner.close()
