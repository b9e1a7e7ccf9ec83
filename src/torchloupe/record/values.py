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
FLOAT_MAX = 1.7976931348623157e308
"""Ints beyond ±this cannot be stored as a float64: ``run.log`` rejects them."""
STEP_MAX = 2**62
"""Steps are int64; ±2**62 leaves room for arithmetic on them."""


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


def coerce(key: str, value: Any, step: int | None = None) -> float | torch.Tensor:
    """Turn one logged value into a float or a detached one-element tensor, or raise a
    :class:`LoupeValueError` naming the key and the step.

    Example:
        >>> coerce("lr", np.float32(0.5))
        0.5
    """
    where = f"{key!r}" if step is None else f"{key!r} at step {step}"
    t = type(value)
    if t is float:
        return value  # type: ignore[no-any-return]
    if t is int:
        if -FLOAT_MAX <= value <= FLOAT_MAX:
            return value  # type: ignore[no-any-return]
        raise LoupeValueError(f"value for {where} is an int too large for a float64 "
                              f"({len(str(abs(value)))} digits); log it as a float or scale it")
    # A tensor can only exist if the caller imported torch: no need to import it here.
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise LoupeValueError(
                f"value for {where} is a tensor of shape {tuple(value.shape)}; expected a single "
                "number (a 0-d tensor); log a tensor of many values with run.log_histogram")
        if value.is_complex():
            raise LoupeValueError(f"value for {where} is a complex tensor; expected a real number")
        if value.is_meta or value.layout is not torch.strided or value.is_quantized:
            raise LoupeValueError(f"value for {where} is a {value.layout} tensor on "
                                  f"{value.device} that holds no readable number")
        return value.detach() if value.requires_grad else value
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    try:
        if isinstance(value, (np.integer, np.floating)):
            return float(value)
        if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
            return float(value.reshape(()))
        if isinstance(value, (int, float)):  # subclasses such as IntEnum
            return float(value)
    except (OverflowError, ValueError, TypeError) as exc:
        raise LoupeValueError(f"value for {where} cannot be stored as a float64: {exc}") from None
    if isinstance(value, str):
        raise LoupeValueError(
            f"value for {where} is the string {value[:40]!r}; expected a number "
            "(use run.log_text for text)")
    raise LoupeValueError(
        f"value for {where} is a {type(value).__name__}; expected a number: int, float, a NumPy "
        "scalar or a one-element tensor")


def check_step(step: object) -> int:
    """Validate an explicit step and return it as an int (within ±2**62).

    Example:
        >>> check_step(np.int64(3))
        3
    """
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
        if isinstance(step, (float, np.floating)) and math.isfinite(step) and float(step).is_integer():
            step = int(step)
        else:
            raise LoupeValueError(f"step must be an integer, got {type(step).__name__} {step!r}")
    step = int(step)  # type: ignore[arg-type]
    if not -STEP_MAX <= step <= STEP_MAX:
        text = str(step) if len(str(step)) <= 24 else f"{str(step)[:12]}... ({len(str(abs(step)))} digits)"
        raise LoupeValueError(f"step {text} is out of range (|step| <= 2**62)")
    return step
