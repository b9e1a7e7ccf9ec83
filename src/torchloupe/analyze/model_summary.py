"""A model's module table: type, shapes, parameters, FLOPs and activation memory per module.

FLOPs are counted at the dispatcher with :class:`torch.utils.flop_counter.FlopCounterMode`, so
functional ops (attention, ``x @ w``, ``F.conv2d``) count wherever they are called, and each
module's figure includes its children (the counter tracks the module hierarchy).

Example:
    >>> import torch, torch.nn as nn
    >>> s = summarize(nn.Sequential(nn.Linear(4, 8), nn.ReLU()), torch.zeros(2, 4))
    >>> s.total_params, s.total_flops, s.rows[1].output_shapes
    (40, 128, [[2, 8]])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

from ..errors import LoupeValueError


@dataclass(frozen=True)
class ModuleRow:
    """One module of the table (``name`` is its dotted path; the root is ``""``)."""

    name: str
    type: str
    depth: int
    input_shapes: list[list[int]]
    output_shapes: list[list[int]]
    params: int
    trainable: int
    flops: int
    activation_bytes: int
    calls: int
    leaf: bool


@dataclass(frozen=True)
class ModelSummary:
    """The summary table plus totals. Prints as a Rich table; ``to_dict()`` is its JSON form."""

    model: str
    rows: list[ModuleRow]
    total_params: int
    trainable_params: int
    total_flops: int
    activation_bytes: int
    param_bytes: int
    input_shapes: list[list[int]] = field(default_factory=list)

    @property
    def frozen_params(self) -> int:
        return self.total_params - self.trainable_params

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelSummary:
        rows = [ModuleRow(**r) for r in data.get("rows", [])]
        return cls(**{**dict(data), "rows": rows})

    def __rich__(self) -> Any:
        return rich_table(self)

    def __str__(self) -> str:
        from rich.console import Console

        console = Console(width=120, record=True, file=_Null(), color_system=None)
        console.print(self)
        return console.export_text()


class _Null:
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def split_input(example_input: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Positional and keyword arguments from an example input: a tensor, a tuple/list of
    arguments, or a dict of keyword arguments."""
    if isinstance(example_input, Mapping):
        return (), dict(example_input)
    if isinstance(example_input, (tuple, list)):
        return tuple(example_input), {}
    return (example_input,), {}


def tensors(value: Any) -> list[torch.Tensor]:
    """The tensors in a (nested: dict, tuple, list) value, in order."""
    out: list[torch.Tensor] = []

    def walk(v: Any) -> None:
        if isinstance(v, torch.Tensor):
            out.append(v)
        elif isinstance(v, Mapping):
            for x in v.values():
                walk(x)
        elif isinstance(v, (tuple, list)):
            for x in v:
                walk(x)
    walk(value)
    return out


def tensor_shapes(value: Any) -> list[list[int]]:
    """Shapes of the tensors in a (nested) value, in order."""
    return [list(t.shape) for t in tensors(value)]


def _tensor_bytes(value: Any) -> int:
    return sum(t.numel() * t.element_size() for t in tensors(value))


def summarize(model: nn.Module, example_input: Any) -> ModelSummary:
    """Run ``model`` once on ``example_input`` (in eval mode, without gradients) and tabulate it.

    Args:
        model: any ``nn.Module`` (a ``torch.compile``d one is summarized through its original).
        example_input: a tensor, a tuple/list of positional arguments, or a dict of keyword
            arguments, on the model's device.

    Returns:
        A :class:`ModelSummary`; the model's training mode is restored and its hooks removed,
        even when the forward pass raises.

    Example:
        >>> print(summarize(nn.Linear(3, 2), torch.zeros(1, 3)))   # doctest: +SKIP
    """
    from torch.utils.flop_counter import FlopCounterMode

    if not isinstance(model, nn.Module):
        raise LoupeValueError(f"summarize takes an nn.Module, got {type(model).__name__}")
    model = getattr(model, "_orig_mod", model)
    args, kwargs = split_input(example_input)
    names = {id(m): n for n, m in model.named_modules()}
    seen: dict[str, dict[str, Any]] = {}
    handles = []

    def hook(module: nn.Module, inputs: Any, kw: Any, output: Any) -> None:
        name = names.get(id(module), "?")
        rec = seen.setdefault(name, {"in": tensor_shapes((inputs, kw)), "out": tensor_shapes(output),
                                     "bytes": 0, "calls": 0})
        rec["calls"] += 1
        rec["bytes"] += _tensor_bytes(output)

    was_training = model.training
    try:
        for m in model.modules():
            handles.append(m.register_forward_hook(hook, with_kwargs=True))
        model.eval()
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(*args, **kwargs)
        flops = _module_flops(counter.get_flop_counts(), type(model).__name__)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return _table(model, seen, flops, tensor_shapes((args, kwargs)))


