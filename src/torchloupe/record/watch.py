"""``run.watch(model)``: weight, gradient and activation statistics every N steps, and diagnostics.

How it stays cheap and sync-free:

- A step is one training-mode forward pass of the model with gradients enabled; a pre-hook on
  the model counts them (on a ``torch.compile``d model the hook sits on the compiled wrapper, so
  it runs eagerly and nothing is recompiled). Between sampled steps that counter is the only cost.
- Gradients are read from the parameters after backward, with
  ``Tensor.register_post_accumulate_grad_hook`` (not module backward hooks, which compiled and
  DDP-wrapped models bypass). On a sampled step each hook computes the gradient's statistics on
  the parameter's device and keeps a copy of the weight.
- At the next forward pass (after the optimizer step) the update-to-weight ratio ‖w' − w‖/‖w‖
  and the weight statistics are computed, everything is stacked and queued with ``run.record``
  as device tensors: no ``.item()``, no copy to the host on the training thread. The writer
  thread copies them and evaluates the per-step diagnostics (:mod:`torchloupe.analyze.diagnostics`);
  a finding becomes a ``run.event`` and, the first time, a ``DiagnosticWarning``.
- The loss rules (NaN loss, plateau, overfitting) never read the store: the watcher is an
  observer of the run's writer, which hands it every logged point once, in logging order, as it
  writes it; a :class:`~torchloupe.analyze.diagnostics.LossMonitor` keeps constant state. So the
  work per point is constant and the same logged values give the same events, however the
  writer batched them. The training loss is ``loss_key`` or the first key logged (after
  ``run.watch``) that matches ``^train[^/]*/loss$``, ``train.*loss`` or ``^loss$``; the
  validation loss is ``val_loss_key`` or the first other one that matches
  ``^(val|valid|validation|eval)[^/]*/loss$``, ``(val|valid|eval).*loss`` or ``test.*loss``
  (keys first logged in the same call: in the call's order). The rules see the points logged at
  steps from the one ``run.watch`` was called at, up to the one ``run.unwatch`` was called at.
- Activations: forward hooks on leaf modules are attached for the sampled forward pass only (not
  on compiled models, whose graphs would be recompiled by hooks that come and go).

Histograms are computed with ``index_add_`` into fixed bins between the tensor's min and max, not
``torch.histc`` (which reads the range back to the host on CUDA: a sync), over at most
``max_sample`` (262,144) evenly strided elements of large tensors; means, spreads and the zero
fraction use the same sample, norms, maxima of |g|, dead units and the NaN/Inf check every element.

Stored format: kind ``"watch"``, tag = the model's name, step = the run's step, one ``.npz`` per
sampled step with (L parameters, B bins, A leaf modules)::

    w_hist   float32 [L, B]  weight histogram counts      w_range  float32 [L, 2]  (lo, hi)
    w_stats  float32 [L, 4]  mean, std, norm, nonfinite (1: NaN/Inf somewhere)
    g_hist   float32 [L, B]  gradient histogram (NaN rows: no gradient this step)
    g_range  float32 [L, 2]  g_stats float32 [L, 5]  mean |g|, max |g|, norm, nonfinite (0/1), std
    update   float32 [L]     ‖Δw‖/‖w‖ over the optimizer step after the sampled one (NaN: unknown)
    a_stats  float32 [A, 7]  mean, std, min, max, fraction of zeros, fraction of dead units
                             (zero for the whole batch, per channel), fraction of NaN/Inf

meta: ``{"params": [names], "shapes": [[...]], "layers": [leaf names], "types": [class names],
"bins": B, "every": N}``.

Example:
    >>> run.watch(model, every=50)   # doctest: +SKIP
    >>> run.unwatch(model)           # doctest: +SKIP
"""

from __future__ import annotations

import io
import math
import re
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from ..analyze.diagnostics import (
    Finding,
    LossMonitor,
    Thresholds,
    check_activations,
    check_parameters,
)
from ..errors import LoupeValueError

