"""What every registered panel declares: routes, whether it has data for some runs, and its
figures, which are ``tl.plot``'s functions."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import torchloupe as tl
from every_panel import seed
from torchloupe.panels.registry import PANELS
from torchloupe.serve.app import create_app
from torchloupe.store.artifacts import EventRecord
from torchloupe.store.sqlite import SqliteStore

LOCAL = "http://127.0.0.1"
PANELS_DIR = Path(tl.__file__).parent / "panels"
# Every name tl.plot has had: none may disappear (a new panel adds its own without an edit here).
PLOTS = {"scalars", "dataset", "embedding", "confusion_matrix", "class_metrics", "roc_curves",
         "pr_curves", "reliability_diagram", "top_losses", "data_map", "attributions",
         "feature_maps", "model_summary", "model_graph", "histograms", "gradient_flow",
         "activations", "diagnostics"}


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("contract") / "loupe"
    known = seed(store_dir)
    # The seeded training is healthy; the diagnostics panel shows only when there is a problem.
    alpha = known["runs"][0]
    SqliteStore(store_dir, create=False).add_events(alpha, [EventRecord("nan_loss", 300, "error", "loss is NaN")])
    return store_dir, known


def test_has_data_over_empty_and_filled_stores(tmp_path, filled):
    empty = SqliteStore(tmp_path / "empty")
    assert [p.name for p in PANELS if p.has_data(empty, None)] == []
    store_dir, known = filled
    store = SqliteStore(store_dir, create=False)
    alpha, beta = known["runs"]
    assert [p.name for p in PANELS if not p.has_data(store, None)] == []
    assert [p.name for p in PANELS if not p.has_data(store, [alpha, beta])] == []
    only_beta = {p.name for p in PANELS if p.has_data(store, [beta])}
    assert {"runs", "scalars", "data", "projector"} <= only_beta
    assert not only_beta & {"diagnostics", "confusion", "examples", "histograms", "model_graph"}
    assert [p.name for p in PANELS if p.has_data(store, ["nope"])] == []


def test_panels_route_answers_has_data(filled):
    store_dir, known = filled
    client = TestClient(create_app(store_dir), base_url=LOCAL)
    every = client.get("/api/v1/panels").json()["panels"]
    assert [p["name"] for p in every] == [p.name for p in PANELS]
    assert all(p["has_data"] for p in every)
    beta = client.get("/api/v1/panels", params={"runs": known["runs"][1]}).json()["panels"]
    shown = {p["name"] for p in beta if p["has_data"]}
    assert "projector" in shown and "confusion" not in shown
    assert client.get("/api/v1/panels", params={"runs": "x" * 65}).status_code == 422


def test_plot_functions_come_from_the_registry():
    figures = {name: f for p in PANELS for name, f in p.figures().items()}
    assert PLOTS <= set(figures) == set(dir(tl.plot)), "a tl.plot name disappeared, or one is not a panel's"
    for name, figure in figures.items():
        plot = getattr(tl.plot, name)
        assert plot.__name__ == name and plot.__doc__ == figure.__doc__
        assert f"tl.plot.{name}(" in plot.__doc__, f"{name}: its docstring needs an example"
        assert inspect.signature(plot) == inspect.signature(figure)
    with pytest.raises(AttributeError, match="no figure 'nope'"):
        tl.plot.nope  # noqa: B018


def test_plot_accepts_a_directory_and_a_run_name(filled):
    store_dir, _ = filled
    assert tl.plot.gradient_flow(store_dir, "alpha").axes
    reader = tl.open(store_dir)
    assert tl.plot.confusion_matrix(reader, reader.run("alpha")).axes


def test_panels_never_import_the_server():
    """Panels get what the server owns (the job runner) handed to them, even in functions."""
    bad = []
    for path in PANELS_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                target = "." * node.level + (node.module or "")
                if "serve" in target.split("."):
                    bad.append(f"{path.relative_to(PANELS_DIR)}: {target}")
            elif isinstance(node, ast.Import):
                bad += [f"{path.relative_to(PANELS_DIR)}: {a.name}" for a in node.names
                        if a.name.startswith("torchloupe.serve")]
    assert not bad, bad
