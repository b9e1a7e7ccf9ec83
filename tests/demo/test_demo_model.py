"""The demo CNN: shapes, and that it learns."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from torchloupe.demo.data import ImageFolder, grayscale_loader, to_tensors
from torchloupe.demo.model import DemoCNN
from torchloupe.demo.transforms import MNIST_MEAN, MNIST_STD
from torchloupe.errors import LoupeValueError


def test_output_shape() -> None:
    model = DemoCNN(num_classes=10).eval()
    assert model(torch.zeros(5, 1, 28, 28)).shape == (5, 10)
    assert DemoCNN(num_classes=3, channels=(4, 8, 8), in_channels=3)(
        torch.zeros(2, 3, 32, 32)
    ).shape == (2, 3)


def test_has_batchnorm_relu_dropout_and_is_small() -> None:
    model = DemoCNN()
    kinds = {type(m).__name__ for m in model.modules()}
    assert {"Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Dropout", "AdaptiveAvgPool2d"} <= kinds
    assert sum(isinstance(m, torch.nn.Conv2d) for m in model.modules()) == 6
    assert 50_000 < sum(p.numel() for p in model.parameters()) < 100_000


def test_refuses_bad_widths() -> None:
    with pytest.raises(LoupeValueError, match="three positive block widths"):
        DemoCNN(channels=(16, 32))


def test_loss_falls_on_a_tiny_subset(mnist_root: Path) -> None:
    images, labels = to_tensors(ImageFolder(mnist_root / "test", loader=grayscale_loader))
    x = (images[::20].float() / 255 - MNIST_MEAN) / MNIST_STD  # 50 images, 5 per digit
    y = labels[::20]
    torch.manual_seed(0)
    model = DemoCNN()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(10):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0]