if TYPE_CHECKING:
    from .recorder import Recorder

KIND = "watch"
DEFAULT_THRESHOLDS = Thresholds()
TRAIN_LOSS_PATTERNS = (r"^train[^/]*/loss$", r"train.*loss", r"^loss$")
VAL_LOSS_PATTERNS = (r"^(val|valid|validation|eval)[^/]*/loss$", r"(val|valid|eval).*loss",
                     r"test.*loss")


class DiagnosticWarning(UserWarning):
    """A training problem that ``run.watch`` diagnosed (also recorded as a run event).

    Example:
        >>> import warnings
        >>> warnings.simplefilter("error", DiagnosticWarning)  # doctest: +SKIP
    """


def _sample(x: torch.Tensor, max_sample: int) -> torch.Tensor:
    x = x.detach().reshape(-1)
    if x.numel() > max_sample:  # an evenly strided view: no copy
        x = x[:: math.ceil(x.numel() / max_sample)]
    return x.float()


def histogram(x: torch.Tensor, bins: int, max_sample: int = 1 << 18) -> tuple[torch.Tensor, torch.Tensor]:
    """Counts of the finite values of ``x`` in ``bins`` equal bins over [min, max], and (min, max),
    as device tensors, without a device sync (over at most ``max_sample`` strided elements).

    Example:
        >>> c, r = histogram(torch.tensor([0.0, 1.0, 1.0, 2.0]), 2)
        >>> c.tolist(), r.tolist()
        ([1.0, 3.0], [0.0, 2.0])
    """
    x = _sample(x, max_sample)
    finite = torch.isfinite(x)
    lo = torch.where(finite, x, math.inf).min()
    hi = torch.where(finite, x, -math.inf).max()
    width = (hi - lo).clamp_min(1e-30)
    pos = torch.where(finite, (x - lo) / width * bins, 0.0).floor().clamp_(0, bins - 1).long()
    counts = torch.zeros(bins, device=x.device).index_add_(0, pos, finite.float())
    return counts, torch.stack([lo, hi])


def _summary(x: torch.Tensor, max_sample: int) -> tuple[torch.Tensor, ...]:
    """(mean, std, norm, nonfinite flag): the norm over every element (NaN/Inf anywhere make it
    non-finite, so no separate pass looks for them), mean and std over the strided sample."""
    norm = torch.linalg.vector_norm(x.detach().float() if x.dtype != torch.float32 else x.detach())
    std, mean = torch.std_mean(_sample(x, max_sample)) if x.numel() > 1 else (norm * 0, norm)
    return mean, std, norm, (~torch.isfinite(norm)).float()


def _act_stats(out: torch.Tensor, max_sample: int = 1 << 18) -> torch.Tensor:
    x = out.detach()
    if x.dim() >= 2 and x.shape[0] > 0:
        peak = x.reshape(x.shape[0], x.shape[1], -1).amax(dim=(0, 2))  # one pass over the output
        dead = (peak <= 0).float().mean()
    else:
        dead = (x <= 0).float().mean()
    xs = _sample(x, max_sample)
    std, mean = torch.std_mean(xs) if xs.numel() > 1 else (xs.sum() * 0, xs.sum())
    lo, hi = torch.aminmax(xs)
    nonfinite = (~torch.isfinite(xs.sum())).float()
    return torch.stack([mean, std, lo, hi, (xs == 0).float().mean(), dead, nonfinite])


