"""scripts/make_demo_data.py: stratified split, ImageFolder layout, byte-for-byte reproducible archives."""

from __future__ import annotations

import gzip
import importlib.util
import io
import tarfile
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from PIL import Image

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_demo_data.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def csv(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """A small CSV in the source format: 10 images per digit, grouped by digit like the real file."""
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 10)
    pixels = rng.integers(0, 256, size=(100, 784))
    table = np.column_stack([pixels, labels])
    path = tmp_path / "digits.csv.gz"
    with gzip.open(path, "wt") as f:
        np.savetxt(f, table, fmt="%d", delimiter=",")
    return path, table


def test_split_is_stratified_and_disjoint(script: ModuleType) -> None:
    labels = np.repeat(np.arange(10), 500)
    split = script.split_rows(labels)
    assert len(split["train"]) == 4000 and len(split["test"]) == 1000
    assert np.bincount(labels[split["test"]]).tolist() == [100] * 10
    assert not set(split["train"]) & set(split["test"])


def test_archives_have_imagefolder_layout_and_exact_pixels(
    script: ModuleType, csv: tuple[Path, np.ndarray], tmp_path: Path
) -> None:
    source, table = csv
    paths = script.build(source, tmp_path / "out")
    with tarfile.open(paths["test"]) as tar:
        files = [m for m in tar.getmembers() if m.isfile()]
        assert len(files) == 20
        assert {m.name.split("/")[1] for m in files} == {str(d) for d in range(10)}
        assert all(
            m.mtime == script.FIXED_MTIME and m.uid == 0 and m.uname == "" for m in tar.getmembers()
        )
        member = tar.getmember("test/3/0034.png")
        image = Image.open(io.BytesIO(tar.extractfile(member).read()))  # type: ignore[union-attr]
        assert image.mode == "L" and image.size == (28, 28)
        assert np.array_equal(np.asarray(image), table[34, :784].reshape(28, 28))
    with tarfile.open(paths["train"]) as tar:
        names = tar.getnames()
        assert sum(n.endswith(".png") for n in names) == 80
        assert names == sorted(names)


def test_archives_are_reproducible(
    script: ModuleType, csv: tuple[Path, np.ndarray], tmp_path: Path
) -> None:
    source, _ = csv
    first = script.build(source, tmp_path / "a")
    second = script.build(source, tmp_path / "b")
    for split in ("train", "test"):
        data = first[split].read_bytes()
        assert data == second[split].read_bytes()
        assert data[4:8] == b"\0\0\0\0"  # gzip header mtime
        assert first[split].name == script.ARCHIVES[split]


def test_bad_csv_is_refused(script: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write("1,2,3\n4,5,6\n")
    with pytest.raises(ValueError, match="784 pixels"):
        script.read_csv(path)
