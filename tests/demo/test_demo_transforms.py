"""The hand-written transforms: value ranges, batching, and reproducible augmentation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from torchloupe.demo.transforms import (
    MNIST_MEAN,
    MNIST_STD,
    Compose,
    Normalize,
    RandomAffine,
    ToTensor,
    mnist_transform,
)
from torchloupe.errors import LoupeValueError


def test_to_tensor_scales_to_unit_range_in_chw() -> None:
    array = np.arange(28 * 28, dtype=np.uint8).reshape(28, 28)
    x = ToTensor()(Image.fromarray(array))
    assert x.shape == (1, 28, 28) and x.dtype == torch.float32
    assert torch.equal(x[0], torch.from_numpy(array).float() / 255)
    assert ToTensor()(np.zeros((4, 5, 3), dtype=np.uint8)).shape == (3, 4, 5)


def test_to_tensor_refuses_non_uint8() -> None:
    with pytest.raises(LoupeValueError, match="uint8"):
        ToTensor()(np.zeros((28, 28), dtype=np.float32))


def test_normalize_works_on_images_and_batches() -> None:
    norm = Normalize(MNIST_MEAN, MNIST_STD)
    assert norm(torch.full((1, 2, 2), MNIST_MEAN)).abs().max() < 1e-6
    batch = torch.rand(3, 1, 4, 4)
    assert torch.allclose(norm(batch), (batch - MNIST_MEAN) / MNIST_STD)
    with pytest.raises(LoupeValueError, match="std > 0"):
        Normalize(0.0, 0.0)


def test_random_affine_with_no_range_is_identity() -> None:
    x = torch.rand(4, 1, 28, 28)
    out = RandomAffine(degrees=0, translate=0, scale=(1, 1))(x)
    assert torch.allclose(out, x, atol=1e-5)


def test_random_affine_is_reproducible_and_differs_per_image() -> None:
    x = torch.rand(1, 1, 28, 28).expand(4, 1, 28, 28).contiguous()
    a = RandomAffine(generator=torch.Generator().manual_seed(1))(x)
    b = RandomAffine(generator=torch.Generator().manual_seed(1))(x)
    assert torch.equal(a, b)
    assert not torch.allclose(a[0], a[1])
    single = RandomAffine(generator=torch.Generator().manual_seed(1))(x[0])
    assert single.shape == (1, 28, 28)


def test_random_affine_shift_moves_content_and_fills_black() -> None:
    x = torch.zeros(1, 1, 28, 28)
    x[..., 10:18, 10:18] = 1.0
    out = RandomAffine(
        degrees=0, translate=0.2, scale=(1, 1), generator=torch.Generator().manual_seed(0)
    )(x)
    assert out.sum().item() == pytest.approx(64, rel=0.05)  # content is moved, not lost
    assert not torch.allclose(out, x)
    assert out.min() >= 0


def test_random_affine_refuses_bad_arguments_and_inputs() -> None:
    with pytest.raises(LoupeValueError, match="translate"):
        RandomAffine(translate=2)
    with pytest.raises(LoupeValueError, match=r"\[N,C,H,W\]"):
        RandomAffine()(torch.zeros(28, 28))


def test_mnist_transform_pipeline() -> None:
    blank = Image.new("L", (28, 28))
    x = mnist_transform()(blank)
    assert x.shape == (1, 28, 28)
    assert torch.allclose(x, torch.full_like(x, -MNIST_MEAN / MNIST_STD))
    train = mnist_transform(train=True, generator=torch.Generator().manual_seed(0))
    assert isinstance(train, Compose) and len(train.transforms) == 3
