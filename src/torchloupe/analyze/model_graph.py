"""A model's data-flow graph: nodes, edges with tensor shapes, and the module hierarchy.

First :func:`torch.fx.symbolic_trace` with shape propagation (every op, functional ones too).
When tracing fails (data-dependent control flow, unsupported ops), the graph is rebuilt from
forward hooks on the leaf modules: modules in call order, linked by tensor identity (an output
that becomes another module's input is an edge). It never raises on a model: the worst case is
a graph with the failure in ``error``.

Graph format (``to_dict()``; the dashboard and the figure read this)::

    {"method": "fx" | "hooks" | "none", "error": str | None,
     "nodes": [{"id", "label", "op", "type", "module", "shape", "params", "flops"}],
     "edges": [{"source", "target", "shape"}],
     "modules": [{"path", "type", "params", "flops"}]}   # containers, for collapsing

``module`` is the dotted path of the module a node belongs to (``"layer1.0.conv1"``; ``""`` for
the top level); ``op`` is ``input``, ``output``, ``module``, ``function``, ``method`` or ``attr``.

Example:
    >>> import torch, torch.nn as nn
    >>> g = trace_graph(nn.Sequential(nn.Linear(4, 2), nn.ReLU()), torch.zeros(3, 4))
    >>> g["method"], [n["label"] for n in g["nodes"]]
    ('fx', ['input', '0', '1', 'output'])
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from .model_summary import split_input, tensor_shapes, tensors


def trace_graph(model: nn.Module, example_input: Any) -> dict[str, Any]:
    """The graph of ``model`` run on ``example_input`` (see the module docstring for the format).

    The model's training mode is restored and every hook removed, whatever happens.
    """
    model = getattr(model, "_orig_mod", model)
    was_training = model.training
    errors = []
    try:
        model.eval()
        for build in (_fx_graph, _hook_graph):
            try:
                with torch.no_grad():
                    graph = build(model, example_input)
                graph["error"] = "; ".join(errors) or None
                graph["modules"] = _containers(model)
                return graph
            except Exception as exc:  # any failure falls through to the next way
                errors.append(f"{build.__name__.strip('_')}: {type(exc).__name__}: {exc}"[:500])
    finally:
        model.train(was_training)
    return {"method": "none", "error": "; ".join(errors), "nodes": [], "edges": [],
            "modules": []}


def _containers(model: nn.Module) -> list[dict[str, Any]]:
    return [{"path": name, "type": type(m).__name__,
             "params": sum(p.numel() for p in m.parameters())}
            for name, m in model.named_modules() if name and next(m.children(), None) is not None]


def _shape(value: Any) -> list[int] | None:
    shapes = tensor_shapes(value)
    return shapes[0] if shapes else None


def _fx_graph(model: nn.Module, example_input: Any) -> dict[str, Any]:
    from torch.fx import Interpreter, symbolic_trace
    from torch.utils.flop_counter import FlopCounterMode

    args, kwargs = split_input(example_input)
    if kwargs:
        gm = symbolic_trace(model, concrete_args=None)
        ordered = [kwargs[n.target] for n in gm.graph.nodes if n.op == "placeholder"
                   and n.target in kwargs]
        args = tuple(ordered)
    else:
        gm = symbolic_trace(model)
    values: dict[str, Any] = {}
    flops: dict[str, int] = {}

    class Recorder(Interpreter):
        def run_node(self, n: Any) -> Any:
            with FlopCounterMode(display=False) as counter:
                result = super().run_node(n)
            values[n.name] = _shape(result)
            flops[n.name] = counter.get_total_flops()
            return result

    Recorder(gm).run(*args)
    modules = dict(gm.named_modules())
    nodes, edges = [], []
    for n in gm.graph.nodes:
        op = {"placeholder": "input", "output": "output", "call_module": "module",
              "call_function": "function", "call_method": "method", "get_attr": "attr"}[n.op]
        if n.op == "call_module":
            path = str(n.target)
            m = modules.get(path)
            kind = type(m).__name__
            params = sum(p.numel() for p in m.parameters()) if m is not None else 0
            container, label = path.rsplit(".", 1) if "." in path else ("", path)
        else:
            stack = n.meta.get("nn_module_stack") or {}
            container = str(list(stack)[-1]) if stack else ""
            kind = getattr(n.target, "__name__", str(n.target))
            path, params = "", 0
            label = str(n.target) if n.op in ("placeholder", "get_attr") else kind
            if n.op in ("placeholder", "output"):
                kind = op
        nodes.append({"id": n.name, "label": label, "op": op, "type": kind, "module": container,
                      "path": path, "shape": values.get(n.name), "params": params,
                      "flops": int(flops.get(n.name, 0))})
        for src in n.all_input_nodes:
            edges.append({"source": src.name, "target": n.name, "shape": values.get(src.name)})
    return {"method": "fx", "nodes": nodes, "edges": edges}


def _hook_graph(model: nn.Module, example_input: Any) -> dict[str, Any]:
    from torch.utils.flop_counter import FlopCounterMode

    args, kwargs = split_input(example_input)
    names = {id(m): n for n, m in model.named_modules()}
    producer: dict[int, str] = {}
    nodes: list[dict[str, Any]] = [{"id": "input", "label": "input", "op": "input", "type": "input",
                                    "module": "", "path": "", "shape": _shape((args, kwargs)),
                                    "params": 0, "flops": 0}]
    edges: list[dict[str, Any]] = []
    for t in tensors((args, kwargs)):
        producer[id(t)] = "input"
    counters: dict[int, Any] = {}
    handles = []
    last = ["input"]

    def pre(module: nn.Module, inputs: Any, kw: Any) -> None:
        counters[id(module)] = FlopCounterMode(display=False)
        counters[id(module)].__enter__()

    def post(module: nn.Module, inputs: Any, kw: Any, output: Any) -> None:
        counter = counters.pop(id(module))
        counter.__exit__(None, None, None)
        path = names.get(id(module), "?")
        node_id = f"{path}#{sum(1 for n in nodes if n.get('path') == path)}"
        nodes.append({"id": node_id, "label": path.rsplit(".", 1)[-1], "op": "module",
                      "type": type(module).__name__,
                      "module": path.rsplit(".", 1)[0] if "." in path else "", "path": path,
                      "shape": _shape(output), "params": sum(p.numel() for p in module.parameters()),
                      "flops": int(counter.get_total_flops())})
        sources = {producer[id(t)] for t in tensors((inputs, kw)) if id(t) in producer}
        for src in sorted(sources) or [last[0]]:
            edges.append({"source": src, "target": node_id,
                          "shape": next((n["shape"] for n in nodes if n["id"] == src), None)})
        for t in tensors(output):
            producer[id(t)] = node_id
        last[0] = node_id

    try:
        for m in model.modules():
            if m is not model and next(m.children(), None) is None:
                handles.append(m.register_forward_pre_hook(pre, with_kwargs=True))
                handles.append(m.register_forward_hook(post, with_kwargs=True))
        output = model(*args, **kwargs)
    finally:
        for h in handles:
            h.remove()
        for c in counters.values():
            c.__exit__(None, None, None)
    out_sources = {producer[id(t)] for t in tensors(output) if id(t) in producer} or {last[0]}
    nodes.append({"id": "output", "label": "output", "op": "output", "type": "output", "module": "",
                  "path": "", "shape": _shape(output), "params": 0, "flops": 0})
    for src in sorted(out_sources):
        edges.append({"source": src, "target": "output",
                      "shape": next((n["shape"] for n in nodes if n["id"] == src), None)})
    return {"method": "hooks", "nodes": nodes, "edges": edges}
