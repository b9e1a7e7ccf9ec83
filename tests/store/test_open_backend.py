"""Opening a store: ``open_backend`` picks the backend, and nothing outside ``torchloupe.store``
names one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import torchloupe
from torchloupe.errors import StoreError
from torchloupe.store import Backend, UnknownStoreError, memory_backend, open_backend

SRC = Path(torchloupe.__file__).parent


def test_a_directory_opens_the_embedded_store(tmp_path):
    store = open_backend(tmp_path / "loupe")
    assert isinstance(store, Backend) and store.durable and store.dir == tmp_path / "loupe"
    assert (tmp_path / "loupe" / "loupe.db").is_file()
    assert open_backend(str(tmp_path / "loupe"), create=False).runs() == []


def test_an_open_backend_is_returned_as_it_is():
    store = memory_backend()
    assert open_backend(store) is store


def test_a_missing_store_is_not_created_when_asked_not_to(tmp_path):
    with pytest.raises(StoreError, match="no torchloupe store"):
        open_backend(tmp_path / "nothing", create=False)
    assert not (tmp_path / "nothing").exists()


@pytest.mark.parametrize("location", ["postgresql://db/runs", "s3://bucket/loupe", 42, None,
                                      b"/tmp/loupe", object()])
def test_anything_else_is_refused_clearly(location):
    with pytest.raises(UnknownStoreError, match="store") as caught:
        open_backend(location)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)


def test_nothing_outside_the_store_package_names_a_backend_class():
    names = re.compile(r"\b(SqliteStore|MemoryStore)\b")
    found = [f"{path.relative_to(SRC)}:{n}: {line.strip()}"
             for path in sorted(SRC.rglob("*.py")) if path.parent.name != "store"
             or path.parent.parent != SRC
             for n, line in enumerate(path.read_text().splitlines(), 1) if names.search(line)]
    assert found == [], "use torchloupe.store.Backend and open_backend instead:\n" + "\n".join(found)
