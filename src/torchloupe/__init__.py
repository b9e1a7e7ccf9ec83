"""torchloupe: see what your PyTorch training does.

Example:
    >>> import tempfile, torchloupe as tl
    >>> d = tempfile.mkdtemp()
    >>> with tl.init(project="mnist", config={"lr": 1e-3}, dir=d) as run:
    ...     for step in range(3):
    ...         run.log({"train/loss": 1.0 / (step + 1)})
    >>> tl.open(d).runs()[0].scalars("train/loss")["value"].round(2).tolist()
    [1.0, 0.5, 0.33]
"""

from __future__ import annotations

from .errors import (
    LoupeError,
    LoupeKeyError,
    LoupeValueError,
    NotFoundError,
    RunFinishedError,
    StoreError,
)
from .run import Run, init
from .store.reader import RunReader, Store, open
from .types import RunRecord, RunStatus

__version__ = "0.1.0"


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    # `tl.plot` imports Matplotlib-based modules only when first used.
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module 'torchloupe' has no attribute {name!r}")

__all__ = [
    "LoupeError",
    "LoupeKeyError",
    "LoupeValueError",
    "NotFoundError",
    "Run",
    "RunFinishedError",
    "RunReader",
    "RunRecord",
    "RunStatus",
    "Store",
    "StoreError",
    "__version__",
    "init",
    "open",
    "plot",
]
