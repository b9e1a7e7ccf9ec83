"""``Recorder``: what the recording halves of the panels and ``run.watch`` need from a run.

:class:`~torchloupe.run.Run` satisfies it; ``record/watch.py`` and every ``panels/*/record.py``
talk to this protocol only, never to ``Run`` itself or its private state, so they can be tested
against a small fake and ``Run`` can change inside without touching them.

The contract:

- ``id``: the run's id.
- ``step``: the step of the latest ``log`` call (0 before any); ``next_step``: the step the next
  ``log`` call without an explicit step gets.
- ``record(kind, tag, arrays, step, meta, encode)``: queue an artifact (arrays stay on their device
  until the writer thread copies them; ``encode`` runs there too). Raises ``RunFinishedError``
  once the run has finished.
- ``event(kind, message, severity, step, location, data)``: queue a diagnostic event.
- ``observe(observer)`` / ``unobserve(observer)``: ``observer(key, steps, values)`` is called on
  the writer thread with every logged point exactly once, in logging order per key (read the
  arrays, never modify them); ``unobserve`` may be called from inside an observer, and ignores
  an observer it does not hold.
- ``watchers``: the models watched on this run, by name (``record/watch.py`` keeps it; finishing
  the run closes each one before the writer stops).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np

Observer = Callable[[str, np.ndarray, np.ndarray], None]
"""``observer(key, steps, values)``: handed every logged point once, on the writer thread."""

Encode = Callable[[dict[str, np.ndarray]], tuple[bytes, str]]
"""Turns an artifact's arrays (on the CPU) into bytes and a file extension, e.g. a PNG."""


@runtime_checkable
class Recorder(Protocol):
    """A run being recorded, as the recording code sees it (see the module docstring).

    Example:
        >>> import tempfile, torchloupe as tl
        >>> from torchloupe.record.recorder import Recorder
        >>> with tl.init("demo", dir=tempfile.mkdtemp()) as run:
        ...     isinstance(run, Recorder)
        True
    """

    id: str
    watchers: dict[str, Any]

    @property
    def step(self) -> int: ...

    @property
    def next_step(self) -> int: ...

    def record(self, kind: str, tag: str, arrays: Mapping[str, Any], step: int | None = None,
               meta: Mapping[str, Any] | None = None, encode: Encode | None = None) -> None: ...

    def event(self, kind: str, message: str, severity: str = "warning", step: int | None = None,
              location: str | None = None, data: Mapping[str, Any] | None = None) -> None: ...

    def observe(self, observer: Observer) -> None: ...

    def unobserve(self, observer: Observer) -> None: ...
