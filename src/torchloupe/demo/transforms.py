"""Small image transforms for the demo, written with torch ops so torchvision stays optional.

Each transform is a callable on one image or on a batch: ``ToTensor`` takes a PIL image or array,
the others take float tensors shaped ``[C, H, W]`` or ``[N, C, H, W]``. Batched use is what keeps
the demo fast on a CPU: augmenting 128 images in one ``grid_sample`` call costs about as much as
augmenting one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from torchloupe.errors import LoupeValueError

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


class Compose:
    """Apply transforms in order.

    Example:
        >>> t = Compose([ToTensor(), Normalize(MNIST_MEAN, MNIST_STD)])
        >>> t(Image.new("L", (28, 28))).shape
        torch.Size([1, 28, 28])
    """

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        return f"Compose({self.transforms!r})"


class ToTensor:
    """Turn a PIL image or ``uint8`` array (``HW`` or ``HWC``) into a float ``[C, H, W]`` tensor in [0, 1].

    Example:
        >>> ToTensor()(np.full((28, 28), 255, dtype=np.uint8)).max()
        tensor(1.)
    """

    def __call__(self, pic: Image.Image | np.ndarray) -> torch.Tensor:
        array = np.asarray(pic)
        if array.dtype != np.uint8 or array.ndim not in (2, 3):
            raise LoupeValueError(
                f"ToTensor expects a PIL image or a uint8 array shaped HW or HWC, got {array.dtype} {array.shape}"
            )
        if array.ndim == 2:
            array = array[:, :, None]
        return torch.from_numpy(array.transpose(2, 0, 1).copy()).float().div_(255)

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """Subtract ``mean`` and divide by ``std``, per channel; works on ``[C, H, W]`` and ``[N, C, H, W]``.

    Example:
        >>> Normalize(0.5, 0.5)(torch.ones(1, 2, 2)).unique()
        tensor([1.])
    """

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float]) -> None:
        self.mean = torch.as_tensor(mean, dtype=torch.float32).reshape(-1, 1, 1)
        self.std = torch.as_tensor(std, dtype=torch.float32).reshape(-1, 1, 1)
        if (self.std <= 0).any():
            raise LoupeValueError(f"Normalize needs std > 0, got {std!r}")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean.to(x.device)) / self.std.to(x.device)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.flatten().tolist()}, std={self.std.flatten().tolist()})"


class RandomAffine:
    """Randomly rotate, scale and shift each image; uncovered pixels become 0 (black).

    Apply it before ``Normalize``, so that the fill matches the background. Every image of a batch
    gets its own parameters.

    Args:
        degrees: rotation drawn uniformly from ``[-degrees, degrees]``.
        translate: shift drawn uniformly from ``[-translate, translate]`` times the image size, per axis.
        scale: zoom factor drawn uniformly from ``[low, high]``.
        generator: random source, for reproducible augmentation.

    Example:
        >>> aug = RandomAffine(degrees=10, translate=0.1, generator=torch.Generator().manual_seed(0))
        >>> aug(torch.rand(8, 1, 28, 28)).shape
        torch.Size([8, 1, 28, 28])
    """

    def __init__(
        self,
        degrees: float = 10.0,
        translate: float = 0.1,
        scale: tuple[float, float] = (0.9, 1.1),
        generator: torch.Generator | None = None,
    ) -> None:
        if degrees < 0 or not 0 <= translate <= 1 or not 0 < scale[0] <= scale[1]:
            raise LoupeValueError(
                "RandomAffine needs degrees >= 0, 0 <= translate <= 1 and 0 < scale[0] <= scale[1], "
                f"got degrees={degrees}, translate={translate}, scale={scale}"
            )
        self.degrees, self.translate, self.scale = degrees, translate, scale
        self.generator = generator

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() not in (3, 4) or not x.is_floating_point():
            raise LoupeValueError(
                f"RandomAffine expects a float [C,H,W] or [N,C,H,W] tensor, got {x.dtype} {tuple(x.shape)}"
            )
        batch = x if x.dim() == 4 else x.unsqueeze(0)
        theta = self._thetas(batch.shape[0]).to(batch)
        grid = F.affine_grid(theta, list(batch.shape), align_corners=False)
        out = F.grid_sample(batch, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        return out if x.dim() == 4 else out.squeeze(0)

    def _thetas(self, n: int) -> torch.Tensor:
        """Per-image ``[n, 2, 3]`` matrices mapping output to input coordinates (affine_grid's convention)."""
        u = torch.rand(n, 4, generator=self.generator)
        angle = (u[:, 0] * 2 - 1) * math.radians(self.degrees)
        zoom = self.scale[0] + u[:, 1] * (self.scale[1] - self.scale[0])
        # Normalized coordinates span [-1, 1], so a shift of f image sizes is 2f.
        shift = (u[:, 2:] * 2 - 1) * (2 * self.translate)
        cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
        return torch.stack(
            [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1
        )

    def __repr__(self) -> str:
        return (
            f"RandomAffine(degrees={self.degrees}, translate={self.translate}, scale={self.scale})"
        )


def mnist_transform(train: bool = False, generator: torch.Generator | None = None) -> Compose:
    """The demo's per-image pipeline: to-tensor, light augmentation when ``train``, MNIST normalization.

    Example:
        >>> x = mnist_transform(train=True)(Image.new("L", (28, 28)))
        >>> x.shape, round(x.mean().item(), 4)
        (torch.Size([1, 28, 28]), -0.4242)
    """
    steps: list[Callable[[Any], Any]] = [ToTensor()]
    if train:
        steps.append(RandomAffine(generator=generator))
    steps.append(Normalize(MNIST_MEAN, MNIST_STD))
    return Compose(steps)
