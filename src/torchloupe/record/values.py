"""Checks of what ``run.log`` receives, done on the caller's thread without touching a device.

Accepted values: ``int``, ``float``, ``bool``, NumPy integer/floating/bool scalars and 0-d arrays,
and tensors with exactly one element on any device. Tensors are *not* read here: they are kept as
they are (detached, so that no autograd graph stays alive) and read on the writer thread in batches.
"""

from __future__ import annotations

import math
import re
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

from ..errors import LoupeKeyError, LoupeValueError

KEY_RE = re.compile(r"^[A-Za-z0-9_\-.:/ ()\[\]=+@#%,]{1,256}$")
"""Series keys: 1–256 printable characters; ``/`` groups keys (``train/loss``)."""

_FAST = frozenset({float, int})


def check_key(key: object) -> str:
    """Validate a series key and return it.

    Example:
        >>> check_key("train/loss")
        'train/loss'
    """
    if not isinstance(key, str):
        raise LoupeKeyError(f"series keys must be str, got {type(key).__name__} {key!r}")
    if not KEY_RE.match(key) or key.startswith("/") or key.endswith("/") or "//" in key:
        raise LoupeKeyError(
            f"bad series key {key!r}: use 1-256 letters, digits, spaces and _-.:/()[]=+@#%, "
            "with '/' only between parts (like 'train/loss')")
    return key


def coerce(key: str, value: Any) -> float | torch.Tensor:
    """Turn one logged value into a float or a detached one-element tensor, or raise.

    Example:
        >>> coerce("lr", np.float32(0.5))
        0.5
    """
    t = type(value)
    if t in _FAST:
        return value  # type: ignore[no-any-return]
    # A tensor can only exist if the caller imported torch: no need to import it here.
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise LoupeValueError(
                f"value for {key!r} is a tensor of shape {tuple(value.shape)}; expected a single "
                "number (a 0-d tensor); log a tensor of many values with run.log_histogram")
        if value.is_complex():
            raise LoupeValueError(f"value for {key!r} is a complex tensor; expected a real number")
        return value.detach() if value.requires_grad else value
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, (np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        return float(value.reshape(()))
    if isinstance(value, (int, float)):  # subclasses such as IntEnum
        return float(value)
    if isinstance(value, str):
        raise LoupeValueError(
            f"value for {key!r} is the string {value[:40]!r}; expected a number "
            "(use run.log_text for text)")
    raise LoupeValueError(
        f"value for {key!r} is a {type(value).__name__}; expected a number: int, float, a NumPy "
        "scalar or a one-element tensor")


def check_step(step: object) -> int:
    """Validate an explicit step and return it as an int.

    Example:
        >>> check_step(np.int64(3))
        3
    """
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
        if isinstance(step, float) and step.is_integer() and math.isfinite(step):
            return int(step)
        raise LoupeValueError(f"step must be an integer, got {type(step).__name__} {step!r}")
    step = int(step)
    if not -(2**62) <= step <= 2**62:
        raise LoupeValueError(f"step {step} is out of range (|step| <= 2**62)")
    return step
