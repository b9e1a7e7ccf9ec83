"""The background writer: a bounded queue filled by ``run.log`` and drained into the store.

The caller's thread only appends ``(step, wall time, {key: value})`` to a deque. Every
``flush_interval`` seconds (0.25 s by default, so a killed process loses at most that much) the
writer thread drains the queue, reads all queued tensors in one batch per device and dtype
(``torch.stack(...).cpu()``: the only device synchronization, and it happens here, never on the
caller's thread), groups the points per series and appends them to the store in one transaction.

Back-pressure policy: the queue holds at most ``max_queue`` log calls. When it is full, ``run.log``
waits until the writer has drained it (warning once with how long it waited); nothing is dropped.
When the store cannot be written (full disk, read-only folder, a lock held by another process), the
writer warns, keeps the points in memory and retries every flush; beyond ``max_buffered`` points it
spills them to a recovery file (:mod:`torchloupe.store.recovery`) and says where.

Finishing is bounded: :meth:`Writer.close` returns within its ``timeout`` plus about two seconds,
whatever the store does. What could not be written by then (points, artifacts, events and the
run's final status) is spilled to a recovery file that ``tl.init``, ``tl.open`` and ``torchloupe
recover`` load back exactly once. Only when no folder at all can be written are points lost, and
the warning says how many.

Isolation: ``run.log`` checks every value on the caller's thread, so the writer only ever sees
numbers it can store. What can still fail here (a tensor whose device cannot be read) is dropped
alone, with a warning naming its key and step; the points around it are kept.
"""

from __future__ import annotations

import io
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

from ..errors import LoupeValueError
from ..store import Backend, Points
from ..store.recovery import Spill, event_dict, write_spill

Item = tuple[int, float, dict[str, Any], bool]
"""(step, wall time, key -> value, whether any value is a tensor)."""


_STEP, _WALL, _VALUES = itemgetter(0), itemgetter(1), itemgetter(2)
_DROP = object()
"""Marks a queued value that could not be read (dropped alone, with a warning)."""
BUSY_SLICE_MS = 500
"""How long one write waits for another process's lock before it is retried at the next flush."""
LOCKED_QUIETLY = 10.0
"""Seconds the store may stay locked by others before the writer warns about it."""
FINISH_TIMEOUT = 5.0
"""Default seconds ``finish()`` waits for the store beyond one flush before spilling."""


class LoggingWarning(UserWarning):
    """Something went wrong with recording, and training goes on."""