def _module_flops(counts: Mapping[str, Mapping[Any, int]], root: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, ops in counts.items():
        if key == "Global":
            continue
        name = "" if key == root else key[len(root) + 1:] if key.startswith(root + ".") else key
        out[name] = int(sum(ops.values()))
    out.setdefault("", int(sum(counts.get("Global", {}).values())))
    return out


def _table(model: nn.Module, seen: dict[str, dict[str, Any]], flops: dict[str, int],
           input_shapes: list[list[int]]) -> ModelSummary:
    rows = []
    for name, m in model.named_modules():
        own = list(m.parameters(recurse=True))
        rec = seen.get(name, {"in": [], "out": [], "bytes": 0, "calls": 0})
        leaf = next(m.children(), None) is None
        rows.append(ModuleRow(
            name=name, type=type(m).__name__, depth=0 if not name else name.count(".") + 1,
            input_shapes=rec["in"], output_shapes=rec["out"],
            params=sum(p.numel() for p in own),
            trainable=sum(p.numel() for p in own if p.requires_grad),
            flops=flops.get(name, 0), activation_bytes=rec["bytes"], calls=rec["calls"], leaf=leaf))
    params = list(model.parameters())
    act = sum(r.activation_bytes for r in rows if r.leaf and r.name)
    return ModelSummary(
        model=type(model).__name__, rows=rows, total_params=sum(p.numel() for p in params),
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
        total_flops=flops.get("", 0), activation_bytes=act,
        param_bytes=sum(p.numel() * p.element_size() for p in params), input_shapes=input_shapes)


def human(n: float, unit: str = "") -> str:
    """``1234567`` -> ``'1.23 M'``.

    Example:
        >>> human(17_600_000_000, "FLOPs")
        '17.6 GFLOPs'
    """
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= factor:
            return f"{n / factor:.3g} {prefix}{unit}"
    return f"{n:.0f} {unit}".rstrip()


def _bytes(n: float) -> str:
    for factor, prefix in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if n >= factor:
            return f"{n / factor:.3g} {prefix}"
    return f"{n:.0f} B"


def rich_table(summary: ModelSummary, max_depth: int | None = None) -> Any:
    """The summary as a Rich table: one row per module (indented by depth), totals below."""
    from rich import box
    from rich.table import Table

    table = Table(title=f"{summary.model}", title_justify="left", box=box.SIMPLE_HEAD,
                  padding=(0, 1), pad_edge=False, show_footer=True)
    table.add_column("module", footer="total", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("output", no_wrap=True)
    table.add_column("params", justify="right", footer=human(summary.total_params))
    table.add_column("trainable", justify="right", footer=human(summary.trainable_params))
    table.add_column("FLOPs", justify="right", footer=human(summary.total_flops))
    table.add_column("act. mem", justify="right", footer=_bytes(summary.activation_bytes))
    for r in summary.rows:
        if not r.name or (max_depth is not None and r.depth > max_depth):
            continue
        out = " ".join("×".join(map(str, s)) for s in r.output_shapes[:2])
        table.add_row("  " * (r.depth - 1) + r.name.rsplit(".", 1)[-1], r.type, out,
                      human(r.params) if r.params else "–",
                      human(r.trainable) if r.params else "–",
                      human(r.flops) if r.flops else "–",
                      _bytes(r.activation_bytes) if r.leaf and r.activation_bytes else "")
    table.caption = (f"{summary.total_params:,} parameters ({summary.frozen_params:,} frozen, "
                     f"{_bytes(summary.param_bytes)}), {human(summary.total_flops, 'FLOPs')} "
                     f"per forward, input {summary.input_shapes}")
    table.caption_justify = "left"
    return table
