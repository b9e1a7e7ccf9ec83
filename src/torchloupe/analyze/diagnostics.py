"""Training diagnostics: pure rules that turn statistics into findings.

Each rule takes plain arrays (the statistics :mod:`torchloupe.record.watch` records, or a loss
series) and returns :class:`Finding` values; :class:`Thresholds` holds every threshold, with the
reason for its default. ``run.watch(model, thresholds=Thresholds(dead_fraction=0.9))`` changes them.

| kind | severity | fires when |
| --- | --- | --- |
| ``nan_loss`` | error | the training loss is NaN or ±Inf |
| ``nonfinite_weights`` / ``nonfinite_gradients`` | error | a parameter or its gradient holds NaN/Inf (the first such layer is named) |
| ``exploding_gradients`` | error | the total gradient norm exceeds ``grad_norm_high`` |
| ``vanishing_gradients`` | warning | a weight's gradient norm is below ``vanishing_ratio`` × the largest layer's, or the total is below ``grad_norm_low`` |
| ``dead_relu`` | warning | more than ``dead_fraction`` of a ReLU layer's units are zero for the whole batch |
| ``update_ratio_low`` / ``update_ratio_high`` | warning | the median update/weight ratio ‖Δw‖/‖w‖ is outside [``update_ratio_low``, ``update_ratio_high``] (healthy: about 1e-3) |
| ``loss_plateau`` | warning | the training loss improved by less than ``plateau_tolerance`` (relative) over the last ``plateau_window`` points |
| ``overfitting`` | warning | the validation loss rose ``divergence_rise`` above its minimum for ``divergence_patience`` evaluations while the training loss kept falling |

Example:
    >>> import numpy as np
    >>> [f.kind for f in check_loss(np.arange(3), np.array([1.0, np.nan, 0.5]))]
    ['nan_loss']
"""

from __future__ import annotations

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
        divergence_patience: validation points after the minimum that must all be above it.
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


@dataclass(frozen=True)
class Finding:
    """One diagnosis: what, how bad, where (a layer, when known), and the numbers behind it."""

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
    """Rules over the training (and validation) loss series.

    Example:
        >>> [f.kind for f in check_loss(np.arange(200), np.ones(200))]
        ['loss_plateau']
    """
    steps, loss = np.asarray(steps), np.asarray(loss, float)
    out: list[Finding] = []
    bad = np.flatnonzero(~np.isfinite(loss))
    if len(bad):
        out.append(Finding("nan_loss", "error", f"the training loss is {loss[bad[0]]} at step "
                           f"{int(steps[bad[0]])}", None, {"step": int(steps[bad[0]])}))
        return out
    if len(loss) >= t.plateau_window:
        window = loss[-t.plateau_window:]
        half = len(window) // 2
        a, b = float(np.mean(window[:half])), float(np.mean(window[half:]))
        if a - b < t.plateau_tolerance * max(abs(a), 1e-12):
            out.append(Finding("loss_plateau", "warning",
                               f"the training loss has not improved over the last "
                               f"{t.plateau_window} points ({a:.4g} → {b:.4g})", None,
                               {"from_step": int(steps[-t.plateau_window]), "before": a, "after": b}))
    if val_steps is not None and val_loss is not None and len(val_loss) > t.divergence_patience:
        out.extend(_divergence(steps, loss, np.asarray(val_steps), np.asarray(val_loss, float), t))
    return out


def _divergence(steps: np.ndarray, loss: np.ndarray, vsteps: np.ndarray, vloss: np.ndarray,
                t: Thresholds) -> list[Finding]:
    finite = np.isfinite(vloss)
    if finite.sum() <= t.divergence_patience:
        return []
    vsteps, vloss = vsteps[finite], vloss[finite]
    best = int(np.argmin(vloss))
    after = vloss[best + 1:]
    if len(after) < t.divergence_patience:
        return []
    if not np.all(after[-t.divergence_patience:] > vloss[best] * (1 + t.divergence_rise)):
        return []
    onset = int(vsteps[best])
    before = loss[steps <= onset]
    later = loss[steps > onset]
    if len(before) == 0 or len(later) == 0 or np.mean(later[-max(1, len(later) // 4):]) >= before[-1]:
        return []
    return [Finding("overfitting", "warning",
                    f"validation loss rose from {vloss[best]:.4g} (step {onset}) to {vloss[-1]:.4g} "
                    f"while the training loss kept falling: overfitting since about step {onset}",
                    None, {"onset_step": onset, "best_val": float(vloss[best])})]