class Writer:
    """Owns the queue and the thread that writes one run's points to the store.

    Example:
        >>> import tempfile, time
        >>> from torchloupe.types import RunRecord, RunStatus
        >>> from torchloupe.store import open_backend
        >>> store = open_backend(tempfile.mkdtemp())
        >>> store.create_run(RunRecord("r1", "p", "n", RunStatus.RUNNING, time.time(), None, None))
        >>> w = Writer(store, "r1"); w.put(0, time.time(), {"loss": 1.0}, False); w.close()
        >>> store.read("r1", "loss").values.tolist()
        [1.0]
    """

    def __init__(self, store: Backend, run_id: str, *, flush_interval: float = 0.25,
                 max_queue: int = 100_000, max_buffered: int = 50_000_000,
                 snapshot: Callable[[], dict[str, Any]] | None = None,
                 run_info: Callable[[], dict[str, Any]] | None = None) -> None:
        if not isinstance(max_queue, int) or isinstance(max_queue, bool) or max_queue < 1:
            raise LoupeValueError(f"max_queue must be a positive integer, got {max_queue!r}")
        if not flush_interval > 0:
            raise LoupeValueError(f"flush_interval must be positive, got {flush_interval!r}")
        self.store = store
        self.run_id = run_id
        self.flush_interval = flush_interval
        self.max_queue = max_queue
        self.max_buffered = max_buffered
        self._snapshot = snapshot
        self._run_info = run_info or (lambda: {"id": run_id})
        self._queue: deque[Item] = deque()
        self._objects: deque[tuple[Any, ...]] = deque()  # artifacts and events, in order
        self._wake = threading.Event()
        self._wake_at = max(1, max_queue // 4)
        self._stopping = False
        self._abandon = False
        self._deadline = float("inf")
        self._final: dict[str, Any] = {}
        self._pending: dict[str, list[Points]] = {}
        self._buffered = 0
        self._dropped = 0
        self._failing: str | None = None
        self._warned_behind = False
        self._last_error: str | None = None
        self._last_beat = 0.0
        self._carry: dict[str, Any] = {}
        self._locked_since: float | None = None
        self.points_written = 0
        self.spills: list[Any] = []
        """Recovery files this writer wrote."""
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

        This is how ``run.log`` hands its checked values over, and the only way points enter
        the writer. ``values`` must already be checked (:mod:`torchloupe.record.values`): keys
        well-formed, values plain numbers or one-element tensors; the writer owns the dict from
        now on, so pass a copy. ``mixed`` says that some value may be a tensor (read later, on
        the writer thread); ``False`` promises plain numbers, which take a faster path. When
        the queue holds ``max_queue`` calls this waits for the writer (nothing is dropped).

        Example:
            >>> w.put(10, time.time(), {"train/loss": 0.25}, mixed=False)  # doctest: +SKIP
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
                "if this repeats.", LoggingWarning, stacklevel=5)  # the caller of run.log

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

    def close(self, final: dict[str, Any] | None = None, timeout: float = FINISH_TIMEOUT) -> None:
        """Write everything still queued and then the run's ``final`` columns (status, ended...),
        then stop the thread.

        Returns within ``timeout`` + one flush interval + about two seconds, whatever the store
        does: what cannot be written by then goes to a recovery file (see the module docstring).
        """
        self._final = dict(final or {})
        self._deadline = time.monotonic() + max(0.0, timeout)
        self._stopping = True
        self._wake.set()
        self._thread.join(max(0.0, timeout) + self.flush_interval + 0.5)
        if self._thread.is_alive():
            # Stuck inside the store (a lock held elsewhere, a slow disk): interrupt it. The
            # transaction rolls back, so what it held is spilled once, not written twice.
            self._abandon = True
            try:
                self.store.interrupt()
            except Exception:  # nothing to interrupt
                pass
            self._wake.set()
            self._thread.join(1.5)
        if self._thread.is_alive():
            self._spill_from_caller()

    def _spill_from_caller(self) -> None:
        """The writer thread is stuck: save what it has not taken yet from the queues.

        Each queued item is popped by exactly one thread, so nothing is saved twice; what the
        stuck thread holds it spills itself if it ever returns (it is told to abandon).
        """
        items = self._drain()
        objects = [self._objects.popleft() for _ in range(len(self._objects))]
        spill = Spill(run=self._run_info(), fields=dict(self._final),
                      points=_convert_safely(items)[0] if items else {})
        _spill_objects(objects, spill)
        self._save(spill, f"the writer of run {self.run_id} is stuck in the store {self.store.dir}",
                   stacklevel=4)

    def flush_late(self) -> None:
        """Store what was queued after the writer stopped (a ``log`` racing ``finish``), on the
        calling thread; spill it when the store cannot take it."""
        if self._thread.is_alive() or (not self._queue and not self._objects):
            return
        try:
            self._flush()
        except Exception as exc:  # keep it for the spill below
            self._warn_failure(exc)
        if self._queue or self._objects or self._pending:
            self._spill_all(final=False)

    @property
    def alive(self) -> bool:
        """Whether the writer thread still runs."""
        return self._thread.is_alive()

    # -- writer thread ---------------------------------------------------------------------
    def _loop(self) -> None:
        try:
            # Wait for another process's lock in short slices, so a stopping writer sees its
            # deadline; a lock held longer is retried at the next flush, not an error.
            self.store.set_lock_timeout(BUSY_SLICE_MS / 1000)
        except Exception:  # the first flush meets the same problem and says what it is
            pass
        while True:
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            stopping = self._stopping
            ok = False
            try:
                ok = self._flush()
            except Exception as exc:  # a bug here must not kill training; say what happened
                self._warn_failure(exc)
            if not stopping:
                if not ok:
                    time.sleep(self.flush_interval)
                continue
            if not self._queue and not self._pending and (ok or self._objects):
                # The final columns go in once the points are in, even while artifacts still
                # wait (an unwritable blob folder must not leave a finished run "running").
                if self._write_final() and ok:
                    return
            if self._abandon or time.monotonic() >= self._deadline:
                self._spill_all(final=True)
                return
            if not ok:
                time.sleep(min(self.flush_interval, 0.1))

    def _warn_failure(self, exc: BaseException) -> None:
        self.error = exc
        text = repr(exc)
        if text != self._last_error:
            self._last_error = text
            warnings.warn(f"torchloupe: the writer failed: {text}", LoggingWarning, stacklevel=1)

    def _write_final(self) -> bool:
        """Merge this run's small chunks and write its final columns; False if the store failed."""
        if not self._final:
            return True
        try:
            self.store.compact(self.run_id)
        except Exception as exc:  # an optimisation only: the points are all stored already
            if self._failing is None and not _is_locked(exc):
                warnings.warn(f"torchloupe: could not compact run {self.run_id}: {exc}",
                              LoggingWarning, stacklevel=1)
        fields = dict(self._final)
        if self._snapshot is not None:
            self._snapshot()  # consumed: the final columns carry config and summary
        try:
            self.store.update_run(self.run_id, **fields)
        except Exception as exc:
            self._on_store_error(exc, {})
            return False
        self._final = {}
        return True

    def _drain(self) -> list[Item]:
        queue = self._queue
        return [queue.popleft() for _ in range(len(queue))]

    def _flush(self) -> bool:
        """Write what is queued; False when the store refused it (it is kept for later)."""
        items = self._drain()
        if items:
            self._group(items)
        now = time.time()
        # The interval on a monotonic clock: after the wall clock went back, the next beat must
        # not wait for it to catch up (the stored heartbeat would stay in the future meanwhile).
        beat = time.monotonic()
        fields: dict[str, Any] = self._carry
        self._carry = {}
        if self._snapshot is not None:
            fields.update(self._snapshot())
        if not self._pending and not fields and beat - self._last_beat < 1.0:
            return self._objects_written()
        if self._dropped:
            summary = dict(fields.get("summary") or {})
            fields["summary"] = {**summary, "_torchloupe/dropped_points": self._dropped}
        fields["heartbeat"] = now
        points = self._points()
        try:
            self.store.append(self.run_id, points, fields)
        except Exception as exc:
            # Config and summary changes are written with the next flush that works.
            self._carry = {k: v for k, v in fields.items() if k in ("config", "summary")}
            self._on_store_error(exc, points)
            return False
        self._locked_since = None
        self._last_beat = beat
        self.points_written += sum(len(p.values) for p in points.values())
        self._pending.clear()
        self._buffered = 0
        return self._objects_written()

    def _objects_written(self) -> bool:
        """Write queued artifacts and events; say the store works again only when they went
        through too (a blob folder that stays unwritable while the database works must not
        alternate "cannot write" and "writable again" every flush)."""
        if not self._write_objects():
            return False
        if self._failing is not None:
            warnings.warn(f"torchloupe: the store {self.store.dir} is writable again; recording "
                          "resumed", LoggingWarning, stacklevel=1)
            self._failing = None
        return True

    def _write_objects(self) -> bool:
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
                if _is_store_error(exc):
                    self._on_store_error(exc, {})
                    return False
                warnings.warn(f"torchloupe: could not record {item[0]} {item[1:3]}: {exc!r}",
                              LoggingWarning, stacklevel=1)
            objects.popleft()
        return True

    # -- grouping: queued calls -> per-series arrays -----------------------------------------
    def _group(self, items: list[Item]) -> None:
        """Turn queued log calls into per-series arrays, keeping each series in logging order.

        Should anything fail in the batch conversion, the batch is converted again value by
        value, and only the values that cannot be read are dropped (with a warning).
        """
        parts, first, items = _convert_safely(items)
        for key, p in parts.items():
            self._pending.setdefault(key, []).append(p)
            self._buffered += len(p.values)
        if self.observers and parts:
            # In logging order: the key's first call, then its place in that call.
            places = {i: {k: j for j, k in enumerate(items[i][2])} for i in set(first.values())}
            order = sorted(parts, key=lambda k: (first[k], places[first[k]][k]))
            self._notify([(first[k], k, parts[k].steps, parts[k].values) for k in order])
        if self._buffered > self.max_buffered:
            if self._failing is None or not self._spill_points():
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
                out[key] = Points(*(np.concatenate(column) for column in zip(*parts)))
                self._pending[key] = [out[key]]
        return out

    # -- spilling ----------------------------------------------------------------------------
    def _spill_points(self) -> bool:
        """Move the points held in memory to a recovery file (the store has been failing)."""
        spill = Spill(run=self._run_info(), points=self._points())
        if not self._save(spill, f"the store {self.store.dir} has not been writable for a while "
                                 f"({self._failing})"):
            return False
        self._pending.clear()
        self._buffered = 0
        return True

    def _spill_all(self, final: bool) -> None:
        """Save everything not yet stored to a recovery file (on a failed or stuck finish)."""
        items = self._drain()
        if items:
            self._group(items)
        spill = Spill(run=self._run_info(), points=self._points())
        if final:
            spill.fields = dict(self._final)
        if self._dropped:
            spill.fields["summary"] = {**dict(spill.fields.get("summary") or {}),
                                       "_torchloupe/dropped_points": self._dropped}
        _spill_objects([self._objects.popleft() for _ in range(len(self._objects))], spill)
        if spill.empty or not self._save(
                spill, f"the store {self.store.dir} could not be written "
                       f"({self._failing or 'it did not answer in time'}) before run "
                       f"{self.run_id} finished; its final state goes with"):
            return
        self._pending.clear()
        self._buffered = 0
        self._final = {}

    def _save(self, spill: Spill, why: str, stacklevel: int = 1) -> bool:
        """Write ``spill`` to a recovery file and say where (or what is lost when it cannot)."""
        what = (f"{spill.n_points} points, {len(spill.artifacts)} artifacts and "
                f"{len(spill.events)} events")
        try:
            path = write_spill(self.store.dir, spill)
        except Exception as exc:
            warnings.warn(f"torchloupe: {why}, and no recovery file could be written ({exc}): "
                          f"{what} are lost", LoggingWarning, stacklevel=stacklevel)
            return False
        self.spills.append(path)
        warnings.warn(f"torchloupe: {why}; {what} were saved to the recovery file {path} "
                      "(tl.init, tl.open or `torchloupe recover` load it back)", LoggingWarning,
                      stacklevel=stacklevel)
        return True

    def _drop_oldest(self) -> None:
        excess = self._buffered - self.max_buffered
        for parts in self._pending.values():
            while parts and excess > 0:
                head = parts[0]
                take = min(excess, len(head.values))
                parts[0] = Points(head.steps[take:], head.values[take:], head.walls[take:])
                if not len(parts[0].values):
                    parts.pop(0)
                excess -= take
                self._dropped += take
                self._buffered -= take
        warnings.warn(f"torchloupe: {self._dropped} points dropped so far: the store "
                      f"{self.store.dir} has not been writable for a while ({self._failing}) "
                      "and no recovery file could be written", LoggingWarning, stacklevel=1)

    def _on_store_error(self, exc: Exception, points: dict[str, Points]) -> None:
        if _is_locked(exc):
            # Another process holds the database: retried at the next flush, quietly at first.
            now = time.monotonic()
            if self._locked_since is None:
                self._locked_since = now
            if now - self._locked_since < LOCKED_QUIETLY:
                return
        if self._failing is None:
            self._failing = str(exc)
            warnings.warn(
                f"torchloupe: cannot write to the store {self.store.dir}: {exc}. Training goes on; "
                f"points are kept in memory and written when it works again (or saved to a "
                "recovery file next to the store if it still fails when the run finishes).",
                LoggingWarning, stacklevel=1)


