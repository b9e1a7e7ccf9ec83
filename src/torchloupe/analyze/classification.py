"""Classification metrics on arrays: pure functions, checked against scikit-learn in the tests.

Inputs everywhere: ``targets`` int [N] in ``0..C-1`` and ``probs`` float [N, C] whose rows are
class probabilities (see :func:`to_probs` for turning logits into them).

Example:
    >>> import numpy as np
    >>> p = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]); t = np.array([0, 1, 1])
    >>> confusion_matrix(t, p.argmax(1), 2).tolist()
    [[1, 0], [1, 1]]
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ..errors import LoupeValueError

EPS = 1e-7
"""Probabilities are clipped to ``[EPS, 1]`` before the log of the cross-entropy loss."""
PROB_TOLERANCE = 1e-3
"""Rows summing to 1 within this tolerance (and non-negative) count as probabilities."""
TB_NUM_THRESHOLDS = 201
"""TensorBoard's PR-curve thresholds: ``i / (n - 1)`` for ``i = 0..n-1``."""


def looks_like_probs(scores: np.ndarray) -> bool:
    """The rule that tells probabilities from logits.

    A [N, C] array (C >= 2) holds probabilities when every value is non-negative and every row
    sums to 1 within :data:`PROB_TOLERANCE`; a [N] (binary) array when every value lies in [0, 1].

    Example:
        >>> looks_like_probs(np.array([[0.3, 0.7]])), looks_like_probs(np.array([[2.0, -1.0]]))
        (True, False)
    """
    s = np.asarray(scores, dtype=np.float64)
    if not np.isfinite(s).all():
        return False
    if s.ndim == 1:
        return bool(((s >= 0) & (s <= 1)).all())
    return bool((s >= 0).all() and np.allclose(s.sum(1), 1.0, atol=PROB_TOLERANCE))


