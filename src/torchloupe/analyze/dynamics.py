"""Training dynamics per example: how the model's view of each example changed over training.

From predictions of the same examples at several steps (aligned by id) this computes, per
example, the statistics of Dataset Cartography (Swayamdipta et al., 2020) — mean confidence in
the true class, its variability (standard deviation) and the correctness rate — plus forgetting
events (Toneva et al., 2019: correct at one step, wrong at the next) and the area under the margin
(Pleiss et al., 2020; here the margin is in probability: ``p(true) - max p(other)``, averaged over
steps). Examples with a low, stable confidence and a negative margin are the likely mislabelled.

Example:
    >>> import numpy as np
    >>> t = np.array([0, 1])
    >>> steps = [np.array([[0.9, 0.1], [0.8, 0.2]]), np.array([[0.95, 0.05], [0.9, 0.1]])]
    >>> d = example_dynamics(t, steps)
    >>> d["confidence"].round(3).tolist(), d["correct"].tolist()
    ([0.925, 0.15], [1.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import LoupeValueError


def example_dynamics(targets: np.ndarray, probs_per_step: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """Per-example statistics over steps.

    Args:
        targets: int [N], the labels as given.
        probs_per_step: one float [N, C] array per step, rows aligned with ``targets``, in step
            order (NaN rows mark examples missing at a step).

    Returns:
        ``confidence`` (mean p(true)), ``variability`` (its std), ``correct`` (share of steps
        where the top class is the label), ``forgetting`` (correct -> wrong transitions), ``aum``
        (mean margin), ``steps`` (steps seen) and ``predicted`` (the most frequent top class).
    """
    if not probs_per_step:
        raise LoupeValueError("example_dynamics needs predictions of at least one step")
    stack = np.stack([np.asarray(p, dtype=np.float64) for p in probs_per_step])  # [S, N, C]
    if stack.shape[1] != len(targets):
        raise LoupeValueError(f"{len(targets)} targets but predictions of {stack.shape[1]} examples")
    s, n, c = stack.shape
    seen = np.isfinite(stack).all(axis=2)  # [S, N]
    rows = np.arange(n)
    p_true = stack[:, rows, targets]  # [S, N]
    other = stack.copy()
    other[:, rows, targets] = -np.inf
    margin = p_true - other.max(axis=2)
    top = np.nan_to_num(stack, nan=-1.0).argmax(axis=2)
    correct = (top == targets[None, :]) & seen
    count = np.maximum(seen.sum(axis=0), 1)
    conf = np.where(seen, p_true, 0.0).sum(axis=0) / count
    var = np.sqrt(np.where(seen, (p_true - conf) ** 2, 0.0).sum(axis=0) / count)
    forgetting = np.zeros(n, dtype=np.int64)
    for i in range(1, s):
        forgetting += (correct[i - 1] & ~correct[i] & seen[i] & seen[i - 1]).astype(np.int64)
    votes = np.zeros((n, c), dtype=np.int64)
    for i in range(s):
        np.add.at(votes, (rows[seen[i]], top[i][seen[i]]), 1)
    return {"confidence": conf, "variability": var, "correct": correct.sum(axis=0) / count,
            "forgetting": forgetting, "aum": np.where(seen, margin, 0.0).sum(axis=0) / count,
            "steps": seen.sum(axis=0), "predicted": votes.argmax(axis=1)}


def align_by_id(ids: np.ndarray, ids_per_step: Sequence[np.ndarray],
                probs_per_step: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each step's ``[n, C]`` probabilities re-ordered to the rows of ``ids`` (float64), NaN rows
    for examples a step did not have; rows of ids not in ``ids`` are left out.

    Example:
        >>> a = align_by_id(np.array(["a", "b"]), [np.array(["b"])], [np.array([[0.3, 0.7]])])
        >>> a[0].tolist()
        [[nan, nan], [0.3, 0.7]]
    """
    where = {v: i for i, v in enumerate(np.asarray(ids).astype(str))}
    out = []
    for step_ids, probs in zip(ids_per_step, probs_per_step):
        aligned = np.full((len(where), np.shape(probs)[1]), np.nan, dtype=np.float64)
        for j, v in enumerate(np.asarray(step_ids).astype(str)):
            i = where.get(v)
            if i is not None:
                aligned[i] = probs[j]
        out.append(aligned)
    return out


