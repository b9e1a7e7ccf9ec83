"""The demo's data: the shipped MNIST subset, an ImageFolder-style dataset, and in-memory tensors.

The package ships two archives (built by ``scripts/make_demo_data.py``) in ImageFolder layout::

    mnist_4000_train.tar.gz   train/<digit>/<row>.png   400 per digit, 28x28 grayscale
    mnist_1000_test.tar.gz    test/<digit>/<row>.png    100 per digit

``prepare_mnist`` unpacks them once; ``ImageFolder`` reads them with the same public attributes as
``torchvision.datasets.ImageFolder``, so torchvision's class can be used instead where it is
installed; ``to_tensors`` decodes a whole split into one tensor so training skips per-image work.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from torchloupe.errors import LoupeValueError

ARCHIVE_DIR = Path(__file__).resolve().parent / "data"
ARCHIVES = {"train": "mnist_4000_train.tar.gz", "test": "mnist_1000_test.tar.gz"}
IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def default_data_root() -> Path:
    """Where the demo unpacks its data unless told otherwise: ``$XDG_CACHE_HOME/torchloupe/mnist``.

    Example:
        >>> default_data_root().name
        'mnist'
    """
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "torchloupe" / "mnist"


def pil_loader(path: str | Path) -> Image.Image:
    """Open an image as RGB, as torchvision's default loader does.

    Example:
        >>> pil_loader(prepare_mnist() / "train/0/0000.png").mode
        'RGB'
    """
    with Image.open(path) as img:
        return img.convert("RGB")


def grayscale_loader(path: str | Path) -> Image.Image:
    """Open an image as 8-bit grayscale (mode ``"L"``), the loader the demo uses for MNIST.

    Example:
        >>> grayscale_loader(prepare_mnist() / "train/0/0000.png").size
        (28, 28)
    """
    with Image.open(path) as img:
        return img.convert("L")


class ImageFolder(Dataset[tuple[Any, Any]]):
    """Images in ``root/<class>/<file>`` folders, labelled by folder, like torchvision's ImageFolder.

    Classes are the subfolder names in sorted order. Attributes match torchvision's: ``root``,
    ``classes``, ``class_to_idx``, ``samples`` (list of ``(path, class_index)``), ``imgs`` (the same
    list), ``targets``, ``transform``, ``target_transform``, ``loader`` and ``extensions``.

    Args:
        root: folder holding one subfolder per class.
        transform: applied to each loaded image.
        target_transform: applied to each class index.
        loader: opens one file; defaults to RGB like torchvision (the demo passes ``grayscale_loader``).
        extensions: file name endings to accept (case-insensitive).

    Example:
        >>> import tempfile
        >>> from torchloupe.demo.transforms import mnist_transform
        >>> root = prepare_mnist(tempfile.mkdtemp())
        >>> ds = ImageFolder(root / "test", transform=mnist_transform(), loader=grayscale_loader)
        >>> len(ds), ds.classes[:3]
        (1000, ['0', '1', '2'])
        >>> image, label = ds[0]
        >>> image.shape, label
        (torch.Size([1, 28, 28]), 0)
    """

    def __init__(
        self,
        root: str | Path,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[int], Any] | None = None,
        loader: Callable[[str], Any] = pil_loader,
        extensions: tuple[str, ...] = IMG_EXTENSIONS,
    ) -> None:
        self.root = str(root)
        self.transform = transform
        self.target_transform = target_transform
        self.loader = loader
        self.extensions = extensions
        self.classes, self.class_to_idx = self.find_classes(self.root)
        self.samples = self._scan()
        self.imgs = self.samples
        self.targets = [target for _, target in self.samples]

    @staticmethod
    def find_classes(directory: str | Path) -> tuple[list[str], dict[str, int]]:
        """Return the sorted class folder names of ``directory`` and their indices.

        Example:
            >>> ImageFolder.find_classes(prepare_mnist() / "train")[0][:2]
            ['0', '1']
        """
        classes = sorted(e.name for e in os.scandir(directory) if e.is_dir())
        if not classes:
            raise LoupeValueError(
                f"no class folders in {directory}; expected {directory}/<class>/<image file>"
            )
        return classes, {name: i for i, name in enumerate(classes)}

    def _scan(self) -> list[tuple[str, int]]:
        samples = []
        for name in self.classes:
            folder = os.path.join(self.root, name)
            for dirpath, _, files in sorted(os.walk(folder, followlinks=True)):
                for file in sorted(files):
                    if file.lower().endswith(self.extensions):
                        samples.append((os.path.join(dirpath, file), self.class_to_idx[name]))
        if not samples:
            raise LoupeValueError(
                f"no images ending in {self.extensions} under {self.root}/<class>/"
            )
        return samples

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        return sample, target if self.target_transform is None else self.target_transform(target)

    def __repr__(self) -> str:
        return f"ImageFolder(root={self.root!r}, images={len(self)}, classes={len(self.classes)})"


def to_tensors(dataset: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Decode every image of an ImageFolder-like dataset into ``(uint8 [N, C, H, W], int64 [N])``.

    Works with this module's ``ImageFolder`` and torchvision's: it reads ``samples`` with ``loader``
    and ignores ``transform``, so the result is the raw pixels, ready for batched transforms.

    Example:
        >>> root = prepare_mnist()
        >>> images, labels = to_tensors(ImageFolder(root / "test", loader=grayscale_loader))
        >>> images.shape, images.dtype, labels.shape
        (torch.Size([1000, 1, 28, 28]), torch.uint8, torch.Size([1000]))
    """
    arrays = [np.asarray(dataset.loader(path), dtype=np.uint8) for path, _ in dataset.samples]
    if not arrays:
        raise LoupeValueError("to_tensors needs a dataset with at least one sample")
    stacked = np.stack(arrays)
    images = stacked[:, None] if stacked.ndim == 3 else stacked.transpose(0, 3, 1, 2)
    labels = torch.tensor([target for _, target in dataset.samples], dtype=torch.int64)
    return torch.from_numpy(np.ascontiguousarray(images)), labels