def to_probs(scores: np.ndarray, kind: Literal["auto", "logits", "probs"] = "auto") -> np.ndarray:
    """Class probabilities [N, C] from logits or probabilities.

    ``kind="auto"`` applies :func:`looks_like_probs`; logits go through a softmax. One column
    (or a 1-d array) means a binary problem: the score of class 1, through a sigmoid when it is a
    logit; the result has the two columns ``[1 - p, p]``.

    Example:
        >>> to_probs(np.array([0.0, 2.0])).round(3).tolist()   # in [0, 1]: taken as P(class 1)
        [[1.0, 0.0], [0.0, 1.0]]
        >>> to_probs(np.array([[0.0, 0.0]])).tolist()
        [[0.5, 0.5]]
    """
    if kind not in ("auto", "logits", "probs"):
        raise LoupeValueError(f"scores must be 'auto', 'logits' or 'probs', got {kind!r}")
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim == 2 and s.shape[1] == 1:
        s = s[:, 0]
    if s.ndim not in (1, 2):
        raise LoupeValueError(f"scores must be [N] (binary) or [N, C], got shape {tuple(s.shape)}")
    is_probs = looks_like_probs(s) if kind == "auto" else kind == "probs"
    if s.ndim == 1:
        p = s if is_probs else 1.0 / (1.0 + np.exp(-s))
        return np.stack([1.0 - p, p], axis=1)
    if is_probs:
        return s
    z = s - s.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def losses(targets: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Cross-entropy of each example: ``-log p(true class)`` (probabilities clipped at EPS)."""
    p = probs[np.arange(len(targets)), targets]
    return -np.log(np.clip(p.astype(np.float64), EPS, 1.0))  # type: ignore[no-any-return]


def confusion_matrix(targets: np.ndarray, predicted: np.ndarray, num_classes: int,
                     normalize: Literal[None, "true", "pred", "all"] = None) -> np.ndarray:
    """``[C, C]`` counts, row = true class, column = predicted (scikit-learn's layout).

    ``normalize="true"`` divides each row by its sum (recall on the diagonal), ``"pred"`` each
    column (precision on the diagonal), ``"all"`` by N; empty rows/columns give zeros.

    Example:
        >>> confusion_matrix(np.array([0, 1, 1]), np.array([0, 0, 1]), 2, "true").tolist()
        [[1.0, 0.0], [0.5, 0.5]]
    """
    cm = np.bincount(targets * num_classes + predicted,
                     minlength=num_classes * num_classes).reshape(num_classes, num_classes)
    if normalize is None:
        return cm
    if normalize == "true":
        div = cm.sum(axis=1, keepdims=True)
    elif normalize == "pred":
        div = cm.sum(axis=0, keepdims=True)
    elif normalize == "all":
        div = np.array(cm.sum())
    else:
        raise LoupeValueError(f"normalize must be None, 'true', 'pred' or 'all', got {normalize!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(cm / div)  # type: ignore[no-any-return]


def per_class_metrics(cm: np.ndarray) -> dict[str, Any]:
    """Precision, recall, F1 and support per class, with macro and weighted averages.

    A class never predicted (or never present) gets 0 where the ratio is undefined, like
    scikit-learn's ``zero_division=0``.

    Example:
        >>> m = per_class_metrics(np.array([[2, 0], [1, 1]]))
        >>> m["precision"].round(3).tolist(), m["macro"]["recall"]
        ([0.667, 1.0], 0.75)
    """
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diag(cm)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    precision = _ratio(tp, predicted)
    recall = _ratio(tp, support)
    f1 = _ratio(2 * precision * recall, precision + recall)
    total = support.sum()
    weights = support / total if total else np.zeros_like(support)
    out: dict[str, Any] = {"precision": precision, "recall": recall, "f1": f1,
                           "support": support.astype(np.int64)}
    out["macro"] = {k: float(out[k].mean()) for k in ("precision", "recall", "f1")}
    out["weighted"] = {k: float((out[k] * weights).sum()) for k in ("precision", "recall", "f1")}
    out["accuracy"] = float(tp.sum() / total) if total else 0.0
    return out


def roc_curve(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-vs-rest ROC of a binary problem: (fpr, tpr, thresholds), like scikit-learn's
    ``roc_curve(drop_intermediate=False)``: one point per distinct score, plus (0, 0) at +inf.

    Example:
        >>> fpr, tpr, _ = roc_curve(np.array([0, 1]), np.array([0.2, 0.8]))
        >>> fpr.tolist(), tpr.tolist()
        ([0.0, 0.0, 1.0], [0.0, 1.0, 1.0])
    """
    tps, fps, thresholds = _cumulative(labels, scores)
    pos, neg = tps[-1] if len(tps) else 0, fps[-1] if len(fps) else 0
    tpr = np.concatenate([[0.0], tps / pos if pos else np.zeros(len(tps))])
    fpr = np.concatenate([[0.0], fps / neg if neg else np.zeros(len(fps))])
    return fpr, tpr, np.concatenate([[np.inf], thresholds])


def auc(x: np.ndarray, y: np.ndarray) -> float:
    """Area under a curve by the trapezoidal rule (x non-decreasing)."""
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2.0))


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    """Average precision, ``sum_n (R_n - R_{n-1}) P_n`` over distinct thresholds, as scikit-learn's
    ``average_precision_score`` (no interpolation). 0 when there is no positive.

    Example:
        >>> average_precision(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
        0.8333333333333333
    """
    tps, fps, _ = _cumulative(labels, scores)
    if not len(tps) or tps[-1] == 0:
        return 0.0
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    return float(np.sum(np.diff(np.concatenate([[0.0], recall])) * precision))