def _spill_objects(objects: list[tuple[Any, ...]], spill: Spill) -> None:
    """Add queued artifacts (encoded as they would be stored) and events to ``spill``."""
    for item in objects:
        try:
            if item[0] == "artifact":
                _, kind, tag, step, arrays, meta, encode = item
                host = {k: _to_numpy(v) for k, v in arrays.items()}
                if encode is None:
                    buf = io.BytesIO()
                    np.savez(buf, **{k: np.asarray(v) for k, v in host.items()})
                    data, ext = buf.getvalue(), "npz"
                else:
                    data, ext = encode(host)
                spill.artifacts.append(({"kind": kind, "tag": tag, "step": step,
                                         "meta": meta or {}, "ext": ext}, data))
            else:
                spill.events += [event_dict(e) for e in item[1]]
        except Exception as exc:
            warnings.warn(f"torchloupe: could not save {item[0]} {item[1:3]}: {exc!r}",
                          LoggingWarning, stacklevel=1)


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _is_store_error(exc: BaseException) -> bool:
    return isinstance(exc, (OSError, sqlite3.Error)) or "StoreError" in type(exc).__name__


def _convert(items: list[Item]) -> tuple[dict[str, Points], dict[str, int]]:
    """Per-series points of queued log calls, in logging order, and the index of each series'
    first call.

    Calls whose values are all plain numbers are grouped by their key tuple and converted with
    one ``np.array`` per group (the common case: the same dict shape every step); the others,
    which may hold tensors, go value by value.
    """
    groups: dict[tuple[str, ...], tuple[list[int], list[Item]]] = {}
    slow: dict[str, tuple[list[int], list[int], list[float], list[Any]]] = {}
    tensors: list[tuple[list[Any], int, Any, str, int]] = []
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
                tensors.append((col[3], len(col[3]), value, key, step))
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
        if any(v is _DROP for v in vals):
            keep = [i for i, v in enumerate(vals) if v is not _DROP]
            idx, steps = [idx[i] for i in keep], [steps[i] for i in keep]
            walls, vals = [walls[i] for i in keep], [vals[i] for i in keep]
            if not vals:
                continue
        parts.setdefault(key, []).append((np.asarray(idx, dtype=np.int64),
                                          np.asarray(steps, dtype=np.int64),
                                          np.asarray(walls, dtype=np.float64),
                                          np.asarray(vals, dtype=np.float64)))
    out: dict[str, Points] = {}
    first: dict[str, int] = {}
    for key, chunks in parts.items():
        first[key] = int(min(c[0][0] for c in chunks))
        if len(chunks) == 1:
            _, steps_a, walls_a, vals_a = chunks[0]
        else:
            order = np.argsort(np.concatenate([c[0] for c in chunks]), kind="stable")
            steps_a = np.concatenate([c[1] for c in chunks])[order]
            walls_a = np.concatenate([c[2] for c in chunks])[order]
            vals_a = np.concatenate([c[3] for c in chunks])[order]
        out[key] = Points(steps_a, vals_a, walls_a)
    return out, first