class Watcher:
    """Hooks on one model that record its statistics every ``every`` steps, and an observer of
    the logged loss (see the module doc).

    Create it with ``run.watch``; ``close()`` (or ``run.unwatch``) removes every hook.

    Example:
        >>> watcher = run.watch(model, every=50, loss_key="train/loss")  # doctest: +SKIP
        >>> watcher.close()                                               # doctest: +SKIP
    """

    def __init__(self, run: Recorder, model: nn.Module, name: str, every: int = 100, bins: int = 32,
                 activations: bool = True, thresholds: Thresholds = DEFAULT_THRESHOLDS,
                 loss_key: str | None = None, val_loss_key: str | None = None,
                 max_sample: int = 1 << 18) -> None:
        if not isinstance(model, nn.Module):
            raise LoupeValueError(f"watch takes an nn.Module, got {type(model).__name__}")
        if not isinstance(every, int) or every < 1:
            raise LoupeValueError(f"every must be a positive int (steps between samples), got {every!r}")
        if not isinstance(bins, int) or not 2 <= bins <= 512:
            raise LoupeValueError(f"bins must be an int in [2, 512], got {bins!r}")
        self.run, self.name, self.every, self.bins = run, name, every, bins
        self.model = model
        inner = getattr(model, "_orig_mod", model)
        self.compiled = inner is not model
        self.inner = inner
        self.thresholds = thresholds
        self.loss_key, self.val_loss_key = loss_key, val_loss_key
        self.max_sample = max_sample
        self.activations = activations and not self.compiled
        self.params = [(n, p) for n, p in inner.named_parameters() if p.requires_grad]
        self.leaves = [(n, m) for n, m in inner.named_modules()
                       if n and next(m.children(), None) is None]
        self.calls = 0
        self._sampling = False
        self._step = 0
        self._grads: dict[int, tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]] = {}
        self._acts: dict[str, tuple[str, torch.Tensor]] = {}
        self._leaf_handles: list[Any] = []
        self._fired: set[tuple[str, str | None]] = set()
        # loss rules, fed by the writer thread (see _observe)
        self._monitor = LossMonitor(thresholds)
        self._roles: dict[str, str] = {}  # key -> "train", "val" or "" (neither)
        self._train: str | None = None
        self._val: str | None = None
        self._from_step = run.next_step
        self._to_step: int | None = None  # set by close()
        self._observer = self._observe
        run.observe(self._observer)
        self._handles = [model.register_forward_pre_hook(self._pre_forward),
                         model.register_forward_hook(self._post_forward)]
        for i, (_, p) in enumerate(self.params):
            self._handles.append(p.register_post_accumulate_grad_hook(self._grad_hook(i)))

    # -- training thread -----------------------------------------------------------------------
    def _pre_forward(self, module: nn.Module, args: Any) -> None:
        if not (module.training and torch.is_grad_enabled()):
            return
        if self._sampling:
            self._sampling = False
            self.flush()
        if self.calls % self.every == 0:
            self._sampling = True
            self._step = self.run.next_step  # the step this forward pass will be logged at
            if self.activations:
                self._attach()
        self.calls += 1

    def _post_forward(self, module: nn.Module, args: Any, output: Any) -> None:
        self._detach()

    def _attach(self) -> None:
        self._acts = {}
        for name, m in self.leaves:
            self._leaf_handles.append(m.register_forward_hook(self._act_hook(name)))

    def _detach(self) -> None:
        for h in self._leaf_handles:
            h.remove()
        self._leaf_handles = []

    def _act_hook(self, name: str) -> Any:
        def hook(module: nn.Module, inputs: Any, output: Any) -> None:
            out = output[0] if isinstance(output, (tuple, list)) and output else output
            if isinstance(out, torch.Tensor) and out.is_floating_point() and out.numel():
                self._acts[name] = (type(module).__name__, _act_stats(out))
        return hook

    def _grad_hook(self, index: int) -> Any:
        def hook(p: torch.Tensor) -> None:
            if not self._sampling or p.grad is None:
                return
            with torch.no_grad():
                g = p.grad.detach()
                counts, rng = histogram(g, self.bins, self.max_sample)
                a = _sample(g, self.max_sample).abs()
                _, std, norm, bad = _summary(g, self.max_sample)
                peak = torch.linalg.vector_norm(g, ord=math.inf).float()  # max |g|, every element
                stats = torch.stack([a.mean(), peak, norm, bad, std])
                self._grads[index] = (counts, rng, stats, p.detach().clone())
        return hook

    def flush(self) -> None:
        """Queue the statistics of the last sampled step (called at the next forward pass)."""
        self._detach()
        if not self.params and not self._acts:
            return
        with torch.no_grad():
            arrays = self._collect()
        acts = list(self._acts.items())
        self._grads, self._acts = {}, {}
        if acts:
            arrays["a_stats"] = torch.stack([s for _, (_, s) in acts]).cpu() \
                if len({s.device for _, (_, s) in acts}) > 1 else torch.stack([s for _, (_, s) in acts])
        meta = {"params": [n for n, _ in self.params],
                "shapes": [list(p.shape) for _, p in self.params],
                "layers": [n for n, _ in acts], "types": [t for _, (t, _) in acts],
                "bins": self.bins, "every": self.every}
        self.run.record(KIND, self.name, arrays, step=self._step, meta=meta,
                        encode=self._diagnose_and_encode(meta, self._step))

    def _collect(self) -> dict[str, torch.Tensor]:
        rows: dict[str, list[torch.Tensor]] = {k: [] for k in
                                               ("w_hist", "w_range", "w_stats", "g_hist", "g_range",
                                                "g_stats", "update")}
        for i, (_, p) in enumerate(self.params):
            w = p.detach()
            counts, rng = histogram(w, self.bins, self.max_sample)
            wf = w.float()
            rows["w_hist"].append(counts)
            rows["w_range"].append(rng)
            rows["w_stats"].append(torch.stack(_summary(w, self.max_sample)))
            got = self._grads.get(i)
            if got is None:
                nan = torch.full((), math.nan, device=w.device)
                rows["g_hist"].append(nan.expand(self.bins))
                rows["g_range"].append(nan.expand(2))
                rows["g_stats"].append(nan.expand(5))
                rows["update"].append(nan)
            else:
                g_counts, g_rng, g_stats, before = got
                rows["g_hist"].append(g_counts)
                rows["g_range"].append(g_rng)
                rows["g_stats"].append(g_stats)
                rows["update"].append(torch.linalg.vector_norm(wf - before.float()) /
                                      torch.linalg.vector_norm(before.float()).clamp_min(1e-12))
        out: dict[str, torch.Tensor] = {}
        for key, parts in rows.items():
            if not parts:
                continue
            devices = {t.device for t in parts}
            if len(devices) > 1:  # a model split over devices: one small copy per part
                parts = [t.cpu() for t in parts]
            out[key] = torch.stack(parts)
        return out

    def close(self) -> None:
        """Queue what is pending and remove every hook.

        The loss observer leaves the writer at the first point logged after this call: the
        points logged before it (maybe not written yet) still reach the loss rules.
        """
        if self._to_step is None:
            self._to_step = self.run.next_step
        if self._sampling:
            self._sampling = False
            self.flush()
        self._detach()
        for h in self._handles:
            h.remove()
        self._handles = []

    # -- writer thread -------------------------------------------------------------------------
    def _diagnose_and_encode(self, meta: dict[str, Any], step: int) -> Any:
        def encode(host: dict[str, np.ndarray]) -> tuple[bytes, str]:
            try:
                self._diagnose(host, meta, step)
            except Exception as exc:  # a rule's bug must not lose the statistics
                warnings.warn(f"torchloupe: diagnostics failed at step {step}: {exc!r}",
                              DiagnosticWarning, stacklevel=1)
            buf = io.BytesIO()
            np.savez(buf, **{k: np.asarray(v, dtype=np.float32) for k, v in host.items()})
            return buf.getvalue(), "npz"
        return encode

    def _diagnose(self, host: dict[str, np.ndarray], meta: dict[str, Any], step: int) -> None:
        t = self.thresholds
        findings: list[Finding] = []
        if "w_stats" in host:
            findings += check_parameters(meta["params"], host["w_stats"], host["g_stats"],
                                         host["update"], t)
        if "a_stats" in host:
            findings += check_activations(meta["layers"], meta["types"], host["a_stats"], t)
        for f in findings:
            self._report(f, step)

    def _report(self, f: Finding, step: int) -> None:
        """A finding's first time: a run event and a ``DiagnosticWarning`` (then nothing)."""
        key = (f.kind, f.location)
        if key in self._fired:
            return
        self._fired.add(key)
        where = f"{self.name}.{f.location}" if f.location else self.name
        step = int(f.data.get("step", step))
        self.run.event(f.kind, f.message, f.severity, step=step, location=where,
                       data={**f.data, "model": self.name})
        warnings.warn(f"torchloupe: {f.message} [{f.kind}, step {step}]", DiagnosticWarning,
                      stacklevel=1)

    def _observe(self, key: str, steps: np.ndarray, values: np.ndarray) -> None:
        """Feed the loss rules (the writer calls this with every logged point once, in order)."""
        to_step = self._to_step
        if to_step is not None and len(steps) and steps.max() >= to_step:
            # logged after close(): every point logged before it has been handed over by now
            self.run.unobserve(self._observer)
        role = self._roles.get(key)
        if role is None and not self._may_be_loss(key):
            role = self._roles[key] = ""
        if role == "":
            return
        inside = steps >= self._from_step
        if to_step is not None:
            inside &= steps < to_step
        if not inside.all():
            steps, values = steps[inside], values[inside]
        if not len(steps):
            return
        if role is None:  # its first point while watching: decide what it is, once
            role = self._roles[key] = self._claim(key)
        if role == "train":
            findings = self._monitor.feed_train(steps, values)
        elif role == "val":
            findings = self._monitor.feed_val(steps, values)
        else:
            return
        for f in findings:
            self._report(f, int(f.data["step"]))

    def _may_be_loss(self, key: str) -> bool:
        return key in (self.loss_key, self.val_loss_key) or \
            (self.loss_key is None and _matches(key, TRAIN_LOSS_PATTERNS)) or \
            (self.val_loss_key is None and _matches(key, VAL_LOSS_PATTERNS))

    def _claim(self, key: str) -> str:
        if key == self.loss_key:
            return "train"
        if key == self.val_loss_key:
            return "val"
        if self.loss_key is None and self._train is None and _matches(key, TRAIN_LOSS_PATTERNS):
            self._train = key
            return "train"
        if self.val_loss_key is None and self._val is None and _matches(key, VAL_LOSS_PATTERNS):
            self._val = key
            return "val"
        return ""


def _matches(key: str, patterns: tuple[str, ...]) -> bool:
    return any(re.search(p, key, re.IGNORECASE) for p in patterns)


def watch(run: Recorder, model: nn.Module, every: int = 100, *, name: str | None = None,
          **options: Any) -> Watcher:
    """Start watching ``model`` for ``run`` (``run.watch`` calls this)."""
    watchers: dict[str, Watcher] = run.watchers
    for w in watchers.values():
        if w.model is model:
            raise LoupeValueError(f"this model is already watched as {w.name!r}; "
                                  "call run.unwatch(model) first")
    if name is None:
        base = type(getattr(model, "_orig_mod", model)).__name__
        name, i = base, 1
        while name in watchers:
            i += 1
            name = f"{base}{i}"
    elif name in watchers:
        raise LoupeValueError(f"a model is already watched under the name {name!r}")
    watcher = Watcher(run, model, name, every, **options)
    watchers[name] = watcher
    return watcher


def unwatch(run: Recorder, model: nn.Module | None = None) -> None:
    """Stop watching ``model`` (default: every watched model), queueing what is pending."""
    watchers: dict[str, Watcher] = run.watchers
    for key, w in list(watchers.items()):
        if model is None or w.model is model:
            w.close()
            del watchers[key]
