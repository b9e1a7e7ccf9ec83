"""``run.log_model``: the summary table and the graph of a model, stored once per call.

Stored format (one JSON file each, tag = the model's name, step = the run's step):

- kind ``"model_summary"``: :meth:`ModelSummary.to_dict` — ``{"model", "rows": [{"name", "type",
  "depth", "input_shapes", "output_shapes", "params", "trainable", "flops", "activation_bytes",
  "calls", "leaf"}], "total_params", "trainable_params", "total_flops", "activation_bytes",
  "param_bytes", "input_shapes"}``.
- kind ``"model_graph"``: the graph of :mod:`torchloupe.analyze.model_graph` (nodes, edges with
  shapes, containers, the method that built it and why another failed).
- kind ``"model_weights"`` (only with ``save_weights=True``): the state dict as ``.npz`` arrays,
  one per entry (float32 for bfloat16 tensors).
"""

from __future__ import annotations

import json
from typing import Any

from torch import nn

from ...analyze.model_graph import trace_graph
from ...analyze.model_summary import ModelSummary, summarize
from ...errors import LoupeValueError
from ...record.recorder import Recorder


def _json(data: Any) -> Any:
    def encode(_: Any) -> tuple[bytes, str]:
        return json.dumps(data, separators=(",", ":"), allow_nan=False, default=str).encode(), "json"
    return encode


def log_model(run: Recorder, model: nn.Module, example_input: Any, *, name: str | None = None,
              save_weights: bool = False) -> ModelSummary:
    """Summarize and trace ``model`` on ``example_input`` and record both (see the module doc).

    Returns:
        The :class:`ModelSummary` (print it for a Rich table).
    """
    if not isinstance(model, nn.Module):
        raise LoupeValueError(f"log_model takes an nn.Module, got {type(model).__name__}")
    inner = getattr(model, "_orig_mod", model)
    name = name or type(inner).__name__
    summary = summarize(inner, example_input)
    graph = trace_graph(inner, example_input)
    _add_flops(graph, summary)
    run.record("model_summary", name, {}, meta={"model": name},
               encode=_json(summary.to_dict()))
    run.record("model_graph", name, {}, meta={"model": name, "method": graph["method"]},
               encode=_json(graph))
    if save_weights:
        state = {k: v.detach().clone() for k, v in inner.state_dict().items()}
        run.record("model_weights", name, state, meta={"model": name})
    return summary


def _add_flops(graph: dict[str, Any], summary: ModelSummary) -> None:
    """Give the graph's containers their FLOPs from the summary (which counts per module)."""
    flops = {r.name: r.flops for r in summary.rows}
    for m in graph["modules"]:
        m["flops"] = flops.get(m["path"], 0)