def _convert_safely(items: list[Item]) -> tuple[dict[str, Points], dict[str, int], list[Item]]:
    """:func:`_convert`, redone value by value (:func:`_sanitize`) should the batch fail; also
    returns the calls the indices refer to."""
    try:
        return (*_convert(items), items)
    except Exception:
        items = _sanitize(items)
        return (*_convert(items), items)


def _sanitize(items: list[Item]) -> list[Item]:
    """The same calls with every value read one by one into a float; what cannot be read (or
    a step that is not an int64) is dropped alone, with a warning naming its key and step."""
    out: list[Item] = []
    for step, wall, values, _mixed in items:
        try:
            step = int(step)
            if not -(2**63) <= step < 2**63:
                raise OverflowError("step out of int64 range")
            wall = float(wall)
        except (TypeError, ValueError, OverflowError) as exc:
            warnings.warn(f"torchloupe: dropped the values logged at step {step!r} "
                          f"({', '.join(map(repr, values))}): {exc!r}", LoggingWarning,
                          stacklevel=1)
            continue
        clean: dict[str, Any] = {}
        for key, value in values.items():
            try:
                if type(value) in (float, int):
                    clean[key] = float(value)
                    continue
                slot = [value]
                _resolve([(slot, 0, value, key, step)])
                if slot[0] is not _DROP:
                    clean[key] = float(slot[0])
            except Exception as exc:
                warnings.warn(f"torchloupe: dropped the value of {key!r} at step {step}: "
                              f"{exc!r}", LoggingWarning, stacklevel=1)
        if clean:
            out.append((step, wall, clean, False))
    return out