def tensorboard_pr_curve(labels: np.ndarray, scores: np.ndarray,
                         num_thresholds: int = TB_NUM_THRESHOLDS) -> dict[str, np.ndarray]:
    """A PR curve with TensorBoard's semantics (``tensorboard.plugins.pr_curve``).

    Scores in [0, 1] are put in ``num_thresholds`` buckets (``floor(score * (n - 1))``); at
    threshold ``i / (n - 1)``, TP/FP count the positives/negatives in buckets ``>= i``, TN/FN the
    rest; precision is ``TP / max(TP + FP, 1e-7)`` and recall ``TP / max(TP + FN, 1e-7)``.

    Example:
        >>> c = tensorboard_pr_curve(np.array([0, 1, 1]), np.array([0.2, 0.6, 0.9]), 3)
        >>> c["tp"].tolist(), c["fp"].tolist(), c["precision"].round(3).tolist()
        [[2, 2, 1], [1, 0, 0], [0.667, 1.0, 1.0]]
    """
    if num_thresholds < 2:
        raise LoupeValueError(f"num_thresholds must be >= 2, got {num_thresholds}")
    labels = np.asarray(labels).astype(bool)
    s = np.clip(np.asarray(scores, dtype=np.float64), 0.0, 1.0)
    buckets = np.floor(s * (num_thresholds - 1)).astype(np.int64)
    tp_b = np.bincount(buckets[labels], minlength=num_thresholds)
    fp_b = np.bincount(buckets[~labels], minlength=num_thresholds)
    tp = np.cumsum(tp_b[::-1])[::-1]
    fp = np.cumsum(fp_b[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    return {"thresholds": np.arange(num_thresholds) / (num_thresholds - 1),
            "tp": tp, "fp": fp, "tn": tn, "fn": fn,
            "precision": tp / np.maximum(tp + fp, EPS), "recall": tp / np.maximum(tp + fn, EPS)}


def reliability(targets: np.ndarray, probs: np.ndarray, bins: int = 15) -> dict[str, Any]:
    """Reliability diagram of the top-1 confidence: ``bins`` equal-width bins over [0, 1].

    Returns per bin ``count``, mean ``confidence`` and ``accuracy`` (NaN for empty bins), the
    bin ``edges``, and ``ece`` = ``sum_b count_b / N * |accuracy_b - confidence_b|``.

    Example:
        >>> r = reliability(np.array([0, 1]), np.array([[0.9, 0.1], [0.7, 0.3]]), bins=2)
        >>> r["count"].tolist(), round(r["ece"], 3)
        ([0, 2], 0.3)
    """
    conf = probs.max(axis=1).astype(np.float64)
    correct = (probs.argmax(axis=1) == targets).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    # Right-closed bins, as in Guo et al. (2017): a confidence of exactly 1 is in the last one.
    index = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, bins - 1)
    count = np.bincount(index, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(index, conf, bins) / count
        acc = np.bincount(index, correct, bins) / count
    n = max(len(conf), 1)
    gaps = np.where(count > 0, np.abs(acc - mean_conf), 0.0)
    return {"edges": edges, "count": count, "confidence": mean_conf, "accuracy": acc,
            "ece": float((count / n * gaps).sum())}


def top_k_accuracy(targets: np.ndarray, probs: np.ndarray, k: int) -> float:
    """Share of examples whose true class is among the ``k`` most probable.

    Example:
        >>> top_k_accuracy(np.array([1, 2]), np.array([[0.5, 0.3, 0.2], [0.1, 0.5, 0.4]]), 2)
        1.0
    """
    if not len(targets):
        return 0.0
    k = min(k, probs.shape[1])
    true = probs[np.arange(len(targets)), targets][:, None]
    # Rank = number of classes scored strictly higher (ties favour the true class, like sklearn).
    rank = (probs > true).sum(axis=1)
    return float((rank < k).mean())


def highest_loss(targets: np.ndarray, probs: np.ndarray, k: int = 25) -> np.ndarray:
    """Indices of the ``k`` examples with the highest loss, highest first.

    Example:
        >>> highest_loss(np.array([0, 0]), np.array([[0.9, 0.1], [0.2, 0.8]]), 1).tolist()
        [1]
    """
    loss = losses(targets, probs)
    return np.argsort(-loss, kind="stable")[:k]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


def _cumulative(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative TP and FP counts at each distinct score, from the highest down."""
    y = np.asarray(labels).astype(bool)
    s = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1] if len(s) else np.array([], np.int64)
    tps = np.cumsum(y)[last].astype(np.float64)
    fps = (last + 1 - tps).astype(np.float64)
    return tps, fps, s[last]
