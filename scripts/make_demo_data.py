"""Build the demo's MNIST archives from the 5,000-digit CSV.

Reads ``mnist_5k.csv.gz`` (each row: 784 pixel values 0-255 in row-major order, then the label;
no header) and writes two archives in ImageFolder layout into ``src/torchloupe/demo/data/``::

    mnist_4000_train.tar.gz   train/<digit>/<row>.png   400 per digit
    mnist_1000_test.tar.gz    test/<digit>/<row>.png    100 per digit

``<row>`` is the digit's zero-based row number in the CSV, zero-padded to four places, so every
image can be traced back to its source and lexicographic order equals numeric order.

The split is stratified and uses no random numbers: within each digit, taken in CSV order, every
fifth image goes to the test set. The archives are byte-for-byte reproducible: members in sorted
order, fixed mtime, uid/gid 0 with empty owner names, fixed modes, and a gzip header with mtime 0
and no file name. Re-running the script on the same input (and the same Pillow/zlib) gives the same
bytes.

Usage::

    python scripts/make_demo_data.py [--source PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import gzip
import io
import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "mnist_5k.csv.gz"
DEFAULT_OUT = REPO / "src" / "torchloupe" / "demo" / "data"

SIDE = 28
TEST_EVERY = 5  # every 5th image of a digit goes to test: 400 train / 100 test per digit
# 2000-01-01T00:00:00Z: any fixed value works; zero makes some tools warn about "implausibly old" files.
FIXED_MTIME = 946_684_800
ARCHIVES = {"train": "mnist_4000_train.tar.gz", "test": "mnist_1000_test.tar.gz"}


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(images uint8 [N, 28, 28], labels int64 [N])`` from the CSV at ``path``."""
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.ndim != 2 or table.shape[1] != SIDE * SIDE + 1:
        raise ValueError(
            f"{path}: expected rows of {SIDE * SIDE} pixels + 1 label, got shape {table.shape}"
        )
    if table[:, :-1].min() < 0 or table[:, :-1].max() > 255:
        raise ValueError(f"{path}: pixel values must lie in 0..255")
    images = table[:, :-1].astype(np.uint8).reshape(-1, SIDE, SIDE)
    return images, table[:, -1]


def split_rows(labels: np.ndarray) -> dict[str, list[int]]:
    """Split row numbers per digit, in CSV order, into ``{"train": [...], "test": [...]}``."""
    split: dict[str, list[int]] = {"train": [], "test": []}
    for digit in np.unique(labels):
        rows = np.flatnonzero(labels == digit)
        for i, row in enumerate(rows):
            split["test" if i % TEST_EVERY == TEST_EVERY - 1 else "train"].append(int(row))
    return split


def encode_png(image: np.ndarray) -> bytes:
    """Encode a uint8 ``[28, 28]`` array as an 8-bit grayscale PNG."""
    buf = io.BytesIO()
    Image.fromarray(image, mode="L").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def members(
    split: str, rows: Iterable[int], images: np.ndarray, labels: np.ndarray
) -> Iterator[tuple[str, bytes | None]]:
    """Yield ``(archive path, PNG bytes)`` in sorted order; folders come with ``None``."""
    files = {f"{split}/{labels[r]}/{r:04d}.png": r for r in rows}
    folders = {split} | {name.rsplit("/", 1)[0] for name in files}
    for name in sorted(folders | files.keys()):
        yield name, None if name in folders else encode_png(images[files[name]])


def tar_info(name: str, size: int | None) -> tarfile.TarInfo:
    """A TarInfo with fixed metadata, so the archive does not depend on who built it or when."""
    info = tarfile.TarInfo(name)
    info.mtime = FIXED_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if size is None:
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
    else:
        info.size = size
        info.mode = 0o644
    return info


def write_archive(path: Path, entries: Iterable[tuple[str, bytes | None]]) -> None:
    """Write ``entries`` to a reproducible ``.tar.gz`` at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw:
        # filename="" keeps the output name out of the gzip header; mtime=0 keeps the clock out.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar:
                for name, data in entries:
                    if data is None:
                        tar.addfile(tar_info(name, None))
                    else:
                        tar.addfile(tar_info(name, len(data)), io.BytesIO(data))


def build(source: Path, out: Path) -> dict[str, Path]:
    """Write both archives from ``source`` into ``out`` and return their paths by split.

    Example:
        >>> paths = build(DEFAULT_SOURCE, DEFAULT_OUT)  # doctest: +SKIP
        >>> sorted(paths)  # doctest: +SKIP
        ['test', 'train']
    """
    images, labels = read_csv(source)
    written = {}
    for split, rows in split_rows(labels).items():
        path = out / ARCHIVES[split]
        write_archive(path, members(split, rows, images, labels))
        written[split] = path
    return written


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path, default=DEFAULT_SOURCE, help="mnist_5k.csv.gz (default: %(default)s)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    for split, path in build(args.source, args.out).items():
        print(f"{split:5s} {path}  {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
