"""Training dynamics: labels flipped on purpose must rank at the top of the suspects."""

import numpy as np

from torchloupe.analyze.dynamics import data_map_region, example_dynamics, rank_suspects


def _training(n=300, c=5, steps=6, flip=15, seed=0):
    rng = np.random.default_rng(seed)
    true = rng.integers(0, c, n)
    given = true.copy()
    flipped = rng.choice(n, flip, replace=False)
    given[flipped] = (true[flipped] + rng.integers(1, c, flip)) % c
    hardness = rng.random(n)
    out = []
    for s in range(steps):
        # The model learns the true classes (a network generalizes; it does not memorise the
        # flipped labels early on), some examples more slowly than others.
        strength = (s + 1) / steps * 4 * (1 - 0.7 * hardness)
        logits = rng.normal(size=(n, c)) + strength[:, None] * np.eye(c)[true]
        e = np.exp(logits - logits.max(1, keepdims=True))
        out.append(e / e.sum(1, keepdims=True))
    return given, out, set(flipped.tolist())


def test_flipped_labels_rank_first():
    given, probs, flipped = _training()
    d = example_dynamics(given, probs)
    ranked = [s["index"] for s in rank_suspects(d)]
    top = ranked[:len(flipped)]
    assert len(set(top) & flipped) >= len(flipped) - 1  # precision at k >= 14/15
    assert flipped <= set(ranked[:2 * len(flipped)])  # and every flipped label near the top


def test_statistics_by_hand():
    t = np.array([0, 1])
    steps = [np.array([[0.9, 0.1], [0.6, 0.4]]), np.array([[0.4, 0.6], [0.3, 0.7]]),
             np.array([[0.8, 0.2], [0.7, 0.3]])]
    d = example_dynamics(t, steps)
    assert np.allclose(d["confidence"], [0.7, 1.4 / 3])
    assert np.allclose(d["variability"], [np.std([0.9, 0.4, 0.8]), np.std([0.4, 0.7, 0.3])])
    assert d["forgetting"].tolist() == [1, 1]
    assert np.allclose(d["correct"], [2 / 3, 1 / 3])
    assert np.allclose(d["aum"], [np.mean([0.8, -0.2, 0.6]), np.mean([-0.2, 0.4, -0.4])])


def test_missing_examples_are_skipped():
    t = np.array([0, 0])
    a = np.array([[0.9, 0.1], [np.nan, np.nan]])
    b = np.array([[0.7, 0.3], [0.2, 0.8]])
    d = example_dynamics(t, [a, b])
    assert d["steps"].tolist() == [2, 1] and np.allclose(d["confidence"], [0.8, 0.2])
    assert data_map_region(d["confidence"], d["variability"]).tolist() == ["easy", "hard"]
