"""``tl.explain``: attribution maps and feature maps through Captum, one verb for every method.

Attribution methods return one map per input, ``[N, H, W]`` float32 on the CPU, whatever the
method: saliency (|gradient|, max over channels), integrated gradients and occlusion (summed over
channels, signed), Grad-CAM (ReLU of the layer's gradient-weighted activations, upsampled to the
input's size). ``method="feature_maps"`` returns :class:`FeatureMaps` of the first input instead.
The model's mode is restored and every hook removed, also when a method fails.

Captum works on the model itself (hooks, the train/eval switch), so calls on one model instance
from several threads (the dashboard computes an example's four maps at once) take turns; calls on
different models run in parallel.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import LoupeValueError

METHODS = ("integrated_gradients", "saliency", "gradcam", "occlusion", "feature_maps")
_LOCKS: weakref.WeakKeyDictionary[nn.Module, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()
_SHARED_LOCK = threading.Lock()


@dataclass(frozen=True)
class FeatureMaps:
    """Activations of each convolution for one input, and the first convolution's filters.

    Attributes:
        layers: layer name -> activations ``[C, h, w]`` (CPU, float32), in forward order.
        filters: weights of the first convolution ``[out, in, k, k]``, or None without one.
    """

    layers: dict[str, torch.Tensor] = field(default_factory=dict)
    filters: torch.Tensor | None = None


def explain(model: nn.Module, inputs: torch.Tensor, target: Any = None,
            method: str = "integrated_gradients", layer: nn.Module | str | None = None,
            **options: Any) -> Any:
    """Why did the model predict what it did? One map per input, from Captum.

    Args:
        model: maps ``[N, C, H, W]`` to logits ``[N, classes]``.
        inputs: a batch ``[N, C, H, W]`` (or one image ``[C, H, W]``) on the model's device.
        target: the class to explain: an int, one per input, or None for the predicted class.
        method: ``"integrated_gradients"``, ``"saliency"``, ``"gradcam"``, ``"occlusion"`` or
            ``"feature_maps"``.
        layer: Grad-CAM's layer (a module or its name); default the last ``Conv2d``.
        **options: passed to Captum's ``attribute`` (e.g. ``n_steps`` for integrated gradients,
            ``sliding_window_shapes`` for occlusion).

    Returns:
        ``[N, H, W]`` float32 maps (CPU), or :class:`FeatureMaps` for ``"feature_maps"``.

    Example:
        >>> from torchloupe.demo.model import DemoCNN
        >>> maps = explain(DemoCNN(), torch.rand(2, 1, 28, 28), method="saliency")
        >>> tuple(maps.shape)
        (2, 28, 28)
    """
    if method not in METHODS:
        raise LoupeValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if not isinstance(inputs, torch.Tensor) or inputs.ndim not in (3, 4):
        shape = tuple(inputs.shape) if isinstance(inputs, torch.Tensor) else type(inputs).__name__
        raise LoupeValueError(f"inputs must be a tensor [N, C, H, W] or [C, H, W], got {shape}")
    x = inputs[None] if inputs.ndim == 3 else inputs
    with _lock(model):
        was_training = model.training
        model.eval()
        try:
            if method == "feature_maps":
                return feature_maps(model, x[:1])
            return _attribute(model, x, target, method, layer, options)
        finally:
            model.train(was_training)


def _lock(model: nn.Module) -> threading.Lock:
    """The lock of one model instance: another thread's hooks would see this call's forward passes."""
    with _LOCKS_GUARD:
        try:
            return _LOCKS.setdefault(model, threading.Lock())
        except TypeError:  # a module class that defines __eq__ without __hash__: one shared lock
            return _SHARED_LOCK


def _attribute(model: nn.Module, x: torch.Tensor, target: Any, method: str,
               layer: nn.Module | str | None, options: dict[str, Any]) -> torch.Tensor:
    from captum import attr

    x = x.detach().float().clone().requires_grad_(True)
    with torch.no_grad():
        predicted = model(x).argmax(dim=1)
    tgt = predicted if target is None else torch.as_tensor(target, device=x.device).long().expand(len(x))
    if method == "saliency":
        a = attr.Saliency(model).attribute(x, target=tgt, abs=True, **options)
        maps = a.amax(dim=1)
    elif method == "integrated_gradients":
        options.setdefault("n_steps", 32)
        a = attr.IntegratedGradients(model).attribute(x, baselines=x.detach() * 0, target=tgt, **options)
        maps = a.sum(dim=1)
    elif method == "occlusion":
        h = x.shape[-1]
        win = max(2, h // 7)
        options.setdefault("sliding_window_shapes", (x.shape[1], win, win))
        options.setdefault("strides", (x.shape[1], max(1, win // 2), max(1, win // 2)))
        options.setdefault("perturbations_per_eval", 64)
        a = attr.Occlusion(model).attribute(x, target=tgt, baselines=0.0, **options)
        maps = a.sum(dim=1)
    else:
        module = _layer(model, layer)
        a = attr.LayerGradCam(model, module).attribute(x, target=tgt, relu_attributions=True, **options)
        maps = F.interpolate(a, size=x.shape[-2:], mode="bilinear", align_corners=False)[:, 0]
    return maps.detach().float().cpu()


def _layer(model: nn.Module, layer: nn.Module | str | None) -> nn.Module:
    if isinstance(layer, nn.Module):
        return layer
    modules = dict(model.named_modules())
    if isinstance(layer, str):
        if layer not in modules:
            raise LoupeValueError(f"model has no layer {layer!r}; conv layers: {', '.join(conv_layers(model))}")
        return modules[layer]
    convs = conv_layers(model)
    if not convs:
        raise LoupeValueError("gradcam needs a Conv2d layer (or pass layer=...)")
    return modules[convs[-1]]


def conv_layers(model: nn.Module) -> list[str]:
    """Names of the model's ``Conv2d`` layers, in registration order."""
    return [n for n, m in model.named_modules() if isinstance(m, nn.Conv2d)]


def feature_maps(model: nn.Module, x: torch.Tensor) -> FeatureMaps:
    """Activations of every ``Conv2d`` for one input ``[1, C, H, W]``, and the first filters."""
    names = conv_layers(model)
    modules = dict(model.named_modules())
    out: dict[str, torch.Tensor] = {}
    handles = []
    try:
        for name in names:
            def hook(_m: nn.Module, _i: Any, o: torch.Tensor, name: str = name) -> None:
                out[name] = o[0].detach().float().cpu()
            handles.append(modules[name].register_forward_hook(hook))
        with torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    filters = modules[names[0]].weight.detach().float().cpu() if names else None  # type: ignore[union-attr]
    return FeatureMaps(layers={n: out[n] for n in names if n in out}, filters=filters)
