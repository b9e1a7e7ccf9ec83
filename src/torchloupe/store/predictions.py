"""Reading the ``predictions`` artifacts that ``run.log_predictions`` writes.

The stored format is documented where it is written (``panels/predictions/record.py``); this
module only loads it: :func:`pick` finds the artifact of (run, split) at a step — the latest at or
before it, the latest when ``step`` is None — and :func:`load` reads it into :class:`Predictions`.
Artifacts never change once written, so loaded arrays are cached by artifact id.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import NotFoundError
from .artifacts import ArtifactRecord


@dataclass(frozen=True)
class Predictions:
    """One stored ``predictions`` artifact, loaded."""

    run: str
    split: str
    step: int
    targets: np.ndarray
    probs: np.ndarray
    ids: np.ndarray
    class_names: list[str]
    has_inputs: bool

    @property
    def predicted(self) -> np.ndarray:
        return self.probs.argmax(axis=1)  # type: ignore[no-any-return]


class Lru:
    """A small thread-safe least-recently-used cache of computed values.

    Example:
        >>> cache = Lru(2)
        >>> cache.get("a", lambda: 1), cache.get("a", lambda: 2)
        (1, 1)
    """

    def __init__(self, size: int) -> None:
        self.size, self.data, self.lock = size, OrderedDict[Any, Any](), threading.Lock()

    def get(self, key: Any, make: Any) -> Any:
        """The value cached under ``key``, made with ``make()`` (outside the lock) if missing."""
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        value = make()
        with self.lock:
            self.data[key] = value
            while len(self.data) > self.size:
                self.data.popitem(last=False)
        return value


_LOADED = Lru(32)


def pick(store: Any, run: str, split: str = "test", step: int | None = None,
         kind: str = "predictions") -> ArtifactRecord:
    """The artifact of (run, split) at ``step`` (latest at or before it; the latest when None).

    Example:
        >>> rec = pick(store, run_id, "test", step=100)   # doctest: +SKIP
    """
    recs = store.artifacts(run, kind, split)
    if not recs:
        raise NotFoundError(f"run {run} has no {kind} for split {split!r}")
    if step is None:
        return recs[-1]  # type: ignore[no-any-return]
    before = [r for r in recs if r.step is not None and r.step <= step]
    return before[-1] if before else recs[0]  # type: ignore[no-any-return]


def load(store: Any, run: str, split: str = "test", step: int | None = None) -> Predictions:
    """The predictions of (run, split, step) as arrays (probabilities as float32).

    Example:
        >>> load(store, run_id, "test").probs.shape   # doctest: +SKIP
        (10000, 10)
    """
    rec = pick(store, run, split, step)

    def make() -> Predictions:
        a = store.load_arrays(rec)
        c = int(a["probs"].shape[1])
        names = rec.meta.get("class_names") or [str(i) for i in range(c)]
        return Predictions(rec.run_id, split, int(rec.step or 0), a["targets"].astype(np.int64),
                           a["probs"].astype(np.float32), a["ids"], [str(n) for n in names],
                           bool(rec.meta.get("inputs")))
    return _LOADED.get((str(store.dir), rec.id), make)  # type: ignore[no-any-return]


def load_steps(store: Any, run: str, split: str = "test") -> list[Predictions]:
    """The predictions of every logged step of (run, split), in step order.

    Example:
        >>> [p.step for p in load_steps(store, run_id, "train")]   # doctest: +SKIP
        [0, 100, 200]
    """
    recs = store.artifacts(run, "predictions", split)
    if not recs:
        raise NotFoundError(f"run {run} has no predictions for split {split!r}")
    return [load(store, run, split, r.step) for r in recs]