def suspect_rows(dyn: dict[str, np.ndarray], ids: np.ndarray, targets: np.ndarray,
                 k: int | None = None, class_names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """:func:`rank_suspects`, each row with the example's ``id`` (a string), ``target`` and
    ``confidence`` (mean p(label)).

    Example:
        >>> d = {"aum": np.array([0.9, -0.8]), "correct": np.array([1.0, 0.0]),
        ...      "confidence": np.array([0.95, 0.05]), "predicted": np.array([0, 0]), "steps": np.array([3, 3])}
        >>> [(s["id"], s["target"]) for s in suspect_rows(d, np.array([10, 11]), np.array([0, 1]))]
        [('11', 1)]
    """
    rows = rank_suspects(dyn, k, class_names)
    for s in rows:
        i = s["index"]
        s.update({"id": str(ids[i]), "target": int(targets[i]),
                  "confidence": float(dyn["confidence"][i])})
    return rows


def data_map_region(confidence: np.ndarray, variability: np.ndarray) -> np.ndarray:
    """Dataset Cartography's regions: ``easy`` (confident), ``hard`` (unconfident, stable) and
    ``ambiguous`` (variable), by the thresholds the paper's figures use.

    Example:
        >>> data_map_region(np.array([0.9, 0.1, 0.5]), np.array([0.05, 0.05, 0.3])).tolist()
        ['easy', 'hard', 'ambiguous']
    """
    region = np.full(len(confidence), "ambiguous", dtype=object)
    region[(variability < 0.2) & (confidence >= 0.5)] = "easy"
    region[(variability < 0.2) & (confidence < 0.5)] = "hard"
    return region.astype(str)


def suspect_scores(dyn: dict[str, np.ndarray]) -> np.ndarray:
    """How likely each example's label is wrong, in [0, 1]: high when the margin of its label is
    negative throughout (the model consistently prefers another class), as with AUM.

    Example:
        >>> suspect_scores({"aum": np.array([0.9, -0.8]), "correct": np.array([1.0, 0.0])}).round(2).tolist()
        [0.03, 0.95]
    """
    # AUM in [-1, 1] maps to [0, 1]; never being right adds a little, so that among equal
    # margins the never-correct come first.
    return (1.0 - dyn["aum"]) / 2.0 * 0.9 + (1.0 - dyn["correct"]) * 0.1  # type: ignore[no-any-return]


def rank_suspects(dyn: dict[str, np.ndarray], k: int | None = None,
                  class_names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The likely mislabelled, most suspicious first: index, score, predicted and a reason.

    Only examples that were wrong at least once are listed.

    Example:
        >>> d = {"aum": np.array([0.9, -0.8]), "correct": np.array([1.0, 0.0]),
        ...      "confidence": np.array([0.95, 0.05]), "predicted": np.array([0, 0]), "steps": np.array([3, 3])}
        >>> [s["index"] for s in rank_suspects(d)]
        [1]
    """
    scores = suspect_scores(dyn)
    order = np.argsort(-scores, kind="stable")
    order = order[dyn["correct"][order] < 1.0]
    if k is not None:
        order = order[:k]

    def name(c: int) -> str:
        return class_names[c] if class_names is not None and c < len(class_names) else str(c)

    out = []
    for i in order:
        reason = (f"p(label) {dyn['confidence'][i]:.2f} on average over {int(dyn['steps'][i])} "
                  f"step(s), right {dyn['correct'][i]:.0%} of the time; the model says "
                  f"{name(int(dyn['predicted'][i]))!r}")
        out.append({"index": int(i), "score": float(scores[i]), "predicted": int(dyn["predicted"][i]),
                    "reason": reason})
    return out
