"""Dataset statistics: hand-checked counts and planted duplicates / mislabels."""

import numpy as np
import pytest

from torchloupe.analyze import datasets as ds
from torchloupe.errors import LoupeValueError


def blobs(n_per=40, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 3, (3, 16))
    x = np.concatenate([c + rng.normal(0, 0.5, (n_per, 16)) for c in centers]).astype(np.float32)
    return x, np.repeat(np.arange(3), n_per)


def test_class_stats_and_histograms():
    x = np.stack([np.full((1, 2, 2), v, np.float32) for v in (0, 1, 2, 3)])
    s = ds.class_stats(x, np.array([0, 0, 1, 1]), 3)
    assert s.counts.tolist() == [2, 2, 0]
    assert s.mean[:, 0, 0, 0].tolist() == [0.5, 2.5, 0.0]
    assert s.std[0, 0, 0, 0] == pytest.approx(0.5)
    counts, edges = ds.channel_histograms(x, bins=4, lo=0, hi=4)
    assert counts.tolist() == [[4, 4, 4, 4]] and edges[0] == 0 and edges[-1] == 4


def test_planted_duplicate_and_mislabel_are_found():
    x, y = blobs()
    x = np.concatenate([x, x[5:6]])          # 120 duplicates 5
    y = np.concatenate([y, y[5:6]])
    y[50] = 2                                # a class-1 point labelled 2
    s = ds.suspects(x, y, k=8)
    assert [5, 120] in s.dup_pairs.tolist()
    assert s.dup_distance[0] == 0
    assert s.mislabelled[0] == 50 and s.mislabelled_suggested[0] == 1
    assert s.mislabelled_score[0] >= 0.9
    assert len(s.mislabelled) <= 2


def test_as_chw_shapes_and_errors():
    assert ds.as_chw(np.zeros((5, 6))).shape == (1, 5, 6)
    assert ds.as_chw(np.zeros((5, 6, 3))).shape == (3, 5, 6)
    assert ds.as_chw(np.zeros(7)).shape == (7,)
    with pytest.raises(LoupeValueError, match="vector"):
        ds.as_chw(np.zeros((1, 2, 3, 4)))


def test_thumbnails_are_uint8_and_small():
    t = ds.thumbnails(np.random.default_rng(0).random((2, 3, 100, 50)).astype(np.float32), 0, 1, 48)
    assert t.dtype == np.uint8 and t.shape == (2, 48, 24, 3)
