"""``tl.open()``: read a store — runs, their config and summary, and series as arrays or DataFrames.

Reading is safe while runs are being written: the store gives every query a consistent snapshot
(SQLite's WAL).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import StoreError
from ..types import RunRecord, RunStatus, SeriesInfo
from . import open_backend
from .base import Backend

if TYPE_CHECKING:
    import pandas as pd


class RunReader:
    """One run of a store, as readers see it.

    Attributes mirror :class:`~torchloupe.types.RunRecord`: ``id``, ``project``, ``name``,
    ``status``, ``started``, ``ended``, ``config``, ``summary``.

    Example:
        >>> r = tl.open("./loupe").run("brisk-otter-1")   # doctest: +SKIP
        >>> r.scalars("train/loss").tail()                  # doctest: +SKIP
    """

    def __init__(self, store: Backend, record: RunRecord) -> None:
        self._store = store
        self.record = record

    def __getattr__(self, name: str) -> Any:
        if name in RunRecord.__dataclass_fields__:
            return getattr(self.record, name)
        raise AttributeError(name)

    def __repr__(self) -> str:
        r = self.record
        return f"RunReader(id={r.id!r}, name={r.name!r}, project={r.project!r}, status={r.status.value!r})"

    @property
    def duration(self) -> float:
        """Seconds from start to end (or to the last heartbeat while it runs or after a crash)."""
        r = self.record
        end = r.ended if r.ended is not None else (r.heartbeat or r.started)
        return max(0.0, end - r.started)

    def keys(self) -> list[str]:
        """The keys of the run's scalar series, sorted."""
        return [s.key for s in self._store.series(self.record.id)]

    def series_info(self) -> list[SeriesInfo]:
        """Metadata of every scalar series (points, last value...)."""
        return self._store.series(self.record.id)

    def arrays(self, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(steps int64, values float64, wall times float64) of one series, in logging order.

        Example:
            >>> steps, values, walls = r.arrays("train/loss")   # doctest: +SKIP
        """
        steps, values, walls = self._store.read(self.record.id, key)
        return steps, values, walls

    def scalars(self, key: str) -> pd.DataFrame:
        """One series as a DataFrame with columns ``step``, ``value``, ``wall_time``, in logging
        order (points logged twice at a step, or after a rewind, are all there).

        Example:
            >>> r.scalars("train/loss")["value"].min()   # doctest: +SKIP
        """
        import pandas as pd

        steps, values, walls = self.arrays(key)
        return pd.DataFrame({"step": steps, "value": values, "wall_time": walls})

    def events(self) -> pd.DataFrame:
        """Diagnostics raised for the run: columns kind, step, severity, message, where, wall_time.

        Example:
            >>> r.events().query("severity == 'error'")   # doctest: +SKIP
        """
        import pandas as pd

        rows = [(e.kind, e.step, e.severity, e.message, e.location, e.wall)
                for e in self._store.events(self.record.id)]
        return pd.DataFrame(rows, columns=["kind", "step", "severity", "message", "where", "wall_time"])

    def artifacts(self, kind: str, tag: str | None = None) -> list[Any]:
        """Stored artifacts of one kind (``ArtifactRecord``); load them with :meth:`load`."""
        return self._store.artifacts(self.record.id, kind, tag)

    def load(self, artifact: Any) -> dict[str, np.ndarray]:
        """The arrays of an artifact."""
        return self._store.load_arrays(artifact)

    def predictions(self, split: str = "test", step: int | None = None) -> pd.DataFrame:
        """Logged predictions of a split at ``step`` (the latest at or before it; the latest when
        None): id, target, predicted, confidence, loss and one ``prob_<class>`` column per class.

        Example:
            >>> r.predictions("test").sort_values("loss").tail()   # doctest: +SKIP
        """
        import pandas as pd

        from ..analyze.classification import losses
        from .predictions import load

        p = load(self._store, self.record.id, split, step)
        pred = p.predicted
        df = pd.DataFrame({"id": p.ids, "target": p.targets, "predicted": pred,
                           "confidence": p.probs[np.arange(len(pred)), pred],
                           "loss": losses(p.targets, p.probs)})
        for i, name in enumerate(p.class_names):
            df[f"prob_{name}"] = p.probs[:, i]
        df.attrs.update(step=p.step, split=split, class_names=p.class_names)
        return df

    def suspects(self, split: str = "test", limit: int = 1000) -> pd.DataFrame:
        """Likely mislabelled examples from the training dynamics of every logged step, most
        suspicious first (at most ``limit``): id, target, score, reason, predicted, confidence.

        Example:
            >>> r.suspects("train").head(20)   # doctest: +SKIP
        """
        import pandas as pd

        from ..analyze.dynamics import align_by_id, example_dynamics, suspect_rows
        from .predictions import load_steps

        steps = load_steps(self._store, self.record.id, split)
        last = steps[-1]
        aligned = align_by_id(last.ids, [p.ids for p in steps], [p.probs for p in steps])
        rows = suspect_rows(example_dynamics(last.targets, aligned), last.ids, last.targets,
                            limit, last.class_names)
        columns = ["id", "target", "score", "reason", "predicted", "confidence"]
        return pd.DataFrame([{c: s[c] for c in columns} for s in rows], columns=columns)

    def history(self) -> pd.DataFrame:
        """Every series in one wide DataFrame indexed by step (the last value logged at a step)."""
        import pandas as pd

        frames = {}
        for key in self.keys():
            df = self.scalars(key)
            frames[key] = df.groupby("step")["value"].last()
        return pd.DataFrame(frames).rename_axis("step")


class Store:
    """A reader over a store directory: the same data the dashboard and CLI read.

    Example:
        >>> import tempfile, torchloupe as tl
        >>> d = tempfile.mkdtemp()
        >>> with tl.init("p", name="a", dir=d) as run:
        ...     run.log({"x": 1.0})
        >>> [r.name for r in tl.open(d).runs()]
        ['a']
        >>> tl.open(d).run("a").scalars("x")["value"].tolist()
        [1.0]
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.backend = open_backend(path, create=False)
        self.dir = self.backend.dir
        from .recovery import recover, waiting

        if waiting(self.dir):  # what runs could not write here, loaded back once
            try:
                recover(self.backend, quiet=True)
            except (StoreError, OSError):
                pass  # a read-only copy of a store: readable as it is

    def __repr__(self) -> str:
        return f"Store('{self.dir}')"

    def runs(self, project: str | None = None, status: RunStatus | str | None = None) -> list[RunReader]:
        """Runs, newest first, optionally filtered by project and status."""
        wanted = None if status is None else RunStatus(status)
        return [RunReader(self.backend, r) for r in self.backend.runs(project)
                if wanted is None or r.status is wanted]

    def run(self, id_or_name: str) -> RunReader:
        """One run by id or name (raises :class:`~torchloupe.errors.NotFoundError`)."""
        return RunReader(self.backend, self.backend.run(id_or_name))

    def close(self) -> None:
        """Release this thread's database connection."""
        self.backend.close()


def open(path: str | os.PathLike[str] = "./loupe") -> Store:  # noqa: A001 - the public name is tl.open
    """Open a store directory for reading.

    Example:
        >>> store = tl.open("./loupe")   # doctest: +SKIP
        >>> [(r.name, r.status.value) for r in store.runs()]   # doctest: +SKIP
    """
    return Store(path)
