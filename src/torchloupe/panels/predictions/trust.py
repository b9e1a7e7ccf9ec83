"""Which model classes a checkpoint may be re-created from: nothing a store names is imported
unless it is trusted.

A checkpoint records its model's class by name (``module``, ``qualname``). Importing a module runs
its code, and a store can come from anyone, so the dashboard resolves that name only to:

- a class registered in this process with :func:`register_model` (``run.save_checkpoint``
  registers its model's class, so a dashboard started in the recording process — the demo, a
  notebook — finds it without importing anything);
- a class of torchloupe's own package (e.g. ``torchloupe.demo.model.DemoCNN``);
- a class of a module the person serving the store trusts explicitly
  (``torchloupe ui --trust-module NAME``, which covers NAME and its submodules).

Anything else is refused with :class:`~torchloupe.errors.UntrustedModelError` before any import.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Iterable
from typing import Any, TypeVar

from ...errors import LoupeValueError, NotFoundError, UntrustedModelError

OWN_PACKAGE = "torchloupe"
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_REGISTERED: dict[tuple[str, str], type] = {}
_LOCK = threading.Lock()

T = TypeVar("T", bound=type)


def register_model(cls: T) -> T:
    """Let checkpoints of ``cls`` be re-created in this process (what ``tl.register_model`` does).

    Example:
        >>> import torch
        >>> @register_model
        ... class Net(torch.nn.Module):
        ...     pass
        >>> registered(Net.__module__, Net.__qualname__) is Net
        True
    """
    import torch

    if not isinstance(cls, type) or not issubclass(cls, torch.nn.Module):
        shown = cls.__name__ if isinstance(cls, type) else type(cls).__name__
        raise LoupeValueError(f"register_model takes a torch.nn.Module subclass, got {shown}")
    with _LOCK:
        _REGISTERED[(cls.__module__, cls.__qualname__)] = cls
    return cls


def registered(module: str, qualname: str) -> type | None:
    """The class registered under ``module.qualname``, or None.

    Example:
        >>> registered("nowhere", "Nothing") is None
        True
    """
    with _LOCK:
        return _REGISTERED.get((module, qualname))


def is_trusted(module: str, trusted_modules: Iterable[str] = ()) -> bool:
    """Whether ``module`` is torchloupe's own or lies in one of ``trusted_modules``.

    Example:
        >>> is_trusted("torchloupe.demo.model"), is_trusted("mylab.nets", ["mylab"]), is_trusted("os")
        (True, True, False)
    """
    return any(module == t or module.startswith(t + ".") for t in (OWN_PACKAGE, *trusted_modules))


def model_class(module: Any, qualname: Any, trusted_modules: Iterable[str] = ()) -> type:
    """The ``torch.nn.Module`` class a checkpoint names, if it may be used; imports only a
    trusted module (see the module docstring).

    Raises:
        UntrustedModelError: the class is neither registered nor in a trusted module.
        NotFoundError: a trusted module cannot be imported or lacks the class.

    Example:
        >>> model_class("torchloupe.demo.model", "DemoCNN").__name__
        'DemoCNN'
    """
    import torch

    if not isinstance(module, str) or not isinstance(qualname, str) or not module or not qualname:
        raise NotFoundError("the checkpoint does not name its model class (module, qualname)")
    found = registered(module, qualname)
    if found is not None:
        return found
    shown = f"{module}.{qualname}"[:300]
    if not is_trusted(module, trusted_modules) or not _DOTTED.fullmatch(module):
        top = module.split(".")[0][:100]
        raise UntrustedModelError(
            f"the checkpoint's model class {shown} is not registered, so the dashboard does not "
            f"import {module[:200]!r} (importing it would run its code). To allow it, call "
            f"torchloupe.register_model({qualname.split('.')[-1][:100]}) in the process that "
            f"serves the dashboard, or start it with `torchloupe ui --trust-module {top}` if you "
            "trust that code")
    if not _DOTTED.fullmatch(qualname):
        raise NotFoundError(f"{shown} is not a class that can be imported by name")
    try:
        obj: Any = importlib.import_module(module)
    except Exception as exc:  # any failure of a trusted module's import is reported, not raised
        raise NotFoundError(f"the model class {shown} cannot be imported where the dashboard "
                            f"runs ({type(exc).__name__}: {exc})") from exc
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    if not isinstance(obj, type) or not issubclass(obj, torch.nn.Module):
        raise NotFoundError(f"{shown} is not a torch.nn.Module class")
    return obj
