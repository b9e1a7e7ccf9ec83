"""Small synthetic image datasets with planted problems, shared by the data/projector tests."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset

CLASSES = ["bar", "ring", "cross"]
DUPLICATE_OF = 5          # the planted copy is the last item of the train split
MISLABELLED = 20          # a 'bar' image labelled 'cross'


def pattern(k: int, rng: np.random.Generator, size: int = 12) -> np.ndarray:
    img = np.zeros((size, size), np.float32)
    c = size // 2
    if k == 0:
        img[:, c - 1 : c + 1] = 1
    elif k == 1:
        yy, xx = np.mgrid[:size, :size]
        img[np.abs(np.hypot(yy - c, xx - c) - 4) < 1] = 1
    else:
        img[c - 1 : c + 1, :] = 1
        img[:, c - 1 : c + 1] = 1
    return np.clip(img + rng.normal(0, 0.15, img.shape), 0, 1).astype(np.float32)


class Shapes(Dataset):
    """(image [1, 12, 12] float tensor, label int) items with ``targets`` and ``classes``."""

    classes = CLASSES

    def __init__(self, n: int, seed: int, plant: bool = False, weights=(1, 1, 1)) -> None:
        rng = np.random.default_rng(seed)
        p = np.asarray(weights, float) / sum(weights)
        labels = rng.choice(3, n, p=p)
        self.images = [pattern(int(k), rng) for k in labels]
        self.targets = labels.tolist()
        if plant:
            self.images[MISLABELLED] = pattern(0, rng)
            self.targets[MISLABELLED] = 2
            self.images.append(self.images[DUPLICATE_OF].copy())
            self.targets.append(self.targets[DUPLICATE_OF])

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        return torch.from_numpy(self.images[i])[None], self.targets[i]
