"""Training diagnostics: pure rules that turn statistics into findings.

Each rule takes plain arrays (the statistics :mod:`torchloupe.record.watch` records, or the
loss series) and returns :class:`Finding` values; :class:`Thresholds` holds every threshold, with
the reason for its default. ``run.watch(model, thresholds=Thresholds(dead_fraction=0.9))``
changes them. The per-step rules (:func:`check_parameters`, :func:`check_activations`) look at one
sampled step; the loss rules (:class:`LossMonitor`) are fed every logged loss point once, as it
is written, and keep constant state: what they find depends only on the values logged, never on
when the writer wrote them.

| kind | severity | fires when |
| --- | --- | --- |
| ``nan_loss`` | error | a training loss point is NaN or ±Inf (the first one) |
| ``nonfinite_weights`` / ``nonfinite_gradients`` | error | a parameter or its gradient holds NaN/Inf (the first such layer is named) |
| ``exploding_gradients`` | error | the total gradient norm exceeds ``grad_norm_high`` |
| ``vanishing_gradients`` | warning | a weight's gradient norm is below ``vanishing_ratio`` × the largest layer's, or the total is below ``grad_norm_low`` |
| ``dead_relu`` | warning | more than ``dead_fraction`` of a ReLU layer's units are zero for the whole batch |
| ``update_ratio_low`` / ``update_ratio_high`` | warning | the median update/weight ratio ‖Δw‖/‖w‖ is outside [``update_ratio_low``, ``update_ratio_high``] (healthy: about 1e-3) |
| ``loss_plateau`` | warning | the mean of the second half of the last ``plateau_window`` training-loss points is less than ``plateau_tolerance`` (relative) below the first half's (checked at every point; first time only) |
| ``overfitting`` | warning | the validation loss stayed more than ``divergence_rise`` (relative) above its best for ``divergence_patience`` consecutive points while the training loss's level (mean of ``divergence_window`` points) fell since the best (first time only) |

Example:
    >>> import numpy as np
    >>> [f.kind for f in check_loss(np.arange(3), np.array([1.0, np.nan, 0.5]))]
    ['nan_loss']
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

RELU_TYPES = frozenset({"ReLU", "ReLU6", "RReLU", "Threshold"})


@dataclass(frozen=True)
class Thresholds:
    """Thresholds of the rules (see the module docstring for what each rule checks).

    Attributes:
        grad_norm_high: total gradient norm above which gradients explode (clipping is usually
            set around 1-10; 1e3 is far past any healthy value).
        grad_norm_low: total gradient norm below which nothing learns.
        vanishing_ratio: a layer whose gradient norm is this many times smaller than the largest
            layer's barely learns (signal lost through depth).
        dead_fraction: fraction of a ReLU layer's units that never fire on a batch.
        update_ratio_low, update_ratio_high: the healthy ‖Δw‖/‖w‖ per step is about 1e-3 (Karpathy);
            two orders of magnitude away either side is flagged.
        plateau_window: training-loss points the plateau rule looks at (and needs).
        plateau_tolerance: relative improvement between the window's halves below which it is flat.
        divergence_rise: relative rise of the validation loss over its minimum.
        divergence_patience: consecutive validation points after the minimum that must all be
            above it.
        divergence_window: training-loss points averaged for its level at the best validation
            point and at the latest one (fewer make a noisy minibatch loss look like a trend).

    Example:
        >>> Thresholds(plateau_window=200).plateau_window
        200
    """

    grad_norm_high: float = 1e3
    grad_norm_low: float = 1e-8
    vanishing_ratio: float = 1e-4
    dead_fraction: float = 0.5
    update_ratio_low: float = 1e-5
    update_ratio_high: float = 1e-1
    plateau_window: int = 100
    plateau_tolerance: float = 1e-3
    divergence_rise: float = 0.1
    divergence_patience: int = 3
    divergence_window: int = 20


@dataclass(frozen=True)
class Finding:
    """One diagnosis: what, how bad, where (a layer, when known), and the numbers behind it.

    Example:
        >>> Finding("nan_loss", "error", "the training loss is nan at step 3", None, {"step": 3}).kind
        'nan_loss'
    """

    kind: str
    severity: str
    message: str
    location: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


# Columns of the per-parameter statistics (record/watch.py stores them in this order).
WEIGHT_COLUMNS = ("mean", "std", "norm", "nonfinite")
GRAD_COLUMNS = ("mean_abs", "max_abs", "norm", "nonfinite", "std")
ACT_COLUMNS = ("mean", "std", "min", "max", "zeros", "dead", "nonfinite")


def check_parameters(names: Sequence[str], weights: np.ndarray, grads: np.ndarray,
                     update_ratio: np.ndarray | None = None,
                     t: Thresholds = Thresholds()) -> list[Finding]:
    """Rules over per-parameter statistics of one step.

    Args:
        names: parameter names, in registration (≈ forward) order.
        weights: ``[L, len(WEIGHT_COLUMNS)]``; grads: ``[L, len(GRAD_COLUMNS)]`` (NaN rows for
            parameters without a gradient); update_ratio: ``[L]`` ‖Δw‖/‖w‖ (NaN: not measured).

    Example:
        >>> w = np.array([[0, 1, 1, 0]], float); g = np.array([[1, 1, 1e4, 0, 1]], float)
        >>> [f.kind for f in check_parameters(["fc.weight"], w, g)]
        ['exploding_gradients']
    """
    names = list(names)
    weights, grads = np.asarray(weights, float), np.asarray(grads, float)
    if weights.shape != (len(names), len(WEIGHT_COLUMNS)) or grads.shape != (len(names), len(GRAD_COLUMNS)):
        raise ValueError(f"expected weights [{len(names)}, {len(WEIGHT_COLUMNS)}] and grads "
                         f"[{len(names)}, {len(GRAD_COLUMNS)}], got {weights.shape} and {grads.shape}")
    out: list[Finding] = []
    for col, kind, what in ((weights[:, 3], "nonfinite_weights", "weights"),
                            (grads[:, 3], "nonfinite_gradients", "gradients")):
        bad = np.flatnonzero(col > 0)
        if len(bad):
            first = names[bad[0]]
            out.append(Finding(kind, "error", f"NaN/Inf in the {what} of {first} (first of "
                               f"{len(bad)} parameters)", first,
                               {"layers": [names[i] for i in bad[:20]]}))
    has_grad = np.isfinite(grads[:, 2])
    if not has_grad.any():
        return out
    norms = grads[has_grad, 2]
    total = float(np.sqrt(np.sum(np.square(norms))))
    if not np.isfinite(total) or total > t.grad_norm_high:
        worst = names[int(np.flatnonzero(has_grad)[np.nanargmax(np.where(np.isfinite(norms), norms, np.inf))])]
        out.append(Finding("exploding_gradients", "error",
                           f"gradient norm {total:.3g} exceeds {t.grad_norm_high:g} (largest in {worst})",
                           worst, {"total_norm": total}))
        return out
    matrices = [i for i, n in enumerate(names) if has_grad[i] and not n.endswith("bias")]
    if total < t.grad_norm_low:
        out.append(Finding("vanishing_gradients", "warning",
                           f"gradient norm {total:.3g} is below {t.grad_norm_low:g}: nothing learns",
                           None, {"total_norm": total}))
    elif matrices:
        top = max(grads[i, 2] for i in matrices)
        small = [i for i in matrices if grads[i, 2] < t.vanishing_ratio * top]
        if small:
            first = names[small[0]]
            out.append(Finding(
                "vanishing_gradients", "warning",
                f"gradients vanish: {first}'s gradient norm is {grads[small[0], 2]:.3g}, "
                f"{top / max(grads[small[0], 2], 1e-300):.3g}× below the largest layer's "
                f"({len(small)} layers below {t.vanishing_ratio:g}× of it)", first,
                {"layers": [names[i] for i in small[:20]], "max_norm": float(top)}))
    if update_ratio is not None:
        ratio = np.asarray(update_ratio, float)
        sel = [i for i in matrices if np.isfinite(ratio[i])]
        if sel:
            median = float(np.median(ratio[sel]))
            if median < t.update_ratio_low:
                out.append(Finding("update_ratio_low", "warning",
                                   f"weights barely move: median update/weight ratio {median:.2g} "
                                   f"(healthy ≈ 1e-3; is the learning rate too small?)", None,
                                   {"median": median}))
            elif median > t.update_ratio_high:
                out.append(Finding("update_ratio_high", "warning",
                                   f"weights change fast: median update/weight ratio {median:.2g} "
                                   f"(healthy ≈ 1e-3; is the learning rate too large?)", None,
                                   {"median": median}))
    return out


def check_activations(names: Sequence[str], types: Sequence[str], stats: np.ndarray,
                      t: Thresholds = Thresholds()) -> list[Finding]:
    """Rules over per-layer activation statistics ``[L, len(ACT_COLUMNS)]`` of one step.

    Example:
        >>> s = np.array([[0, 0, 0, 0, 1, 1, 0]], float)
        >>> [f.kind for f in check_activations(["act"], ["ReLU"], s)]
        ['dead_relu']
    """
    stats = np.asarray(stats, float)
    if stats.shape != (len(names), len(ACT_COLUMNS)):
        raise ValueError(f"expected stats [{len(names)}, {len(ACT_COLUMNS)}], got {stats.shape}")
    out: list[Finding] = []
    bad = np.flatnonzero(stats[:, 6] > 0)
    if len(bad):
        first = names[bad[0]]
        out.append(Finding("nonfinite_activations", "error",
                           f"NaN/Inf in the output of {first} (first of {len(bad)} layers)", first))
    for i, (name, kind) in enumerate(zip(names, types, strict=False)):
        if kind in RELU_TYPES and stats[i, 5] > t.dead_fraction:
            out.append(Finding("dead_relu", "warning",
                               f"{stats[i, 5]:.0%} of the units of {name} ({kind}) are dead "
                               f"(zero for the whole batch)", name, {"dead": float(stats[i, 5])}))
    return out


def check_loss(steps: np.ndarray, loss: np.ndarray, val_steps: np.ndarray | None = None,
               val_loss: np.ndarray | None = None, t: Thresholds = Thresholds()) -> list[Finding]:
    """The loss rules over whole series: what a fresh :class:`LossMonitor` finds when fed them.

    Example:
        >>> [f.kind for f in check_loss(np.arange(200), np.ones(200))]
        ['loss_plateau']
    """
    monitor = LossMonitor(t)
    out = monitor.feed_train(steps, loss)
    if val_steps is not None and val_loss is not None:
        out += monitor.feed_val(val_steps, val_loss)
    return out


MAX_WAITING = 10_000
"""Validation points a :class:`LossMonitor` keeps while no training point at a later step has
come (beyond, the oldest are dropped: only when the training loss is missing)."""


class LossMonitor:
    """The loss rules, fed as the points come: amortized constant work per point, and memory
    bounded by ``plateau_window`` and ``divergence_window`` (plus the latest chunk).

    ``feed_train(steps, values)`` and ``feed_val(steps, values)`` take the next points of the
    training and validation loss, in logging order, and return the findings those points
    complete. Each rule fires at most once (a later plateau, e.g. after a learning-rate drop, is
    not reported again), and its finding's ``data["step"]`` is the step of the point that
    completed it:

    - ``nan_loss``: the first training point that is NaN or ±Inf. The plateau and overfitting
      rules ignore everything from that point on (every later window holds it).
    - ``loss_plateau``: at each training point from the ``plateau_window``-th on, the window of
      the last ``plateau_window`` points is cut in two halves (the first ``plateau_window // 2``
      points, then the rest); it fires at the first point where the halves' means ``a``, ``b``
      give ``a - b < plateau_tolerance * max(|a|, 1e-12)``.
    - ``overfitting``: the best validation point is the first one with the lowest value so far
      (non-finite ones are skipped). A point rises when it exceeds the best by more than
      ``divergence_rise × |best|``; a new best or a point that does not rise resets the count. It
      fires at the ``divergence_patience``-th consecutive rising point (or a later one in the same
      streak) if the training loss's level there is below its level at the best point, where the
      level at a validation step ``s`` is the mean of the last ``divergence_window`` training
      points at steps ``<= s``. A validation point is judged once a training point at a later
      step has come, so the one logged after the last training point is never judged.

    The findings depend only on the two sequences of points, neither on how they are cut into
    chunks nor on how the chunks of the two series interleave, provided each series' steps never
    decrease and a validation point is logged before the training points of later steps (the
    usual loop: train at steps ..., s, validate at s, train at s + 1, ...). Running sums are
    accumulated one point after the other, so even the rounding is the same.

    Example:
        >>> m = LossMonitor(Thresholds(plateau_window=4))
        >>> m.feed_train(np.arange(3), np.ones(3))
        []
        >>> [(f.kind, f.data["step"]) for f in m.feed_train([3, 4], [1.0, np.nan])]
        [('loss_plateau', 3), ('nan_loss', 4)]
    """

    def __init__(self, t: Thresholds = Thresholds()) -> None:
        self.t = t
        self.fired: set[str] = set()
        self._window = t.plateau_window
        self._level_n = max(1, t.divergence_window)
        self._keep = max(self._window, self._level_n) + 1  # running sums kept before new points
        self._sums = np.zeros(256)  # sums[i]: sum of the first base + i training values
        self._maxs = np.full(256, -np.inf)  # maxs[i]: the largest of their steps
        self._steps = np.zeros(256, dtype=np.int64)  # steps[i]: step of value base + i - 1
        self._base = 0
        self._size = 1
        self._bad: int | None = None  # index of the first non-finite training value
        self._waiting: deque[tuple[int, float]] = deque()
        self._best: tuple[float, int, float | None] | None = None  # value, step, training level
        self._rises = 0

    @property
    def count(self) -> int:
        """Training points fed so far."""
        return self._base + self._size - 1

    def feed_train(self, steps: Any, values: Any) -> list[Finding]:
        """Take the next training-loss points; return the findings they complete.

        Example:
            >>> LossMonitor().feed_train([0, 1], [2.0, np.inf])[0].kind
            'nan_loss'
        """
        steps, values = _series(steps, values)
        if not len(values):
            return []
        start = self.count
        self._extend(steps, values)
        out: list[Finding] = []
        nan: Finding | None = None
        if self._bad is None:
            bad = np.flatnonzero(~np.isfinite(values))
            if len(bad):
                self._bad = start + int(bad[0])
                if "nan_loss" not in self.fired:
                    self.fired.add("nan_loss")
                    step = int(steps[bad[0]])
                    nan = Finding("nan_loss", "error", f"the training loss is {values[bad[0]]} at "
                                  f"step {step}", None, {"step": step})
        if "loss_plateau" not in self.fired and self._window >= 2:
            out += self._plateau(start)
        if nan is not None:
            out.append(nan)
        return out + self._judge()

    def feed_val(self, steps: Any, values: Any) -> list[Finding]:
        """Take the next validation-loss points; return the findings they complete.

        Example:
            >>> m = LossMonitor(Thresholds(divergence_window=2))
            >>> m.feed_train(np.arange(8), 1 / np.arange(1.0, 9.0))
            []
            >>> [f.data["onset_step"] for f in m.feed_val([1, 3, 5, 6], [1.0, 2.0, 2.0, 2.0])]
            [1]
        """
        steps, values = _series(steps, values)
        if "overfitting" not in self.fired:
            keep = np.isfinite(values)
            self._waiting.extend(zip(steps[keep].tolist(), values[keep].tolist(), strict=True))
            while len(self._waiting) > MAX_WAITING:
                self._waiting.popleft()
        return self._judge()

    # -- training series -------------------------------------------------------------------
    def _extend(self, steps: np.ndarray, values: np.ndarray) -> None:
        n = len(values)
        cap = len(self._sums)
        if self._size + n > cap or cap > 4 * (self._keep + n) + 256:  # full, or left large by
            # a big chunk: move the kept tail to a fresh buffer (amortized O(1) per point)
            drop = max(0, self._size - self._keep)
            live = self._size - drop
            cap = max(256, 2 * (live + n))
            for name in ("_sums", "_maxs", "_steps"):
                old = getattr(self, name)
                new = np.empty(cap, dtype=old.dtype)
                new[:live] = old[drop:self._size]
                setattr(self, name, new)
            self._base += drop
            self._size = live
        i = self._size
        # add.accumulate adds one value after the other: the same sums whatever the chunks
        self._sums[i:i + n] = np.cumsum(np.concatenate(([self._sums[i - 1]], values)))[1:]
        self._maxs[i:i + n] = np.maximum.accumulate(
            np.concatenate(([self._maxs[i - 1]], steps.astype(float))))[1:]
        self._steps[i:i + n] = steps
        self._size += n

    def _plateau(self, start: int) -> list[Finding]:
        w, half, t = self._window, self._window // 2, self.t
        last = self.count if self._bad is None else min(self.count, self._bad)
        ends = np.arange(max(start + 1, w), last + 1) - self._base  # window = values [end - w, end)
        if not len(ends):
            return []
        sums = self._sums
        a = (sums[ends - w + half] - sums[ends - w]) / half
        b = (sums[ends] - sums[ends - w + half]) / (w - half)
        flat = np.flatnonzero(a - b < t.plateau_tolerance * np.maximum(np.abs(a), 1e-12))
        if not len(flat):
            return []
        k = int(flat[0])
        end = int(ends[k])
        a_k, b_k = float(a[k]), float(b[k])
        step, first = int(self._steps[end]), int(self._steps[end - w + 1])
        self.fired.add("loss_plateau")
        return [Finding("loss_plateau", "warning",
                        f"the training loss has not improved over the last {w} points "
                        f"({a_k:.4g} → {b_k:.4g}, steps {first}-{step})", None,
                        {"step": step, "from_step": first, "before": a_k, "after": b_k})]

    def _level(self, step: int) -> float | None:
        """Mean of the last ``divergence_window`` training values at steps <= ``step``."""
        maxs = self._maxs[:self._size]
        j = int(np.searchsorted(maxs, step, side="right"))  # maxs[j] > step: value j is later
        if j == 0 and self._base > 0:
            return None  # those values were let go (the validation point came very late)
        p = j - 1  # values before index p (buffer-relative) are at steps <= step
        n = min(self._level_n, p + self._base)
        if n == 0 or p - n < 0:
            return None
        level = float((self._sums[p] - self._sums[p - n]) / n)
        return level if math.isfinite(level) else None

    # -- validation series -----------------------------------------------------------------
    def _judge(self) -> list[Finding]:
        """Judge the waiting validation points that a later training point has come for."""
        out: list[Finding] = []
        waiting = self._waiting
        while waiting and "overfitting" not in self.fired and \
                self._maxs[self._size - 1] > waiting[0][0]:
            step, value = waiting.popleft()
            finding = self._validation_point(step, value)
            if finding is not None:
                out.append(finding)
        if "overfitting" in self.fired:
            waiting.clear()
        return out

    def _validation_point(self, step: int, value: float) -> Finding | None:
        t, best = self.t, self._best
        if best is None or value < best[0]:
            self._best, self._rises = (value, step, self._level(step)), 0
            return None
        best_value, onset, before = best
        self._rises = self._rises + 1 if value > best_value + t.divergence_rise * abs(best_value) else 0
        if self._rises < max(1, t.divergence_patience) or before is None:
            return None
        now = self._level(step)
        if now is None or not now < before:
            return None
        self.fired.add("overfitting")
        return Finding("overfitting", "warning",
                       f"validation loss rose from {best_value:.4g} (step {onset}) to {value:.4g} "
                       f"(step {step}) while the training loss kept falling ({before:.4g} → "
                       f"{now:.4g}): overfitting since about step {onset}", None,
                       {"step": step, "onset_step": onset, "best_val": best_value, "val": value,
                        "train_at_onset": before, "train_now": now})


def _series(steps: Any, values: Any) -> tuple[np.ndarray, np.ndarray]:
    steps = np.asarray(steps, dtype=np.int64).reshape(-1)
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if steps.shape != values.shape:
        raise ValueError(f"steps and values differ in length: {len(steps)} and {len(values)}")
    return steps, values
