"""Recovery files: what a run could not write to its store, kept on disk and loaded back once.

When the store stays unwritable until ``run.finish()`` gives up (a full disk, a folder gone
read-only, a database held locked by another process), or when points pile up in memory past the
writer's limit, the writer *spills* them to a recovery file instead of dropping them:
``<store>/recovery/<run id>-<time>-<pid>.spill`` or, when the store's folder cannot be written
either, the same name under the user's cache folder (``$XDG_CACHE_HOME/torchloupe/recovery``,
else ``~/.cache/torchloupe/recovery``, else the temporary folder). The warning names the file.

A recovery file is a zip archive holding ``manifest.json`` (the run's identity and final columns,
events, artifact index) and ``series.npz`` (int64 steps, float64 walls and values per series), and
``artifacts/<n>`` files; it is read with ``json`` and ``numpy.load(allow_pickle=False)``, never
with pickle, so loading one cannot run code.

:func:`recover` loads spills back into their store *exactly once*: each load is one transaction
of the backend (:meth:`~.base.Backend.load_spill`) that also records the spill's id (in SQLite,
in the ``meta`` table), under the store folder's file lock; the file is deleted after the
commit, and a file whose id is already recorded is only deleted.
``tl.init`` and ``tl.open`` call it on the store they open; ``torchloupe recover`` calls it on
demand.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
import uuid
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import StoreError
from .base import Backend, Points

SUFFIX = ".spill"
FORMAT = "torchloupe-spill"
VERSION = 1


@dataclass
class Spill:
    """What one writer could not store: points, events, artifacts and the run's final columns."""

    run: dict[str, Any]
    """The run's identity (id, project, name, started, host, pid, config, summary, status)."""
    points: dict[str, Points] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    artifacts: list[tuple[dict[str, Any], bytes]] = field(default_factory=list)
    """(kind, tag, step, meta, ext) and the encoded file of each artifact."""
    fields: dict[str, Any] = field(default_factory=dict)
    """Run columns to set when loaded (status, ended, config, summary, heartbeat)."""

    @property
    def n_points(self) -> int:
        """How many points the spill holds."""
        return sum(len(p.values) for p in self.points.values())

    @property
    def empty(self) -> bool:
        """Whether there is nothing to keep."""
        return not self.points and not self.events and not self.artifacts and not self.fields


def event_dict(event: Any) -> dict[str, Any]:
    """An ``EventRecord`` as a recovery file keeps it.

    Example:
        >>> from torchloupe.store.artifacts import EventRecord
        >>> event_dict(EventRecord("nan_loss", 3, "error", "m", None, {}, 1.0))["step"]
        3
    """
    return {"kind": event.kind, "step": event.step, "severity": event.severity,
            "message": event.message, "location": event.location, "data": event.data,
            "wall": event.wall}


