"""Background jobs for slow computations (t-SNE, UMAP): threads, progress, results cached on disk.

Contract: ``submit(key, fn)`` starts ``fn(progress) -> np.ndarray`` unless the key is already
cached on disk, queued, running or done, and returns the job's :class:`JobStatus`; ``status(key)``
reports it; ``result(key)`` returns the array once done. ``progress(fraction, message)`` may be
called by ``fn`` from its thread. A key names everything the result depends on (run, tag, step,
method, parameters); results live in ``cache_dir/<sha1 of key>.npy`` and survive restarts.
``close()`` stops the runner: queued jobs are dropped, a running job stops at its next
``progress`` call (which raises :class:`JobCancelled`), and it waits (boundedly) for the threads.
:class:`InlineJobRunner` is the in-memory twin for tests: it runs each job at once, in ``submit``.

Example:
    >>> runner = InlineJobRunner()
    >>> runner.submit("k", lambda progress: np.arange(3)).state
    'done'
    >>> runner.result("k").tolist()
    [0, 1, 2]
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

Progress = Callable[[float, str], None]
JobFn = Callable[[Progress], np.ndarray]


class JobCancelled(Exception):
    """Raised in a job's thread by ``progress`` once the runner is closing."""


@dataclass(frozen=True)
class JobStatus:
    """Where a job stands: ``state`` is queued, running, done or error; ``progress`` in [0, 1]."""

    key: str
    state: str
    progress: float = 0.0
    message: str = ""
    error: str | None = None
    seconds: float = 0.0


class JobRunner:
    """Runs jobs on ``workers`` threads; finished results are ``.npy`` files under ``cache_dir``."""

    def __init__(self, cache_dir: str | os.PathLike[str] | None, workers: int = 1) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._jobs: dict[str, JobStatus] = {}
        self._memory: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="torchloupe-job")

    def _path(self, key: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"{hashlib.sha1(key.encode()).hexdigest()}.npy"

    def submit(self, key: str, fn: JobFn) -> JobStatus:
        """Start ``fn`` for ``key`` unless it is cached or already known; returns its status."""
        with self._lock:
            known = self._jobs.get(key)
            if known is not None and known.state != "error":
                return known
            if self._cached(key):
                self._jobs[key] = JobStatus(key, "done", 1.0, "cached")
                return self._jobs[key]
            self._jobs[key] = JobStatus(key, "queued")
        self._start(key, fn)
        return self.status(key)

    def _start(self, key: str, fn: JobFn) -> None:
        self._pool.submit(self._run, key, fn)

    def _run(self, key: str, fn: JobFn) -> None:
        start = time.perf_counter()
        self._set(key, state="running")

        def progress(fraction: float, message: str = "") -> None:
            if self._closing.is_set():
                raise JobCancelled("the dashboard is shutting down")
            self._set(key, progress=float(min(max(fraction, 0.0), 1.0)), message=message,
                      seconds=time.perf_counter() - start)

        try:
            result = np.asarray(fn(progress))
            self._store(key, result)
            self._set(key, state="done", progress=1.0, message="done",
                      seconds=time.perf_counter() - start)
        except Exception as exc:  # reported to the page; the runner keeps serving others
            self._set(key, state="error", error=f"{type(exc).__name__}: {exc}",
                      seconds=time.perf_counter() - start)

    def _set(self, key: str, **changes: object) -> None:
        with self._lock:
            self._jobs[key] = replace(self._jobs.get(key, JobStatus(key, "queued")), **changes)  # type: ignore[arg-type]

    def _cached(self, key: str) -> bool:
        path = self._path(key)
        return key in self._memory or (path is not None and path.is_file())

    def _store(self, key: str, result: np.ndarray) -> None:
        path = self._path(key)
        if path is None:
            self._memory[key] = result
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{threading.get_ident()}.tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, result, allow_pickle=False)
        os.replace(tmp, path)

    def status(self, key: str) -> JobStatus:
        """The job's status; ``missing`` when it was never submitted and is not cached."""
        with self._lock:
            if key in self._jobs:
                return self._jobs[key]
        if self._cached(key):
            return JobStatus(key, "done", 1.0, "cached")
        return JobStatus(key, "missing")

    def result(self, key: str) -> np.ndarray | None:
        """The finished result, or None (also when its cache file is damaged: the file is dropped
        and the next ``submit`` computes the result again)."""
        if key in self._memory:
            return self._memory[key]
        path = self._path(key)
        if path is None or not path.is_file():
            return None
        try:
            return np.load(path, allow_pickle=False)
        except Exception:  # a damaged cache file (cut, garbled): forget it, so it is computed again
            with self._lock:
                self._jobs.pop(key, None)
            path.unlink(missing_ok=True)
            return None

    def close(self, timeout: float = 10.0) -> None:
        """Drops queued jobs, stops the running one at its next progress report, and returns
        once the threads have ended, or after ``timeout`` seconds: a step that reports no
        progress (a UMAP fit) is not interrupted, and must not hold up the server's exit."""
        self._closing.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + timeout
        for thread in list(self._pool._threads):  # the pool's own join has no timeout
            thread.join(max(0.0, deadline - time.monotonic()))


class InlineJobRunner(JobRunner):
    """The in-memory twin: each job runs to completion inside ``submit``; nothing touches disk
    unless ``cache_dir`` is given."""

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None) -> None:
        super().__init__(cache_dir, workers=1)

    def _start(self, key: str, fn: JobFn) -> None:
        self._run(key, fn)
