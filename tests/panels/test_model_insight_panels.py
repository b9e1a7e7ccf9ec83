"""The model-insight panels (summary, graph, histograms, gradient flow, activations,
diagnostics): queries, routes and Matplotlib figures on one seeded store."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import torchloupe as tl
from insight_models import seed_store
from torchloupe.panels.activations.query import activations
from torchloupe.panels.diagnostics.query import diagnostics
from torchloupe.panels.gradient_flow.query import gradient_flow
from torchloupe.panels.histograms.query import histograms
from torchloupe.panels.model_graph.collapse import collapse
from torchloupe.panels.model_graph.query import graph
from torchloupe.panels.model_summary.query import summaries
from torchloupe.panels.registry import panel
from torchloupe.store.sqlite import SqliteStore

LOCAL = "http://127.0.0.1"  # the dashboard answers only its own names (DNS-rebinding defence)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    d = tmp_path_factory.mktemp("insight") / "loupe"
    ids = seed_store(d)
    return d, ids, SqliteStore(d, create=False)


def test_summary_and_graph_queries(seeded):
    _, ids, store = seeded
    s = summaries(store, ids["healthy"])
    assert [m["name"] for m in s["models"]] == ["ResNet", "ResNet50"]
    assert s["models"][0]["summary"]["total_params"] > 0
    g = graph(store, ids["healthy"], "ResNet50")
    assert g["models"] == ["ResNet", "ResNet50"] and g["graph"]["method"] == "fx"
    assert any(m["flops"] > 0 for m in g["graph"]["modules"])
    top, _ = collapse(g["graph"], 1)
    assert {n["id"] for n in top} >= {"group:layer1", "group:layer4"} and len(top) < 15
    with pytest.raises(tl.NotFoundError):
        graph(store, ids["healthy"], "nope")


def test_watch_queries(seeded):
    _, ids, store = seeded
    h = histograms(store, ids["healthy"], which="gradients", layer="fc.weight")
    assert h["steps"] == [0, 3, 6, 9, 12, 15, 18, 21]
    assert len(h["density"][0]) == 64 and abs(sum(h["density"][0]) - 1) < 1e-6
    b = h["bands"][0]
    assert b == sorted(b) and h["lo"] < b[4] < h["hi"]
    gf = gradient_flow(store, ids["healthy"])
    assert gf["step"] == 21 and len(gf["layers"]) == len(gf["mean_abs"]) and gf["total"]["norm"]
    a = activations(store, ids["dead"])
    dead = a["stats"]["dead"][a["layers"].index("4")]
    assert a["types"][a["layers"].index("4")] == "ReLU" and min(dead) == 1.0
    with pytest.raises(tl.NotFoundError, match="no layer 'nope'"):
        histograms(store, ids["healthy"], layer="nope")


def test_diagnostics_query(seeded):
    _, ids, store = seeded
    d = {r["run"]: r for r in diagnostics(store, [ids["healthy"], ids["dead"]])["runs"]}
    assert d[ids["healthy"]]["events"] == []
    kinds = [e["kind"] for e in d[ids["dead"]]["events"]]
    assert "dead_relu" in kinds and "update_ratio_low" in kinds
    assert d[ids["dead"]]["counts"]["warning"] >= 2


def test_routes(seeded):
    from torchloupe.serve.app import create_app

    d, ids, _ = seeded
    client = TestClient(create_app(d), base_url=LOCAL)
    names = [p["name"] for p in client.get("/api/v1/panels").json()["panels"]]
    assert {"model_summary", "model_graph", "histograms", "gradient_flow", "activations",
            "diagnostics"} <= set(names)
    run = ids["healthy"]
    assert client.get(f"/api/v1/watch/models?run={run}").json()["models"] == ["ResNet"]
    assert client.get(f"/api/v1/model/summary?run={run}").status_code == 200
    assert client.get(f"/api/v1/model/graph?run={run}").json()["model"] == "ResNet"
    assert client.get(f"/api/v1/histograms?run={run}&which=weights").status_code == 200
    assert client.get(f"/api/v1/gradient-flow?run={run}&step=3").json()["step"] == 3
    unwatched = client.get(f"/api/v1/gradient-flow?run={run}&step=1")
    assert unwatched.status_code == 404 and "no watched step 1" in unwatched.json()["error"]["message"]
    assert client.get(f"/api/v1/activations?run={run}").status_code == 200
    assert client.get(f"/api/v1/diagnostics?runs={ids['dead']}").json()["runs"][0]["events"]
    bad = client.get(f"/api/v1/histograms?run={run}&which=bias")
    assert bad.status_code == 422
    missing = client.get("/api/v1/model/graph?run=nope")
    assert missing.status_code == 404


@pytest.mark.parametrize("name,kwargs", [
    ("model_summary", {"run": "healthy"}),
    ("model_graph", {"run": "healthy", "model": "ResNet50", "depth": 1}),
    ("histograms", {"run": "healthy", "layer": "conv1.weight", "which": "gradients"}),
    ("gradient_flow", {"run": "healthy"}),
    ("activations", {"run": "dead", "stat": "dead"}),
    ("diagnostics", {}),
])
def test_figures(seeded, tmp_path, name, kwargs):
    import matplotlib
    matplotlib.use("Agg")
    import numpy as np
    from PIL import Image

    _, ids, store = seeded
    kwargs = {k: (ids[v] if k == "run" else v) for k, v in kwargs.items()}
    fig = getattr(tl.plot, name)(store, **kwargs)
    for ext in ("png", "svg", "pdf"):
        fig.savefig(tmp_path / f"{name}.{ext}")
        assert (tmp_path / f"{name}.{ext}").stat().st_size > 1000
    img = np.asarray(Image.open(tmp_path / f"{name}.png").convert("L"))
    assert img.std() > 10, "the figure is blank"
    assert panel(name).figure is not None


def test_show_lists_diagnostics(seeded):
    from rich.console import Console

    from torchloupe.show.terminal import run_view

    d, ids, _ = seeded
    console = Console(width=160, record=True, file=open("/dev/null", "w"))
    console.print(run_view(tl.open(d).run(ids["dead"])))
    text = console.export_text()
    assert "diagnostics" in text and "dead_relu" in text and "update_ratio_low" in text
