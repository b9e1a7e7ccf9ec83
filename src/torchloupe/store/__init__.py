"""Where runs are kept: the :class:`Backend` contract and the way to open one.

Code outside this package names no backend class: it opens a store with :func:`open_backend`
(or :func:`memory_backend`) and talks to it through :class:`Backend`.
"""

from __future__ import annotations

import os
from typing import Any

from ..errors import LoupeValueError
from .base import ArtifactRecord, Backend, EventRecord, Points
from .memory import MemoryStore
from .sqlite import SqliteStore

__all__ = ["ArtifactRecord", "Backend", "EventRecord", "Points", "UnknownStoreError",
           "memory_backend", "open_backend"]


class UnknownStoreError(LoupeValueError):
    """What was given as a store is neither a backend nor a location a backend can open."""


def open_backend(location: Backend | str | os.PathLike[str], *, create: bool = True) -> Backend:
    """The store at ``location``: a directory (the embedded SQLite store), or a backend already
    open (returned as it is).

    Args:
        location: a store directory, or a :class:`Backend`.
        create: create the store if the directory holds none (else a ``StoreError``).

    Raises:
        UnknownStoreError: ``location`` is neither (a URL, a number...).
        StoreError: the directory holds no store (``create=False``), a damaged one or one of a
            newer version; ``StoreAccessError`` when it cannot be created or written.

    Example:
        >>> import tempfile
        >>> store = open_backend(tempfile.mkdtemp())
        >>> open_backend(store) is store
        True
    """
    if isinstance(location, Backend):
        return location
    text = os.fspath(location) if isinstance(location, (str, os.PathLike)) else None
    if isinstance(text, str):
        if "://" in text:
            scheme = text.split("://", 1)[0]
            raise UnknownStoreError(f"no store backend for {scheme}:// locations ({text!r}); "
                                    "a store is a directory path")
        return SqliteStore(text, create=create)
    raise UnknownStoreError(f"a store is a directory path or a store backend, "
                            f"got {_describe(location)}")


def memory_backend(dir: str | os.PathLike[str] | None = None) -> Backend:
    """A new store held in memory: nothing in it outlives the process.

    Args:
        dir: the folder it stands in for: where the recovery files of its runs go and what
            messages name (default: a new name under the temporary folder).

    Example:
        >>> store = memory_backend()
        >>> store.durable, store.runs()
        (False, [])
    """
    return MemoryStore(dir)


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:80]}"