def _to_numpy(value: Any) -> np.ndarray:
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        value = value.detach()
        if value.dtype == torch.bfloat16:
            value = value.float()
        return value.cpu().numpy()
    return np.asarray(value)


def _resolve(tensors: list[tuple[list[Any], int, Any, str, int]]) -> None:
    """Replace queued tensors by floats: one stack and one copy to the CPU per (device, dtype).

    When a group cannot be read, its tensors are read one by one; one that still fails is
    replaced by ``_DROP`` (and dropped with a warning naming its key and step), alone.
    """
    if not tensors:
        return
    import torch

    groups: dict[tuple[Any, Any], list[tuple[list[Any], int, Any, str, int]]] = {}
    for slot in tensors:
        value = slot[2]
        try:
            where = (value.device, value.dtype)
        except Exception:
            where = (None, None)
        groups.setdefault(where, []).append(slot)
    for group in groups.values():
        try:
            with torch.no_grad():
                stacked = torch.stack([s[2].reshape(()) for s in group]).cpu()
            floats = stacked.to(torch.float64).tolist()
        except Exception:
            floats = [_read_one(torch, s[2], s[3], s[4]) for s in group]
        for (vals, index, *_), number in zip(group, floats):
            vals[index] = number


def _read_one(torch: Any, value: Any, key: str, step: int) -> Any:
    try:
        with torch.no_grad():
            return float(value.detach().reshape(()).cpu().to(torch.float64))
    except Exception as exc:
        warnings.warn(f"torchloupe: dropped the value of {key!r} at step {step}: could not read "
                      f"the tensor ({exc!r})", LoggingWarning, stacklevel=1)
        return _DROP
