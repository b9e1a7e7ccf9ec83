"""The demo's CNN: three blocks of two 3x3 convolutions (BatchNorm, ReLU), then global pooling.

Sized for a CPU: with the default widths (16, 32, 64) one epoch over the 4,000 demo images takes a
few seconds on two cores, while the 32/64/128 variant takes about three times as long for at most a
few tenths of a point of accuracy on this data.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from torchloupe.errors import LoupeValueError


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """Two 3x3 convolutions, each followed by BatchNorm and ReLU; the spatial size is kept.

    Example:
        >>> conv_block(1, 16)(torch.zeros(2, 1, 28, 28)).shape
        torch.Size([2, 16, 28, 28])
    """
    return nn.Sequential(
        # No conv bias: the BatchNorm right after it has its own shift.
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
        nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class DemoCNN(nn.Module):
    """A small deep CNN for 28x28 grayscale digits.

    ``block1 -> pool -> block2 -> pool -> block3 -> global average pool -> dropout -> linear``;
    about 73k parameters with the default widths.

    Args:
        num_classes: size of the output.
        channels: widths of the three blocks.
        in_channels: input channels (1 for grayscale).
        dropout: dropout probability before the classifier.

    Example:
        >>> model = DemoCNN(num_classes=10)
        >>> model(torch.zeros(4, 1, 28, 28)).shape
        torch.Size([4, 10])
    """

    def __init__(
        self,
        num_classes: int = 10,
        channels: Sequence[int] = (16, 32, 64),
        in_channels: int = 1,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        if len(channels) != 3 or min(channels) < 1 or num_classes < 1:
            raise LoupeValueError(
                f"DemoCNN needs three positive block widths and num_classes >= 1, got {tuple(channels)}, {num_classes}"
            )
        c1, c2, c3 = channels
        self.features = nn.Sequential(
            conv_block(in_channels, c1),
            nn.MaxPool2d(2),
            conv_block(c1, c2),
            nn.MaxPool2d(2),
            conv_block(c2, c3),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(c3, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``[N, C, H, W]`` images to ``[N, num_classes]`` logits."""
        return self.head(self.features(x))