def prepare_mnist(root: str | Path | None = None, archive_dir: str | Path = ARCHIVE_DIR) -> Path:
    """Unpack the shipped MNIST archives into ``root`` (``root/train``, ``root/test``) and return ``root``.

    A split whose folder already exists is left alone, so calling this again costs nothing. Each
    split is unpacked into a temporary folder and renamed into place, so an interrupted run never
    leaves a half-filled split behind. Members with absolute paths, ``..`` or a type other than file
    or folder are refused before anything is written.

    Args:
        root: target folder; ``default_data_root()`` when None.
        archive_dir: folder holding the archives (the package's ``demo/data`` by default).

    Raises:
        LoupeValueError: an archive holds an unsafe member.

    Example:
        >>> root = prepare_mnist()  # ~/.cache/torchloupe/mnist
        >>> sorted(p.name for p in root.iterdir() if not p.name.startswith("."))
        ['test', 'train']
    """
    root = Path(root) if root is not None else default_data_root()
    root.mkdir(parents=True, exist_ok=True)
    for split, name in ARCHIVES.items():
        if not (root / split).is_dir():
            extract_split(Path(archive_dir) / name, root, split)
    return root


def extract_split(archive: Path, root: Path, split: str) -> None:
    """Unpack ``archive``, whose members all sit under ``split/``, into ``root/split`` atomically."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{split}-", dir=root))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                check_member(member, split)
            tar.extractall(tmp, members=members, **_data_filter())
        try:
            os.replace(tmp / split, root / split)
        except OSError:
            # Another process unpacked the same split first; its copy is as good as ours.
            if not (root / split).is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_member(member: tarfile.TarInfo, split: str) -> None:
    """Refuse an archive member that could write outside ``split/`` or is not a plain file or folder.

    Example:
        >>> check_member(tarfile.TarInfo("../evil.png"), "train")
        Traceback (most recent call last):
        ...
        torchloupe.errors.LoupeValueError: unsafe archive member '../evil.png': ...
    """
    path = PurePosixPath(member.name)
    absolute = member.name.startswith(("/", "\\")) or path.is_absolute() or ":" in member.name
    if absolute or ".." in path.parts or "\\" in member.name:
        raise LoupeValueError(
            f"unsafe archive member {member.name!r}: expected a relative path under {split}/ without '..'"
        )
    if not path.parts or path.parts[0] != split:
        raise LoupeValueError(
            f"unsafe archive member {member.name!r}: expected a path under {split}/"
        )
    if not (member.isfile() or member.isdir()):
        raise LoupeValueError(
            f"unsafe archive member {member.name!r}: only files and folders are allowed"
        )


def _data_filter() -> dict[str, Any]:
    """``filter="data"`` where tarfile has it (3.10.12+, 3.11.4+): a second guard after check_member."""
    return {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
