"""Model summary and graph on a zoo of awkward models: never crash, shapes and counts right."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import torchloupe as tl
from insight_models import ZOO, Attention, resnet50
from torchloupe.analyze.model_graph import trace_graph
from torchloupe.analyze.model_summary import ModelSummary, summarize


@pytest.mark.parametrize("name", sorted(ZOO))
def test_zoo_summary_and_graph(name):
    cls, make = ZOO[name]
    model = cls().train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    s = summarize(model, make())
    assert s.total_params == sum(p.numel() for p in model.parameters())
    assert model.training
    assert not model._forward_hooks and all(not m._forward_hooks for m in model.modules())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    g = trace_graph(model, make())
    assert g["method"] in ("fx", "hooks") and g["nodes"] and g["edges"]
    ids = {n["id"] for n in g["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in g["edges"])
    assert "Rich" not in str(s) and s.model in str(s)
    assert ModelSummary.from_dict(s.to_dict()) == s


def test_control_flow_falls_back_to_hooks():
    g = trace_graph(ZOO["control_flow"][0](), torch.ones(2, 4))
    assert g["method"] == "hooks" and "TraceError" in g["error"]
    assert [n["label"] for n in g["nodes"]] == ["input", "a", "b", "output"]


def test_model_that_fails_everywhere_does_not_crash():
    class Broken(nn.Module):
        def forward(self, x):
            raise RuntimeError("boom")
    g = trace_graph(Broken(), torch.ones(1))
    assert g["method"] == "none" and "boom" in g["error"]


def test_flops_count_functional_attention():
    s = summarize(Attention(), torch.randn(2, 6, 16))
    linear = 2 * 2 * 6 * 16 * 48
    matmuls = 2 * (2 * 2 * 6 * 6 * 16)
    assert s.total_flops == linear + matmuls
    assert s.rows[1].flops == linear


def test_shared_module_counts_calls():
    s = summarize(ZOO["shared"][0](), torch.randn(2, 4))
    row = next(r for r in s.rows if r.name == "block")
    assert row.calls == 2 and row.flops == 2 * 2 * 2 * 4 * 4


def test_frozen_params_and_tl_summary():
    model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2))
    model[0].requires_grad_(False)
    s = tl.summary(model, torch.zeros(1, 4))
    assert (s.total_params, s.trainable_params, s.frozen_params) == (30, 10, 20)
    assert s.rows[1].input_shapes == [[1, 4]] and s.rows[2].output_shapes == [[1, 2]]


def test_resnet50_sized_graph():
    model = resnet50(base=8, classes=10)
    g = trace_graph(model, torch.randn(1, 3, 64, 64))
    assert g["method"] == "fx"
    assert len([n for n in g["nodes"] if n["op"] == "module"]) == 4 + 16 * 9 + 4 * 2 + 2  # stem, blocks (3 ReLU calls each), downsamples, head
    adds = [n for n in g["nodes"] if n["type"] == "add"]
    assert len(adds) == 16 and all(n["module"].startswith("layer") for n in adds)
    assert {m["path"] for m in g["modules"]} >= {"layer1", "layer1.0", "layer4.2"}
    s = summarize(model, torch.randn(1, 3, 64, 64))
    assert s.total_flops > 0 and s.rows[0].flops == s.total_flops


def test_bad_model():
    with pytest.raises(tl.LoupeValueError, match="nn.Module"):
        tl.summary("resnet", torch.zeros(1))