def user_recovery_dir() -> Path:
    """Where spills go when the store's own folder cannot be written.

    Example:
        >>> user_recovery_dir().name
        'recovery'
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "torchloupe" / "recovery"


def write_spill(store_dir: Path, spill: Spill) -> Path:
    """Write ``spill`` atomically next to the store (or in the user's fallback folder).

    Returns:
        The path of the file written.

    Raises:
        StoreError: no folder could be written.

    Example:
        >>> import tempfile
        >>> path = write_spill(Path(tempfile.mkdtemp()), Spill(run={"id": "r1"}))
        >>> path.suffix
        '.spill'
    """
    spill_id = uuid.uuid4().hex
    name = f"{spill.run.get('id', 'run')}-{time.time_ns()}-{os.getpid()}{SUFFIX}"
    data = _encode(store_dir, spill, spill_id)
    errors = []
    for folder in (store_dir / "recovery", user_recovery_dir(),
                   Path(tempfile.gettempdir()) / "torchloupe-recovery"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            tmp = folder / (name + ".tmp")
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
            return target
        except OSError as exc:
            errors.append(f"{folder}: {exc}")
    raise StoreError("cannot write a recovery file anywhere: " + "; ".join(errors))


def _encode(store_dir: Path, spill: Spill, spill_id: str) -> bytes:
    manifest: dict[str, Any] = {
        "format": FORMAT, "version": VERSION, "id": spill_id, "store": str(store_dir.resolve()),
        "written": time.time(), "run": spill.run, "fields": _status_text(spill.fields),
        "series": list(spill.points), "events": spill.events,
        "artifacts": [meta for meta, _ in spill.artifacts],
    }
    arrays: dict[str, np.ndarray] = {}
    for i, p in enumerate(spill.points.values()):
        arrays[f"steps{i}"] = np.asarray(p.steps, "<i8")
        arrays[f"walls{i}"] = np.asarray(p.walls, "<f8")
        arrays[f"values{i}"] = np.asarray(p.values, "<f8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, default=repr, allow_nan=True))
        npz = io.BytesIO()
        np.savez(npz, **arrays)
        z.writestr("series.npz", npz.getvalue())
        for i, (_, blob) in enumerate(spill.artifacts):
            z.writestr(f"artifacts/{i}", blob)
    return buf.getvalue()


def _status_text(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    status = out.get("status")
    if status is not None and not isinstance(status, str):
        out["status"] = getattr(status, "value", str(status))
    return out


def read_spill(path: Path) -> tuple[dict[str, Any], Spill]:
    """Read a recovery file: its manifest and contents (no pickle, no code).

    Raises:
        StoreError: the file is damaged or not a recovery file.

    Example:
        >>> import tempfile
        >>> p = write_spill(Path(tempfile.mkdtemp()), Spill(run={"id": "r1"}))
        >>> read_spill(p)[1].run["id"]
        'r1'
    """
    try:
        with zipfile.ZipFile(path) as z:
            manifest = json.loads(z.read("manifest.json"))
            if manifest.get("format") != FORMAT:
                raise StoreError(f"{path} is not a torchloupe recovery file")
            if int(manifest.get("version", 0)) > VERSION:
                raise StoreError(f"{path} was written by a newer torchloupe (format version "
                                 f"{manifest['version']}); upgrade torchloupe to load it")
            points = {}
            with np.load(io.BytesIO(z.read("series.npz")), allow_pickle=False) as arrays:
                for i, key in enumerate(manifest["series"]):
                    points[str(key)] = Points(arrays[f"steps{i}"].astype(np.int64),
                                              arrays[f"values{i}"].astype(np.float64),
                                              arrays[f"walls{i}"].astype(np.float64))
            artifacts = [(meta, z.read(f"artifacts/{i}"))
                         for i, meta in enumerate(manifest.get("artifacts", []))]
    except StoreError:
        raise
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise StoreError(f"cannot read the recovery file {path}: {exc}") from exc
    spill = Spill(run=dict(manifest.get("run") or {}), points=points,
                  events=list(manifest.get("events") or []), artifacts=artifacts,
                  fields=dict(manifest.get("fields") or {}))
    return manifest, spill


@dataclass
class Recovered:
    """What :func:`recover` did: files loaded (with their points) and files it skipped."""

    loaded: list[tuple[Path, str, int]] = field(default_factory=list)
    """(file, run id, points) of each file loaded."""
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    """(file, why) of each file left alone."""

    @property
    def points(self) -> int:
        """Points loaded in all."""
        return sum(n for _, _, n in self.loaded)


def waiting(store_dir: Path) -> bool:
    """Whether recovery files wait in the store's folder or the user's fallback folder.

    Example:
        >>> import tempfile
        >>> waiting(Path(tempfile.mkdtemp()))  # doctest: +SKIP
        False
    """
    if pending(store_dir):
        return True
    try:
        return any(user_recovery_dir().glob("*" + SUFFIX))
    except OSError:
        return False


def pending(store_dir: Path) -> list[Path]:
    """The recovery files waiting in a store's folder, oldest first.

    Example:
        >>> import tempfile
        >>> pending(Path(tempfile.mkdtemp()))
        []
    """
    folder = Path(store_dir) / "recovery"
    try:
        return sorted(folder.glob("*" + SUFFIX), key=lambda p: p.name)
    except OSError:
        return []


def recover(store: Backend, paths: Iterable[Path] | None = None, *,
            quiet: bool = False) -> Recovered:
    """Load recovery files into ``store``, each exactly once, and delete them.

    Args:
        store: an open store; one that is not durable (in memory) loads nothing.
        paths: files or folders of recovery files (default: the store's ``recovery/`` folder and
            the user's fallback folder); a file written for another store is skipped.
        quiet: no warning for skipped files.

    Example:
        >>> import tempfile
        >>> from torchloupe.store import open_backend
        >>> recover(open_backend(tempfile.mkdtemp())).points
        0
    """
    from .sqlite import store_lock

    if not store.durable:
        return Recovered()
    here = str(Path(store.dir).resolve())
    own = (Path(store.dir) / "recovery").resolve()
    files: list[tuple[Path, bool]] = []  # (file, named by the caller)
    if paths is None:
        files = [(p, False) for p in pending(store.dir)]
        try:
            if user_recovery_dir().is_dir():
                files += [(p, False) for p in sorted(user_recovery_dir().glob("*" + SUFFIX))]
        except OSError:  # a home folder this user may not read: the store's own files still load
            pass
    else:
        for p in map(Path, paths):
            files += [(f, False) for f in sorted(p.glob("*" + SUFFIX))] if p.is_dir() else [(p, True)]
    out = Recovered()
    if not files:
        return out
    with store_lock(Path(store.dir)):
        for path, named in files:
            if not path.exists():
                continue  # loaded by another process meanwhile
            try:
                manifest, spill = read_spill(path)
            except StoreError as exc:
                out.skipped.append((path, str(exc)))
                continue
            if manifest.get("store") != here and path.parent.resolve() != own and not named:
                out.skipped.append((path, f"written for the store {manifest.get('store')}"))
                continue
            try:
                store.load_spill(manifest["id"], spill)
            except StoreError as exc:
                out.skipped.append((path, str(exc)))
                continue
            try:
                path.unlink()
            except OSError:
                pass  # its id is recorded: it will not be loaded twice
            out.loaded.append((path, str(spill.run.get("id")), spill.n_points))
    if out.skipped and not quiet:
        for path, why in out.skipped:
            warnings.warn(f"torchloupe: recovery file {path} not loaded: {why}", UserWarning,
                          stacklevel=2)
    return out
