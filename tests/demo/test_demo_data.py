"""The shipped archives, their safe unpacking, and the ImageFolder-style dataset."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
import torch

from torchloupe.demo.data import (
    ARCHIVE_DIR,
    ARCHIVES,
    ImageFolder,
    check_member,
    grayscale_loader,
    pil_loader,
    prepare_mnist,
    to_tensors,
)
from torchloupe.demo.transforms import MNIST_MEAN, MNIST_STD, mnist_transform
from torchloupe.errors import LoupeValueError

DIGITS = [str(d) for d in range(10)]


@pytest.mark.parametrize(("split", "per_class"), [("train", 400), ("test", 100)])
def test_archives_unpack_to_imagefolder_layout(
    mnist_root: Path, split: str, per_class: int
) -> None:
    folder = mnist_root / split
    assert sorted(p.name for p in folder.iterdir()) == DIGITS
    for digit in DIGITS:
        files = list((folder / digit).iterdir())
        assert len(files) == per_class
        assert all(f.suffix == ".png" for f in files)


def test_train_and_test_images_are_disjoint(mnist_root: Path) -> None:
    names = {
        split: {p.name for p in (mnist_root / split).glob("*/*.png")} for split in ("train", "test")
    }
    assert len(names["train"]) == 4000 and len(names["test"]) == 1000
    assert not names["train"] & names["test"]


def test_archives_are_small() -> None:
    total = sum((ARCHIVE_DIR / name).stat().st_size for name in ARCHIVES.values())
    assert total < 2_000_000


def test_prepare_skips_a_split_that_is_already_there(tmp_path: Path) -> None:
    (tmp_path / "train" / "0").mkdir(parents=True)
    (tmp_path / "test" / "0").mkdir(parents=True)
    assert prepare_mnist(tmp_path) == tmp_path
    assert list((tmp_path / "train" / "0").iterdir()) == []


def test_prepare_twice_leaves_the_first_copy(mnist_root: Path) -> None:
    image = next((mnist_root / "test" / "3").iterdir())
    before = image.stat().st_mtime_ns
    prepare_mnist(mnist_root)
    assert image.stat().st_mtime_ns == before
    leftovers = [p for p in mnist_root.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no temporary folders


def _archive(path: Path, *members: tarfile.TarInfo) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info in members:
            data = b"x" * info.size
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return path


def _file(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = 1
    return info


def _link(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info


@pytest.mark.parametrize(
    "bad",
    [
        _file("../evil.png"),
        _file("train/../../evil.png"),
        _file("/tmp/evil.png"),
        _file("train\\..\\..\\evil.png"),
        _file("C:/evil.png"),
        _file("elsewhere/0/1.png"),
        _link("train/0/link.png", "/etc/passwd"),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "backslash", "drive", "outside-split", "symlink"],
)
def test_unsafe_members_are_refused_before_anything_is_written(
    tmp_path: Path, bad: tarfile.TarInfo
) -> None:
    archives = tmp_path / "archives"
    archives.mkdir()
    _archive(archives / ARCHIVES["train"], _file("train/0/0000.png"), bad)
    root = tmp_path / "root" / "inner"
    with pytest.raises(LoupeValueError, match="unsafe archive member"):
        prepare_mnist(root, archive_dir=archives)
    assert list(root.iterdir()) == []  # neither the good member nor a temporary folder remains
    assert not (tmp_path / "evil.png").exists() and not (tmp_path / "root" / "evil.png").exists()


def test_check_member_accepts_files_and_folders_under_the_split() -> None:
    folder = tarfile.TarInfo("train/3")
    folder.type = tarfile.DIRTYPE
    check_member(folder, "train")
    check_member(_file("train/3/0042.png"), "train")


def test_imagefolder_has_torchvisions_attributes(mnist_root: Path) -> None:
    ds = ImageFolder(mnist_root / "test", loader=grayscale_loader)
    assert ds.classes == DIGITS
    assert ds.class_to_idx == {d: i for i, d in enumerate(DIGITS)}
    assert len(ds) == len(ds.samples) == len(ds.targets) == 1000
    assert ds.imgs is ds.samples
    assert ds.targets == [t for _, t in ds.samples] == sorted(ds.targets)
    assert ds.loader is grayscale_loader and ds.transform is None and ds.target_transform is None
    path, target = ds.samples[0]
    assert Path(path).parent.name == ds.classes[target]


def test_dataset_returns_normalized_tensors_and_int_labels(mnist_root: Path) -> None:
    ds = ImageFolder(mnist_root / "train", transform=mnist_transform(), loader=grayscale_loader)
    images = torch.stack([ds[i][0] for i in range(0, 4000, 40)])
    image, label = ds[3999]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32
    assert type(label) is int and label == 9
    background = (0 - MNIST_MEAN) / MNIST_STD
    assert images.min().item() == pytest.approx(background)
    assert images.max().item() == pytest.approx((1 - MNIST_MEAN) / MNIST_STD)
    assert abs(images.mean().item()) < 0.3 and 0.7 < images.std().item() < 1.3


def test_target_transform_and_default_rgb_loader(mnist_root: Path) -> None:
    ds = ImageFolder(mnist_root / "test", target_transform=lambda t: t * 10)
    image, target = ds[150]
    assert image.mode == "RGB" and image.size == (28, 28) and target == 10
    assert ds.loader is pil_loader


def test_to_tensors_decodes_a_whole_split(mnist_root: Path) -> None:
    images, labels = to_tensors(ImageFolder(mnist_root / "test", loader=grayscale_loader))
    assert images.shape == (1000, 1, 28, 28) and images.dtype == torch.uint8
    assert labels.dtype == torch.int64 and torch.bincount(labels).tolist() == [100] * 10


def test_imagefolder_without_class_folders_names_the_expected_layout(tmp_path: Path) -> None:
    with pytest.raises(LoupeValueError, match="<class>"):
        ImageFolder(tmp_path)
