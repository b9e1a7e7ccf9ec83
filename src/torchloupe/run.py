"""``tl.init()`` and ``Run``: the recording side of torchloupe.

Policy: logging never crashes training because of the store. Mistakes in *what* is logged (a bad
key, a string value, logging after ``finish()``) raise at once with a message naming the problem;
failures of the store (full disk, read-only folder) become one warning while training goes on.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import random
import secrets
import socket
import sys
import threading
import time
import warnings
from collections.abc import Mapping
from typing import Any

from .errors import LoupeValueError, NotFoundError, RunFinishedError, StoreAccessError
from .record.recorder import Observer
from .record.values import FLOAT_MAX, STEP_MAX, check_key, check_step, coerce
from .record.writer import FINISH_TIMEOUT, LoggingWarning, Writer
from .store import Backend, memory_backend, open_backend
from .types import RunRecord, RunStatus

_now = time.time

_ADJECTIVES = ("brisk", "calm", "eager", "fuzzy", "gentle", "keen", "lucid", "mellow", "nimble",
               "quiet", "rapid", "sunny", "swift", "tidy", "vivid", "witty", "bold", "bright")
_NOUNS = ("otter", "falcon", "lynx", "heron", "badger", "marten", "puffin", "ibex", "gecko",
          "orca", "panda", "raven", "tapir", "wombat", "koala", "newt", "quokka", "yak")


class _Tracked(dict):  # type: ignore[type-arg]
    """A dict that tells its run when it changes, so the writer persists it."""

    def __init__(self, data: Mapping[str, Any], on_change: Any) -> None:
        super().__init__(data)
        self._on_change = on_change

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self._on_change()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._on_change()

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super().update(*args, **kwargs)
        self._on_change()

    def setdefault(self, key: str, default: Any = None) -> Any:
        value = super().setdefault(key, default)
        self._on_change()
        return value

    def pop(self, key: str, *default: Any) -> Any:
        value = super().pop(key, *default)
        self._on_change()
        return value


class Run:
    """One training run being recorded. Create it with :func:`init`.

    Example:
        >>> import tempfile, torchloupe as tl
        >>> with tl.init("demo", config={"lr": 0.1}, dir=tempfile.mkdtemp()) as run:
        ...     run.log({"train/loss": 0.5})
        ...     run.summary["best"] = 0.5
    """

    def __init__(self, store: Backend, record: RunRecord, next_step: int = 0,
                 flush_interval: float = 0.25, max_queue: int = 100_000,
                 finish_timeout: float = FINISH_TIMEOUT) -> None:
        self._store = store
        self._record = record
        self._finish_timeout = finish_timeout
        self.id = record.id
        self.project = record.project
        self.name = record.name
        self.dir = store.dir
        self._dirty = False
        self.config: dict[str, Any] = _Tracked(record.config, self._changed)
        self.summary: dict[str, Any] = _Tracked(record.summary, self._changed)
        self._next_step = next_step
        self._known: set[str] = set()
        self.watchers: dict[str, Any] = {}
        """The models watched on this run (``run.watch``), by name."""
        self._finished = False
        self._lock = threading.Lock()
        self._writer = Writer(store, self.id, flush_interval=flush_interval, max_queue=max_queue,
                              snapshot=self._snapshot, run_info=self._run_info)
        self._put = self._writer.put  # bound once: run.log is the hot path
        _LIVE.add(self)

    def __repr__(self) -> str:
        return f"Run(id={self.id!r}, name={self.name!r}, project={self.project!r}, dir='{self.dir}')"

    # -- logging ---------------------------------------------------------------------------
    def log(self, values: Mapping[str, Any], step: int | None = None) -> None:
        """Record scalar values at a step.

        Cheap and non-blocking: values are queued and written by a background thread. Tensors
        (one element, any device) are read there too, so this never synchronizes a device.

        Args:
            values: key -> number. Keys group by their ``/`` prefix (``"train/loss"``). Values:
                int, float, bool, NumPy scalars, one-element tensors. NaN and ±Inf are stored.
            step: the x value; when omitted, one more than the previous call's step (0 first).
                Steps may repeat, go back or jump: every point is kept.

        Raises:
            RunFinishedError: the run has finished.
            LoupeKeyError, LoupeValueError: a key or value is malformed (nothing of this call
                is recorded).

        Example:
            >>> run.log({"train/loss": loss.detach(), "lr": 3e-4}, step=100)  # doctest: +SKIP
        """
        if self._finished:
            raise RunFinishedError(
                f"run {self.name!r} ({self.id}) has finished; start another with tl.init() or "
                f"continue it with tl.init(..., resume={self.id!r})")
        if type(values) is not dict:
            if not isinstance(values, Mapping):
                raise LoupeValueError(
                    f"run.log takes a dict of key -> number, got {type(values).__name__}")
            values = dict(values)
        if step is None:
            step = self._next_step
        elif type(step) is not int or not -STEP_MAX <= step <= STEP_MAX:
            step = check_step(step)
        known = self._known
        out = None
        for key, value in values.items():
            if key not in known:
                known.add(check_key(key))
            t = type(value)
            if t is float or (t is int and -FLOAT_MAX <= value <= FLOAT_MAX):
                continue
            if out is None:
                out = values.copy()
            out[key] = coerce(key, value, step)
        # Everything is checked: only now does the call count (and advance the step).
        self._next_step = step + 1
        if out is None:
            self._put(step, _now(), values.copy(), False)
        else:
            self._put(step, _now(), out, True)
        if self._finished:  # finish() ran meanwhile on another thread: make sure this is kept
            self._late()

    # -- the Recorder protocol: what the panels' record.py and record/watch.py build on ------
    @property
    def step(self) -> int:
        """The step of the latest ``log`` call (0 before any)."""
        return max(self._next_step - 1, 0)

    @property
    def next_step(self) -> int:
        """The step the next ``log`` call without an explicit step gets."""
        return self._next_step

    def observe(self, observer: Observer) -> None:
        """Hand ``observer(key, steps, values)`` every point logged from now on, once, in
        logging order per key, on the writer thread (read the arrays, never modify them; an
        observer's exception is warned, not raised).

        Example:
            >>> run.observe(lambda key, steps, values: print(key, values.max()))  # doctest: +SKIP
        """
        self._writer.observers.append(observer)

    def unobserve(self, observer: Observer) -> None:
        """Stop handing points to ``observer`` (nothing happens if it was not observing)."""
        with contextlib.suppress(ValueError):
            self._writer.observers.remove(observer)

    def record(self, kind: str, tag: str, arrays: Mapping[str, Any], step: int | None = None,
               meta: Mapping[str, Any] | None = None, encode: Any = None) -> None:
        """Queue an artifact: named arrays (tensors stay on their device until the writer copies
        them) under (kind, tag, step). Panels call this; see their ``record.py`` for the format.

        Example:
            >>> run.record("histogram", "fc.weight", {"counts": torch.histc(w, 30)}, step=100)  # doctest: +SKIP
        """
        if self._finished:
            raise RunFinishedError(f"run {self.name!r} ({self.id}) has finished")
        check_key(tag)
        step = self.step if step is None else check_step(step)
        self._writer.put_artifact(kind, tag, step, dict(arrays), _jsonable(dict(meta or {})), encode)
        if self._finished:
            self._late()

    def event(self, kind: str, message: str, severity: str = "warning", step: int | None = None,
              location: str | None = None, data: Mapping[str, Any] | None = None) -> None:
        """Record a diagnostic event (shown in the dashboard and ``torchloupe show``).

        Example:
            >>> run.event("nan_loss", "loss is NaN", severity="error", step=120)  # doctest: +SKIP
        """
        from .store.artifacts import SEVERITIES, EventRecord

        if severity not in SEVERITIES:
            raise LoupeValueError(f"severity must be one of {SEVERITIES}, got {severity!r}")
        step = self.step if step is None else check_step(step)
        if self._finished and not self._writer.alive:  # (diagnostics of the last flush may come)
            raise RunFinishedError(f"run {self.name!r} ({self.id}) has finished")
        self._writer.put_events([EventRecord(kind, step, severity, message, location,
                                             _jsonable(dict(data or {})), time.time())])
        if self._finished:
            self._late()

    # -- model insight (panels/model_summary, record/watch) ----------------------------------
    def log_model(self, model: Any, example_input: Any, *, name: str | None = None,
                  save_weights: bool = False) -> Any:
        """Record ``model``'s summary table (shapes, parameters, FLOPs, activation memory) and
        its graph, from one forward pass on ``example_input`` (tensor, tuple of arguments or dict
        of keyword arguments). Returns the summary; printing it shows a table.

        Example:
            >>> run.log_model(model, images[:8])   # doctest: +SKIP
        """
        from .panels.model_summary.record import log_model

        return log_model(self, model, example_input, name=name, save_weights=save_weights)

    def watch(self, model: Any, every: int = 100, *, name: str | None = None, **options: Any) -> Any:
        """Every ``every`` training steps, record per-layer weight and gradient histograms and
        norms, update/weight ratios and activation statistics of ``model``, and diagnose them
        (NaN/Inf, exploding or vanishing gradients, dead ReLUs, learning rate, plateaus,
        overfitting) into run events. Works on ``torch.compile``d models and several models.

        Options: ``bins`` (32), ``activations`` (True), ``thresholds``
        (:class:`torchloupe.analyze.diagnostics.Thresholds`), ``loss_key`` and ``val_loss_key``
        (default: found among the logged keys). See :mod:`torchloupe.record.watch`.

        Example:
            >>> run.watch(model, every=50)   # doctest: +SKIP
        """
        from .record.watch import watch

        return watch(self, model, every, name=name, **options)

    def unwatch(self, model: Any = None) -> None:
        """Stop watching ``model`` (default: every watched model)."""
        from .record.watch import unwatch

        unwatch(self, model)

    # -- data and embeddings (panels/data, panels/projector) ---------------------------------
    def log_dataset(self, dataset: Any, split: str = "train", class_names: Any = None,
                    max_samples: int | None = None, *, progress: bool = True) -> dict[str, Any]:
        """Record a dataset's class balance, samples per class, mean/std images, value
        histograms, sizes, near duplicates and likely-mislabelled samples (one pass, on this
        thread, with a progress bar for long passes).

        Args:
            dataset: a map-style ``torch.utils.data.Dataset`` of ``(input, label)`` or inputs, a
                tensor/array of inputs, or an ``(inputs, labels)`` pair; inputs are images
                (``[H, W]``, ``[C, H, W]``, ``[H, W, C]``) or vectors.
            split: the split's name (``"train"``, ``"test"``...).
            class_names: names of the label indices (default: ``dataset.classes`` or numbers).
            max_samples: analyse a random sample of at most this many (default 20,000); the
                panel says when it sampled.

        Returns:
            What was recorded: sizes and whether it sampled.

        Example:
            >>> run.log_dataset(train_set, "train", class_names=[str(d) for d in range(10)])  # doctest: +SKIP
        """
        from .panels.data.record import log_dataset

        return log_dataset(self, dataset, split, class_names, max_samples, progress=progress)

    def log_embedding(self, tag: str, features: Any, labels: Any = None, images: Any = None,
                      metadata: Any = None, step: int | None = None, ids: Any = None, *,
                      class_names: Any = None, split: str = "test") -> None:
        """Record one vector per example for the projector (PCA at once, t-SNE and UMAP in the
        dashboard's background), stored as float16.

        Args:
            tag: the embedding's name, e.g. ``"penultimate"``.
            features: ``[N, D]`` tensor or array (any device; copied by the writer thread).
            labels: ``[N]`` class indices, optional.
            images: ``[N, ...]`` images shown as thumbnails, optional (once per tag is enough
                when the ids stay the same).
            metadata: dict of column name -> N values (numbers or strings), or a DataFrame.
            step: the step (default: the current one); one embedding per step.
            ids: ``[N]`` example ids (default 0..N-1), matched with logged predictions.
            class_names: names of the label indices.
            split: the split of the examples, used to find their predictions.

        Example:
            >>> run.log_embedding("penultimate", feats, labels=y, images=x, step=step)  # doctest: +SKIP
        """
        from .panels.projector.record import log_embedding

        log_embedding(self, tag, features, labels, images, metadata, step, ids,
                      class_names=class_names, split=split)

    def log_predictions(self, targets: Any, logits_or_probs: Any, split: str = "test",
                        step: int | None = None, class_names: Any = None, inputs: Any = None,
                        ids: Any = None, *, scores: str = "auto", precision: str = "float16") -> None:
        """Record a model's predictions on a split, for the confusion matrix, per-class metrics,
        ROC/PR curves, calibration, top losses, attribution maps and training dynamics.

        Logits or probabilities: rows that are non-negative and sum to 1 (within 1e-3) are taken
        as probabilities, anything else as logits (softmax); one column (or ``[N]``) is a binary
        problem (sigmoid, unless every value is in [0, 1]). ``scores="logits"|"probs"`` overrides.
        The arrays are read on the calling thread (once per evaluation, not per step).

        Args:
            targets: ``[N]`` class indices in ``0..C-1``.
            logits_or_probs: ``[N, C]`` (or ``[N]`` / ``[N, 1]`` for binary), tensor or array.
            split: e.g. ``"test"``; each split has its own panels.
            step: the step (default: the current one). Log every epoch to follow training.
            class_names: ``C`` names.
            inputs: ``[N, C, H, W]`` model inputs: stored once per split as thumbnails (and,
                when small, as float16 model inputs so the dashboard can compute attributions).
            ids: ``[N]`` unique example ids (ints or strings), default ``0..N-1``; they align
                examples across steps for training dynamics.
            scores: ``"auto"``, ``"logits"`` or ``"probs"``.
            precision: ``"float16"`` (default) or ``"float32"`` for the stored probabilities.

        Raises:
            LoupeValueError: mismatched lengths, wrong shapes, labels out of range, bad names.

        Example:
            >>> run.log_predictions(y, model(x), "test", step=step, inputs=x, ids=idx)  # doctest: +SKIP
        """
        from .panels.predictions.record import log_predictions

        log_predictions(self, targets, logits_or_probs, split, step, class_names, inputs, ids,
                        scores, precision)

    def save_checkpoint(self, model: Any, init_kwargs: Mapping[str, Any] | None = None,
                        name: str = "model", step: int | None = None) -> None:
        """Save the model's ``state_dict`` so the dashboard can compute attribution maps.

        The class is remembered by module and name; the dashboard re-creates it with
        ``init_kwargs`` (when it can import that module) and loads the weights with
        ``torch.load(..., weights_only=True)``.

        Example:
            >>> run.save_checkpoint(model, init_kwargs={"num_classes": 10})  # doctest: +SKIP
        """
        from .panels.predictions.record import save_checkpoint

        save_checkpoint(self, model, init_kwargs, name, step)

    # -- config, summary, life cycle -------------------------------------------------------
    def _changed(self) -> None:
        self._dirty = True
        self._writer_kick()

    def _writer_kick(self) -> None:
        writer = getattr(self, "_writer", None)
        if writer is not None:
            writer.kick()

    def _snapshot(self) -> dict[str, Any]:
        """Config and summary to persist, if they changed (called on the writer thread)."""
        if not self._dirty:
            return {}
        self._dirty = False
        return {"config": _jsonable(dict(self.config)), "summary": _jsonable(dict(self.summary))}

    def _run_info(self) -> dict[str, Any]:
        """The run's identity, written into recovery files (so a run can be re-created)."""
        r = self._record
        return {"id": r.id, "project": r.project, "name": r.name, "started": r.started,
                "heartbeat": r.heartbeat, "host": r.host, "pid": r.pid,
                "config": _jsonable(dict(self.config)), "summary": _jsonable(dict(self.summary))}

    def _late(self) -> None:
        """Store what a ``log`` racing :meth:`finish` queued after the writer's last pass."""
        with self._lock:
            if not self._writer.alive:
                self._writer.flush_late()

    def finish(self, status: RunStatus | str = RunStatus.FINISHED, *,
               timeout: float | None = None) -> None:
        """Write everything queued, mark the run finished and release the writer.

        Bounded: returns within ``timeout`` (default: ``finish_timeout`` of :func:`init`, 5 s)
        plus one flush interval plus about two seconds, whatever the store does. What the store
        has not taken by then is saved to a recovery file next to it (the warning names it),
        which ``tl.init``, ``tl.open`` and ``torchloupe recover`` load back exactly once.

        Calling it again does nothing. Also called by ``with`` and at interpreter exit.

        Raises:
            LoupeValueError: ``status`` is not a run status (checked before anything closes).
        """
        try:
            status = RunStatus(status)
        except ValueError:
            raise LoupeValueError(
                f"status must be one of {[s.value for s in RunStatus]}, got {status!r}") from None
        for watcher in list(self.watchers.values()):
            try:
                watcher.close()  # queues its last sample before the writer stops
            except Exception as exc:
                warnings.warn(f"torchloupe: could not stop watching {watcher.name}: {exc!r}",
                              stacklevel=2)
        self.watchers.clear()
        with self._lock:
            if self._finished:
                return
            self._finished = True
        now = time.time()
        final = {"status": status, "ended": now, "config": _jsonable(dict(self.config)),
                 "summary": _jsonable(dict(self.summary)), "heartbeat": now}
        self._writer.close(final, self._finish_timeout if timeout is None else timeout)
        with self._lock:
            self._writer.flush_late()  # a log() that raced this finish
        if not self._store.durable:
            self._save_memory_run()
        _LIVE.discard(self)

    def _save_memory_run(self) -> None:
        """A run recorded in memory (its folder could not be written) goes to a recovery file,
        so that ``torchloupe recover`` can put it in its store once the folder works."""
        from .store.recovery import Spill, event_dict, write_spill

        store = self._store
        try:
            record = store.run(self.id)
            spill = Spill(run=self._run_info(), fields={
                "status": record.status.value, "ended": record.ended,
                "config": record.config, "summary": record.summary})
            for info in store.series(self.id):
                spill.points[info.key] = store.read(self.id, info.key)
            spill.events = [event_dict(e) for e in store.events(self.id)]
            for a in store.artifacts(self.id):
                spill.artifacts.append(({"kind": a.kind, "tag": a.tag, "step": a.step,
                                         "meta": a.meta, "ext": a.path.rsplit(".", 1)[-1]},
                                        store.load_bytes(a)))
            path = write_spill(store.dir, spill)
        except Exception as exc:
            warnings.warn(f"torchloupe: run {self.id} was recorded in memory and could not be "
                          f"saved to a recovery file: {exc}", LoggingWarning, stacklevel=3)
            return
        warnings.warn(f"torchloupe: run {self.id} was recorded in memory ({spill.n_points} points); "
                      f"it is saved in the recovery file {path}: once {store.dir} can be written, "
                      f"`torchloupe recover {path} --dir {store.dir}` puts it there",
                      LoggingWarning, stacklevel=3)

    @property
    def finished(self) -> bool:
        """Whether :meth:`finish` was called."""
        return self._finished

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.finish(RunStatus.CRASHED if exc_type is not None else RunStatus.FINISHED)


def init(project: str = "default", name: str | None = None, config: Mapping[str, Any] | None = None,
         dir: str | os.PathLike[str] = "./loupe", resume: str | None = None, *,
         flush_interval: float = 0.25, max_queue: int = 100_000,
         finish_timeout: float = FINISH_TIMEOUT) -> Run:
    """Start recording a run (or continue one) in the store at ``dir``.

    Args:
        project: groups runs in the dashboard.
        name: a human name; default: a generated one like ``"brisk-otter-3"``.
        config: hyper-parameters and settings (JSON-able; other values are stored as ``repr``).
        dir: the store directory (created if missing); the dashboard reads the same one.
        resume: the id (or name) of an earlier run to continue, e.g. after a crash: its config and
            summary are loaded and its series grow from where they stopped; steps may repeat.
        flush_interval: seconds between writes; a killed process loses at most about this much.
        max_queue: log calls that may wait for the writer before ``log`` blocks (never drops).
        finish_timeout: seconds ``finish()`` waits for a store that does not answer before it
            saves what is left to a recovery file (see :meth:`Run.finish`).

    Returns:
        The :class:`Run`.

    Example:
        >>> import tempfile, torchloupe as tl
        >>> run = tl.init("mnist", config={"lr": 1e-3}, dir=tempfile.mkdtemp())
        >>> run.log({"train/loss": 0.7}); run.finish()
    """
    if not isinstance(project, str) or not project.strip():
        raise LoupeValueError(f"project must be a non-empty string, got {project!r}")
    if not isinstance(flush_interval, (int, float)) or not flush_interval > 0:
        raise LoupeValueError(f"flush_interval must be a positive number, got {flush_interval!r}")
    if isinstance(max_queue, bool) or not isinstance(max_queue, int) or max_queue < 1:
        raise LoupeValueError(f"max_queue must be a positive integer, got {max_queue!r}")
    if not isinstance(finish_timeout, (int, float)) or not finish_timeout >= 0:
        raise LoupeValueError(f"finish_timeout must be a number >= 0, got {finish_timeout!r}")
    try:
        store = open_backend(dir)
    except StoreAccessError as exc:
        # Only a folder that cannot be written at all records in memory; a damaged store, one
        # of a newer version or one held locked raise: writing elsewhere would hide the problem.
        if resume is not None:
            raise
        warnings.warn(f"torchloupe: {exc}. Recording in memory only: this run will not be saved "
                      "in that store.", LoggingWarning, stacklevel=2)
        store = memory_backend(dir)
    else:
        _recover(store)
    host, pid = socket.gethostname(), os.getpid()
    if resume is not None:
        try:
            record = store.reopen_run(resume, host, pid)
        except NotFoundError as exc:
            raise NotFoundError(f"cannot resume: {exc}") from None
        record = _merge_config(store, record, config)
        last = max((s.last_step for s in store.series(record.id) if s.last_step is not None),
                   default=-1)
        return Run(store, record, next_step=last + 1, flush_interval=flush_interval,
                   max_queue=max_queue, finish_timeout=finish_timeout)
    now = time.time()
    run_id = secrets.token_hex(4)
    if name is None:
        count = len(store.runs(project)) + 1
        name = f"{random.choice(_ADJECTIVES)}-{random.choice(_NOUNS)}-{count}"
    record = RunRecord(id=run_id, project=project, name=str(name), status=RunStatus.RUNNING,
                       started=now, ended=None, heartbeat=now, config=_jsonable(dict(config or {})),
                       summary={}, host=host, pid=pid)
    store.create_run(record)
    return Run(store, record, flush_interval=flush_interval, max_queue=max_queue,
               finish_timeout=finish_timeout)


def _recover(store: Backend) -> None:
    """Load the store's waiting recovery files (left by runs that could not finish in it)."""
    from .store.recovery import recover, waiting

    if not waiting(store.dir):
        return
    done = recover(store, quiet=True)
    if done.loaded:
        warnings.warn(f"torchloupe: loaded {len(done.loaded)} recovery file(s) into {store.dir} "
                      f"({done.points} points)", LoggingWarning, stacklevel=3)


def _merge_config(store: Backend, record: RunRecord,
                  config: Mapping[str, Any] | None) -> RunRecord:
    if not config:
        return record
    merged = {**record.config, **_jsonable(dict(config))}
    store.update_run(record.id, config=merged)
    return store.run(record.id)


def _jsonable(value: dict[str, Any]) -> dict[str, Any]:
    """A JSON-able copy: tensors and NumPy values become numbers or lists, the rest ``repr``."""
    def fix(v: Any) -> Any:
        if isinstance(v, (str, int, float, bool)) or v is None:
            return v
        if isinstance(v, Mapping):
            return {str(k): fix(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [fix(x) for x in v]
        if hasattr(v, "tolist"):  # tensors, NumPy arrays and scalars
            try:
                return fix(v.tolist())
            except Exception:
                return repr(v)
        try:
            json.dumps(v)
            return v
        except (TypeError, ValueError):
            return repr(v)
    return fix(value)  # type: ignore[no-any-return]


_LIVE: set[Run] = set()


@atexit.register
def _finish_all() -> None:
    # The interpreter sets sys.last_value when it exits on an uncaught exception.
    failed = getattr(sys, "last_value", None) is not None
    for run in list(_LIVE):
        run.finish(RunStatus.CRASHED if failed else RunStatus.FINISHED)

