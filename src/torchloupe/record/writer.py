"""The background writer: a bounded queue filled by ``run.log`` and drained into the store.

The caller's thread only appends ``(step, wall time, {key: value})`` to a deque. Every
``flush_interval`` seconds (0.25 s by default, so a killed process loses at most that much) the
writer thread drains the queue, reads all queued tensors in one batch per device and dtype
(``torch.stack(...).cpu()``: the only device synchronization, and it happens here, never on the
caller's thread), groups the points per series and appends them to the store in one transaction.

Back-pressure policy: the queue holds at most ``max_queue`` log calls. When it is full, ``run.log``
waits until the writer has drained it (warning once with how long it waited); nothing is dropped.
When the store cannot be written (full disk, read-only folder), the writer warns once, keeps the
points in memory and retries every flush; beyond ``max_buffered`` points it drops the oldest and
says how many in a warning and in the run's summary (``_torchloupe/dropped_points``) as soon as
the store can be written again: data is never dropped silently.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np

from ..store.sqlite import Points, SqliteStore

Item = tuple[int, float, dict[str, Any], bool]
"""(step, wall time, key -> value, whether any value is a tensor)."""


_STEP, _WALL, _VALUES = itemgetter(0), itemgetter(1), itemgetter(2)


class LoggingWarning(UserWarning):
    """Something went wrong with recording, and training goes on."""


class Writer:
    """Owns the queue and the thread that writes one run's points to the store.

    Example:
        >>> import tempfile, time
        >>> from torchloupe.types import RunRecord, RunStatus
        >>> store = SqliteStore(tempfile.mkdtemp())
        >>> store.create_run(RunRecord("r1", "p", "n", RunStatus.RUNNING, time.time(), None, None))
        >>> w = Writer(store, "r1"); w.put(0, time.time(), {"loss": 1.0}, False); w.close()
        >>> store.read("r1", "loss")[2].tolist()
        [1.0]
    """

    def __init__(self, store: SqliteStore, run_id: str, *, flush_interval: float = 0.25,
                 max_queue: int = 100_000, max_buffered: int = 50_000_000,
                 snapshot: Callable[[], dict[str, Any]] | None = None) -> None:
        self.store = store
        self.run_id = run_id
        self.flush_interval = flush_interval
        self.max_queue = max_queue
        self.max_buffered = max_buffered
        self._snapshot = snapshot
        self._queue: deque[Item] = deque()
        self._objects: deque[tuple[Any, ...]] = deque()  # artifacts and events, in order
        self._wake = threading.Event()
        self._wake_at = max(1, max_queue // 4)
        self._stopping = False
        self._pending: dict[str, list[np.ndarray]] = {}
        self._buffered = 0
        self._dropped = 0
        self._failing: str | None = None
        self._warned_behind = False
        self._last_beat = 0.0
        self.points_written = 0
        self.error: BaseException | None = None
        # observer(key, steps, values), on this thread: every point exactly once, in logging
        # order per key, keys in the order of their first point in each write (the arrays are
        # the stored ones: read, never modify). An observer's exception is warned, not raised.
        self.observers: list[Callable[[str, np.ndarray, np.ndarray], None]] = []
        self._thread = threading.Thread(target=self._loop, name=f"torchloupe-writer-{run_id}",
                                        daemon=True)
        self._thread.start()

    # -- caller side -----------------------------------------------------------------------
    def put(self, step: int, wall: float, values: dict[str, Any], mixed: bool = True) -> None:
        """Queue one log call (called on the training thread; never touches a device).

        ``mixed`` says that some value may be a tensor; plain numbers take a faster path.
        """
        queue = self._queue
        if len(queue) >= self._wake_at:
            self.make_room()
        queue.append((step, wall, values, mixed))

    def make_room(self) -> None:
        """Wake the writer early, and wait if the queue is full (called when it is large)."""
        self._wake.set()
        if len(self._queue) >= self.max_queue:
            self._wait_for_space()

    def _wait_for_space(self) -> None:
        began = time.perf_counter()
        while len(self._queue) >= self.max_queue and self._thread.is_alive():
            self._wake.set()
            time.sleep(0.001)
        waited = time.perf_counter() - began
        if not self._warned_behind:
            self._warned_behind = True
            warnings.warn(
                f"torchloupe: the writer fell behind ({self.max_queue} log calls queued); run.log "
                f"waited {waited:.3f} s for it. Nothing was dropped. Log less often or fewer keys "
                "if this repeats.", LoggingWarning, stacklevel=4)

    def put_artifact(self, kind: str, tag: str, step: int | None, arrays: dict[str, Any],
                     meta: dict[str, Any] | None,
                     encode: Callable[[dict[str, np.ndarray]], tuple[bytes, str]] | None) -> None:
        """Queue an artifact; tensors in ``arrays`` are copied to the CPU on the writer thread.

        ``encode`` (run on the writer thread) turns the arrays into bytes and a file extension,
        e.g. a PNG; without it the arrays are stored as ``.npz``.
        """
        self._objects.append(("artifact", kind, tag, step, arrays, meta, encode))
        if len(self._objects) > 256:
            self._wake.set()

    def put_events(self, events: list[Any]) -> None:
        """Queue diagnostic events (``EventRecord``)."""
        self._objects.append(("events", events))
        self._wake.set()

    def kick(self) -> None:
        """Ask the writer to write now (config or summary changed)."""
        self._wake.set()

    def close(self, timeout: float | None = None) -> None:
        """Write everything still queued, then stop the thread."""
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        """Whether the writer thread still runs."""
        return self._thread.is_alive()

    # -- writer thread ---------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            stopping = self._stopping
            try:
                self._flush()
            except Exception as exc:  # a bug here must not kill training; say it once
                if self.error is None:
                    self.error = exc
                    warnings.warn(f"torchloupe: the writer failed: {exc!r}", LoggingWarning,
                                  stacklevel=1)
                time.sleep(self.flush_interval)
            if stopping and not self._queue and not self._objects:
                return

    def _drain(self) -> list[Item]:
        queue = self._queue
        return [queue.popleft() for _ in range(len(queue))]

    def _flush(self) -> None:
        items = self._drain()
        if items:
            self._group(items)
        now = time.time()
        fields: dict[str, Any] = {}
        if self._snapshot is not None:
            fields.update(self._snapshot())
        if not self._pending and not fields and now - self._last_beat < 1.0:
            return
        if self._dropped:
            summary = dict(fields.get("summary") or {})
            fields["summary"] = {**summary, "_torchloupe/dropped_points": self._dropped}
        fields["heartbeat"] = now
        points = self._points()
        try:
            self.store.append(self.run_id, points, fields)
        except Exception as exc:
            self._on_store_error(exc, points)
            return
        if self._failing is not None:
            warnings.warn(f"torchloupe: the store {self.store.dir} is writable again; recording "
                          "resumed", LoggingWarning, stacklevel=1)
            self._failing = None
        self._last_beat = now
        self.points_written += sum(len(p[2]) for p in points.values())
        self._pending.clear()
        self._buffered = 0
        self._write_objects()

    def _write_objects(self) -> None:
        """Write queued artifacts and events; on a store error keep them for the next flush."""
        objects = self._objects
        while objects:
            item = objects[0]
            try:
                if item[0] == "artifact":
                    _, kind, tag, step, arrays, meta, encode = item
                    host = {k: _to_numpy(v) for k, v in arrays.items()}
                    if encode is None:
                        self.store.put_artifact(self.run_id, kind, tag, step, host, meta)
                    else:
                        data, ext = encode(host)
                        self.store.put_artifact(self.run_id, kind, tag, step, None, meta, data, ext)
                else:
                    self.store.add_events(self.run_id, item[1])
            except Exception as exc:
                if isinstance(exc, (OSError, sqlite3.Error)) or "StoreError" in type(exc).__name__:
                    self._on_store_error(exc, {})
                    return
                warnings.warn(f"torchloupe: could not record {item[0]} {item[1:3]}: {exc!r}",
                              LoggingWarning, stacklevel=1)
            objects.popleft()

    def _group(self, items: list[Item]) -> None:
        """Turn queued log calls into per-series arrays, keeping each series in logging order.

        Calls whose values are all plain numbers are grouped by their key tuple and converted
        with one ``np.array`` per group (the common case: the same dict shape every step);
        the others, which may hold tensors, go value by value.
        """
        groups: dict[tuple[str, ...], tuple[list[int], list[Item]]] = {}
        slow: dict[str, tuple[list[int], list[int], list[float], list[Any]]] = {}
        tensors: list[tuple[list[Any], int, Any]] = []
        for index, item in enumerate(items):
            values = item[2]
            if not item[3]:
                sig = tuple(values)
                g = groups.get(sig)
                if g is None:
                    g = groups[sig] = ([], [])
                g[0].append(index)
                g[1].append(item)
                continue
            step, wall = item[0], item[1]
            for key, value in values.items():
                col = slow.get(key)
                if col is None:
                    col = slow[key] = ([], [], [], [])
                col[0].append(index)
                col[1].append(step)
                col[2].append(wall)
                if type(value) is not float and type(value) is not int:
                    tensors.append((col[3], len(col[3]), value))
                col[3].append(value)
        _resolve(tensors)
        parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]] = {}
        for sig, (idx, group) in groups.items():
            n, k = len(group), len(sig)
            # C-level iteration throughout: this loop runs for every point logged.
            flat = np.fromiter(chain.from_iterable(map(dict.values, map(_VALUES, group))),
                               dtype=np.float64, count=n * k)
            table = flat.reshape(n, k)
            idx_a = np.asarray(idx, dtype=np.int64)
            steps_a = np.fromiter(map(_STEP, group), dtype=np.int64, count=n)
            walls_a = np.fromiter(map(_WALL, group), dtype=np.float64, count=n)
            for j, key in enumerate(sig):
                parts.setdefault(key, []).append((idx_a, steps_a, walls_a, table[:, j].copy()))
        for key, (idx, steps, walls, vals) in slow.items():
            parts.setdefault(key, []).append((np.asarray(idx, dtype=np.int64),
                                              np.asarray(steps, dtype=np.int64),
                                              np.asarray(walls, dtype=np.float64),
                                              np.asarray(vals, dtype=np.float64)))
        seen: list[tuple[int, str, np.ndarray, np.ndarray]] = []  # for observers
        for key, chunks in parts.items():
            if len(chunks) == 1:
                _, steps_a, walls_a, vals_a = chunks[0]
            else:
                order = np.argsort(np.concatenate([c[0] for c in chunks]), kind="stable")
                steps_a = np.concatenate([c[1] for c in chunks])[order]
                walls_a = np.concatenate([c[2] for c in chunks])[order]
                vals_a = np.concatenate([c[3] for c in chunks])[order]
            self._pending.setdefault(key, []).append((steps_a, walls_a, vals_a))
            self._buffered += len(vals_a)
            if self.observers:
                seen.append((int(min(c[0][0] for c in chunks)), key, steps_a, vals_a))
        if seen:  # in logging order: the key's first call, then its place in that call
            places = {i: {k: j for j, k in enumerate(items[i][2])} for i in {s[0] for s in seen}}
            self._notify(sorted(seen, key=lambda s: (s[0], places[s[0]][s[1]])))
        if self._buffered > self.max_buffered:
            self._drop_oldest()

    def _notify(self, seen: list[tuple[int, str, np.ndarray, np.ndarray]]) -> None:
        observers = list(self.observers)  # one list for the whole write, even if it changes
        for _, key, steps, values in seen:
            for observer in observers:
                try:
                    observer(key, steps, values)
                except Exception as exc:
                    warnings.warn(f"torchloupe: an observer of {key!r} failed: {exc!r}",
                                  LoggingWarning, stacklevel=1)

    def _points(self) -> dict[str, Points]:
        out: dict[str, Points] = {}
        for key, parts in self._pending.items():
            if len(parts) == 1:
                out[key] = parts[0]
            else:
                out[key] = (np.concatenate([p[0] for p in parts]),
                            np.concatenate([p[1] for p in parts]),
                            np.concatenate([p[2] for p in parts]))
                self._pending[key] = [out[key]]
        return out

    def _drop_oldest(self) -> None:
        excess = self._buffered - self.max_buffered
        for parts in self._pending.values():
            while parts and excess > 0:
                head = parts[0]
                take = min(excess, len(head[2]))
                parts[0] = (head[0][take:], head[1][take:], head[2][take:])
                if not len(parts[0][2]):
                    parts.pop(0)
                excess -= take
                self._dropped += take
                self._buffered -= take
        warnings.warn(f"torchloupe: {self._dropped} points dropped so far: the store "
                      f"{self.store.dir} has not been writable for a while ({self._failing})",
                      LoggingWarning, stacklevel=1)

    def _on_store_error(self, exc: Exception, points: dict[str, Points]) -> None:
        if self._failing is None:
            self._failing = str(exc)
            warnings.warn(
                f"torchloupe: cannot write to the store {self.store.dir}: {exc}. Training goes on; "
                f"points are kept in memory (up to {self.max_buffered}) and written when it works "
                "again.", LoggingWarning, stacklevel=1)


def _to_numpy(value: Any) -> np.ndarray:
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        value = value.detach()
        if value.dtype == torch.bfloat16:
            value = value.float()
        return value.cpu().numpy()
    return np.asarray(value)


def _resolve(tensors: list[tuple[list[Any], int, Any]]) -> None:
    """Replace queued tensors by floats: one stack and one copy to the CPU per (device, dtype)."""
    if not tensors:
        return
    import torch

    groups: dict[tuple[Any, Any], list[tuple[list[Any], int, Any]]] = {}
    for slot in tensors:
        value = slot[2]
        groups.setdefault((value.device, value.dtype), []).append(slot)
    for group in groups.values():
        try:
            with torch.no_grad():
                stacked = torch.stack([s[2].reshape(()) for s in group]).cpu()
            floats = stacked.to(torch.float64).tolist()
        except Exception as exc:  # e.g. a device error; keep the points, as NaN, and say why
            warnings.warn(f"torchloupe: could not read {len(group)} logged tensors: {exc!r}; "
                          "stored as NaN", LoggingWarning, stacklevel=1)
            floats = [float("nan")] * len(group)
        for (vals, index, _), number in zip(group, floats):
            vals[index] = number
