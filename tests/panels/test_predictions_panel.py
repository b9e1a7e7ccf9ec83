"""Predictions: recording (and its errors), reader frames, the API and every figure."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

import torchloupe as tl
from torchloupe.demo.model import DemoCNN
from torchloupe.errors import LoupeValueError
from torchloupe.serve.app import create_app

LOCAL = "http://127.0.0.1"  # the dashboard answers only its own names (DNS-rebinding defence)

N, C = 80, 4
NAMES = ["cat", "dog", "emu", "fox"]


def seeded_store(path, flip=(3, 11)):
    """A run with predictions at three steps (ids, inputs) and a checkpoint of a small CNN."""
    rng = np.random.default_rng(0)
    true = rng.integers(0, C, N)
    labels = true.copy()
    labels[list(flip)] = (true[list(flip)] + 1) % C
    images = torch.rand(N, 1, 16, 16)
    model = DemoCNN(num_classes=C, channels=(4, 4, 4))
    with tl.init("eval", name="eval-run", dir=path) as run:
        for step, strength in ((10, 1.0), (20, 2.5), (30, 4.0)):
            logits = rng.normal(size=(N, C)) + strength * np.eye(C)[true]
            run.log({"test/acc": 0.5}, step=step)
            run.log_predictions(torch.as_tensor(labels), torch.as_tensor(logits), "test", step=step,
                                class_names=NAMES, inputs=images, ids=[f"ex{i}" for i in range(N)])
        run.save_checkpoint(model, init_kwargs={"num_classes": C, "channels": [4, 4, 4]})
    return run.id, labels


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("pred") / "loupe"
    run_id, labels = seeded_store(path)
    return path, run_id, labels


def test_reader_frames(seeded):
    path, run_id, labels = seeded
    r = tl.open(path).run(run_id)
    df = r.predictions("test")
    assert list(df.columns[:5]) == ["id", "target", "predicted", "confidence", "loss"]
    assert [c for c in df.columns if c.startswith("prob_")] == [f"prob_{n}" for n in NAMES]
    assert len(df) == N and (df["target"].to_numpy() == labels).all()
    assert np.allclose(df.filter(like="prob_").sum(axis=1), 1, atol=1e-2)
    assert r.predictions("test", step=15).attrs["step"] == 10
    sus = r.suspects("test")
    assert list(sus.columns[:4]) == ["id", "target", "score", "reason"]
    assert set(sus["id"][:2]) == {"ex3", "ex11"}


@pytest.mark.parametrize("args, match", [
    (([0, 1], [[0.1, 0.9]]), "same length"),
    (([0, 5], [[0.1, 0.9], [0.5, 0.5]]), "label 5 out of range"),
    (([[0], [1]], [[0.1, 0.9], [0.5, 0.5]]), "1-d array"),
    (([0, 1], np.zeros((2, 2, 2))), r"\[N, C\]"),
])
def test_bad_input(tmp_path, args, match):
    with tl.init("p", dir=tmp_path) as run:
        with pytest.raises(LoupeValueError, match=match):
            run.log_predictions(*args)
        with pytest.raises(LoupeValueError, match="class_names has 3"):
            run.log_predictions([0, 1], [[1.0, 0.0], [0.0, 1.0]], class_names=["a", "b", "c"])
        with pytest.raises(LoupeValueError, match="ids must be"):
            run.log_predictions([0, 1], [[1.0, 0.0], [0.0, 1.0]], ids=[1])


def test_binary_and_probs_flag(tmp_path):
    with tl.init("p", name="b", dir=tmp_path) as run:
        run.log_predictions([0, 1, 1], [0.2, 0.7, 0.4], step=0)          # P(class 1)
        run.log_predictions([0, 1, 1], [[-2.0], [1.0], [0.5]], step=1)    # logits
        run.log_predictions([0, 1], [[0.6, 0.4], [0.5, 0.5]], step=2, scores="logits")
    r = tl.open(tmp_path).run("b")
    assert np.allclose(r.predictions(step=0)["prob_1"], [0.2, 0.7, 0.4], atol=1e-3)
    assert np.allclose(r.predictions(step=1)["prob_1"], 1 / (1 + np.exp([2.0, -1.0, -0.5])), atol=1e-3)
    assert r.predictions(step=2)["prob_0"][0] == pytest.approx(np.exp(0.6) / (np.exp(0.6) + np.exp(0.4)), abs=1e-3)


def test_api(seeded):
    path, run_id, labels = seeded
    client = TestClient(create_app(path), base_url=LOCAL)
    idx = client.get("/api/v1/predictions/index").json()["runs"]
    assert idx[0]["run"] == run_id and idx[0]["checkpoint"] is True
    assert idx[0]["splits"][0]["steps"] == [10, 20, 30] and idx[0]["splits"][0]["class_names"] == NAMES
    s = client.get("/api/v1/predictions/summary", params={"run": run_id, "step": 20}).json()
    assert s["step"] == 20 and sum(map(sum, s["confusion"])) == N
    assert len(s["roc"]) == C and all(0 <= c["auc"] <= 1 for c in s["roc"])
    assert len(s["pr"][0]["thresholds"]) == 201
    ex = client.get("/api/v1/predictions/examples", params={"run": run_id, "target": 0, "predicted": 1}).json()
    cm = client.get("/api/v1/predictions/summary", params={"run": run_id}).json()["confusion"]
    assert ex["total"] == cm[0][1] and all(e["target"] == 0 and e["predicted"] == 1 for e in ex["examples"])
    losses = [e["loss"] for e in client.get("/api/v1/predictions/examples", params={"run": run_id}).json()["examples"]]
    assert losses == sorted(losses, reverse=True)
    png = client.get("/api/v1/predictions/thumb", params={"run": run_id, "id": "ex3"})
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    att = client.get("/api/v1/predictions/attribution", params={"run": run_id, "id": "ex3", "method": "gradcam"})
    assert att.status_code == 200 and att.content[:4] == b"\x89PNG"
    dyn = client.get("/api/v1/predictions/dynamics", params={"run": run_id}).json()
    assert len(dyn["confidence"]) == N and dyn["steps"] == [10, 20, 30]
    assert {s["id"] for s in dyn["suspects"][:2]} == {"ex3", "ex11"}
    bad = client.get("/api/v1/predictions/thumb", params={"run": run_id, "id": "nope"})
    assert bad.status_code == 404 and "nope" in bad.json()["error"]["message"]
    assert client.get("/api/v1/predictions/summary", params={"run": run_id, "split": "val"}).status_code == 404


def test_checkpoint_loads_weights_only(seeded):
    path, run_id, _ = seeded
    store = tl.open(path).backend
    rec = store.artifacts(run_id, "checkpoint")[-1]
    assert rec.meta["module"] == "torchloupe.demo.model" and rec.meta["qualname"] == "DemoCNN"
    state = torch.load(io.BytesIO(store.load_bytes(rec)), weights_only=True)
    assert state["features.0.0.weight"].shape == (4, 1, 3, 3)
    assert state["features.0.1.num_batches_tracked"].dtype == torch.int64


def _not_blank(fig, tmp_path, name, formats=("png",)):
    import matplotlib.image as mpimg

    for ext in formats:
        out = tmp_path / f"{name}.{ext}"
        fig.savefig(out)
        assert out.stat().st_size > 1000
    img = mpimg.imread(tmp_path / f"{name}.png")[..., :3]
    # Not blank: many distinct colours, and a good share of pixels that are not background.
    assert len(np.unique((img * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 20
    assert (img.mean(axis=2) < 0.9).mean() > 0.02


def test_figures(seeded, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path, run_id, _ = seeded
    for name in ("confusion_matrix", "class_metrics", "roc_curves", "pr_curves", "reliability_diagram",
                 "top_losses", "data_map"):
        fig = getattr(tl.plot, name)(path, run_id, "test", **({"k": 8} if name == "top_losses" else {}))
        # Every figure as PNG (checked for content); the vector formats once (they cost seconds).
        _not_blank(fig, tmp_path, name, ("png", "svg", "pdf") if name == "confusion_matrix" else ("png",))
        plt.close(fig)
    cm = tl.plot.confusion_matrix(tl.open(path), "eval-run", step=10)
    assert "step 10" in cm.axes[0].get_title()
    plt.close(cm)
    model = DemoCNN(num_classes=C, channels=(4, 4, 4))
    x = torch.rand(1, 1, 16, 16)
    maps = {m: tl.explain(model, x, method=m)[0] for m in ("saliency", "integrated_gradients", "gradcam")}
    _not_blank(tl.plot.attributions(x[0], maps, title="why"), tmp_path, "attributions")
    _not_blank(tl.plot.feature_maps(tl.explain(model, x, method="feature_maps")), tmp_path, "features")
    plt.close("all")


def test_explain_shapes_and_errors():
    model = DemoCNN(num_classes=C, channels=(4, 4, 4)).train()
    x = torch.rand(2, 1, 16, 16)
    for method in ("saliency", "integrated_gradients", "gradcam", "occlusion"):
        assert tuple(tl.explain(model, x, target=1, method=method).shape) == (2, 16, 16)
    assert model.training  # mode restored
    fm = tl.explain(model, x[0], method="feature_maps")
    assert list(fm.layers)[0] == "features.0.0" and tuple(fm.filters.shape) == (4, 1, 3, 3)
    with pytest.raises(LoupeValueError, match="method must be one of"):
        tl.explain(model, x, method="lime")
    with pytest.raises(LoupeValueError, match="no layer 'nope'"):
        tl.explain(model, x, method="gradcam", layer="nope")
