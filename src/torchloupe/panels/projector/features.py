"""Penultimate-layer features of a classifier, for ``run.log_embedding``: the input of its last
``nn.Linear``, captured with a forward hook while the model runs in eval mode."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ...errors import LoupeValueError


def penultimate_features(model: nn.Module, inputs: torch.Tensor, layer: nn.Module | None = None,
                         batch_size: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """Run ``model`` on ``inputs`` in batches and return ``(features [N, D], outputs [N, K])``.

    ``features`` is what enters ``layer`` (default: the model's last ``nn.Linear``, i.e. the
    classifier), flattened per example. The hook is removed and the model's mode restored even on
    errors; nothing is recorded into autograd.

    Example:
        >>> from torchloupe.demo.model import DemoCNN
        >>> feats, logits = penultimate_features(DemoCNN(), torch.zeros(4, 1, 28, 28))
        >>> tuple(feats.shape), tuple(logits.shape)
        ((4, 64), (4, 10))
    """
    if layer is None:
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        if not linears:
            raise LoupeValueError(f"{type(model).__name__} has no nn.Linear layer; pass layer=")
        layer = linears[-1]
    captured: list[torch.Tensor] = []

    def hook(module: nn.Module, args: tuple[Any, ...]) -> None:
        captured.append(args[0].detach().flatten(1))

    handle = layer.register_forward_pre_hook(hook)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            outputs = torch.cat([model(x) for x in inputs.split(batch_size)])
    finally:
        handle.remove()
        model.train(was_training)
    return torch.cat(captured), outputs
